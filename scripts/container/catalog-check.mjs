// The catalog packaging agrees with itself: metadata.yaml, the Dockerfile's defaults,
// package.json, and each example package's README.md and .krmignore.
//
// usage: node scripts/container/catalog-check.mjs
// Prints one `ok - ...` or `FAIL - ...` line per check; exits 1 when any failed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { parse } = createRequire(join(root, "package.json"))("yaml");
const read = (p) => readFileSync(join(root, p), "utf8");

let failures = 0;
function check(name, fn) {
  let problem;
  try {
    problem = fn();
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  if (problem) {
    failures++;
    console.log(`FAIL - ${name}: ${problem}`);
  } else {
    console.log(`ok   - ${name}`);
  }
}

const pkg = JSON.parse(read("package.json"));
const meta = parse(read("metadata.yaml"));
const dockerfile = read("Dockerfile");
const argDefault = (name) => dockerfile.match(new RegExp(`^ARG ${name}=(\\S+)`, "m"))?.[1];
const examples = readdirSync(join(root, "examples"))
  .filter((d) => existsSync(join(root, "examples", d, "Kptfile")))
  .sort();

check("metadata.yaml has image, description, tags [mutator, validator], sourceURL, examplePackageURLs, license", () => {
  const missing = ["image", "description", "tags", "sourceURL", "examplePackageURLs", "license"].filter((k) => !meta?.[k]);
  if (missing.length) return `missing ${missing.join(", ")}`;
  if (/:[^/]*$/.test(meta.image)) return `image ${meta.image} must not carry a tag (tags are vX.Y.Z, vX.Y, vX)`;
  if (!["mutator", "validator"].every((t) => meta.tags.includes(t))) return `tags are ${JSON.stringify(meta.tags)}`;
  if (meta.license !== pkg.license) return `license ${meta.license} is not package.json's ${pkg.license}`;
});
check("metadata.yaml lists every example package", () => {
  const want = examples.map((d) => `${meta.sourceURL}/tree/main/examples/${d}`);
  const got = [...meta.examplePackageURLs].sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) return `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
});
check("Dockerfile: VERSION default is package.json's version, SOURCE_URL default is metadata.yaml's sourceURL", () => {
  if (argDefault("VERSION") !== pkg.version) return `ARG VERSION=${argDefault("VERSION")}, package.json ${pkg.version}`;
  if (argDefault("SOURCE_URL") !== meta.sourceURL) return `ARG SOURCE_URL=${argDefault("SOURCE_URL")}, metadata.yaml ${meta.sourceURL}`;
});
for (const d of examples) {
  check(`examples/${d}: README.md (Overview, Invoking it, Expected result) and README.md in .krmignore`, () => {
    const dir = join("examples", d);
    if (!existsSync(join(root, dir, "README.md"))) return "no README.md";
    const readme = read(join(dir, "README.md"));
    const missing = ["## Overview", "## Invoking it", "## Expected result"].filter((h) => !readme.includes(`\n${h}\n`));
    if (missing.length) return `README.md lacks ${missing.join(", ")}`;
    const images = [...readme.matchAll(/(?:--image |image: )(\S+):v\d/g)].map((m) => m[1]);
    if (images.length === 0) return "README.md shows no container invocation";
    const other = images.filter((i) => i !== meta.image);
    if (other.length) return `README.md names image ${other[0]}, metadata.yaml ${meta.image}`;
    const ignore = existsSync(join(root, dir, ".krmignore")) ? read(join(dir, ".krmignore")).split(/\r?\n/) : [];
    if (!ignore.includes("README.md")) return ".krmignore does not list README.md";
  });
}
process.exit(failures > 0 ? 1 : 0);
