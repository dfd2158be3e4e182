/**
 * README code blocks a new user runs, run as written: the Quick start's example (with kpt, and
 * without it) and the `kpt fn render` Kptfile. (The standalone kustomize blocks are run in
 * kustomize.test.ts, the Helm, Argo CD, pre-commit and GitHub ones by their own tests.)
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { hasCommand, requireClient } from "../support/clients";

const root = resolve(__dirname, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
let work: string;

/** The text of the section under `heading`, up to the next heading. */
function section(heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`);
  expect(at, heading).toBeGreaterThan(-1);
  const rest = readme.slice(at + heading.length + 2);
  return rest.slice(0, rest.search(/\n#{2,3} /));
}
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

type Deploy = { kind: string; spec: { template: { spec: { containers: { name: string; lifecycle?: unknown }[] } } } };
/** The Deployment in a manifest stream, or in the ResourceList `kpt fn render -o stdout` prints. */
function deployment(text: string): Deploy {
  const objs = parseAllDocuments(text).flatMap((d) => (Array.isArray(d) ? [] : [d.toJS() as { kind: string; items?: Deploy[] }]));
  return objs.flatMap((o) => (o.kind === "ResourceList" ? (o.items ?? []) : [o as Deploy])).find((o) => o.kind === "Deployment")!;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "sidecar-order-readme-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("Quick start", () => {
  const commands = blocks(section("## Quick start"), "sh")[0]!.split("\n").filter((l) => l.trim() !== "").map((l) => l.replace(/\s+#.*$/, ""));

  it("is two npm scripts that do their own set-up", () => {
    expect(commands).toEqual(["npm run example", "npm run test:all"]);
    expect(pkg.scripts["example"]).toBe("bash scripts/example.sh");
    expect(pkg.scripts["test:all"]).toMatch(/^npm ci\b.*&& npm run tools && npm test$/);
  });

  it.runIf(hasCommand("kpt"))("npm run example renders the example under kpt when kpt is there", () => {
    const r = spawnSync("bash", [join(root, "scripts", "example.sh")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(deployment(r.stdout).spec.template.spec.containers[0]!.name).toBe("cloud-sql-proxy");
  });

  it("npm run example runs the function on the example's files without kpt, and says how to use kpt", () => {
    // A PATH with node and find, and no kpt.
    const bin = join(work, "no-kpt-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, "node"));
    const find = spawnSync("sh", ["-c", "command -v find"], { encoding: "utf8" }).stdout.trim();
    symlinkSync(find, join(bin, "find"));
    const r = spawnSync("/bin/bash", [join(root, "scripts", "example.sh")], { encoding: "utf8", env: { ...process.env, PATH: bin } });
    expect(r.status, r.stderr).toBe(0);
    const d = deployment(r.stdout);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: "cloud-sql-proxy", lifecycle: { postStart: {} } });
    expect(r.stderr).toContain("kpt is not on the PATH, so sidecar-order ran on examples/legacy-cloud-sql-proxy's files directly.");
    expect(r.stderr).toContain("kpt fn render examples/legacy-cloud-sql-proxy --allow-exec -o stdout");
  });
});

describe.runIf(requireClient("kpt"))("the `kpt fn render` Kptfile", () => {
  it("renders as written, with sidecar-order on the PATH", () => {
    const text = section("### `kpt fn render` (mutator or validator)");
    const kptfile = blocks(text, "yaml")[0]!;
    const command = blocks(text, "sh")[0]!.trim();
    expect(kptfile.startsWith("# Kptfile\n")).toBe(true);
    expect(command).toBe("kpt fn render DIR --allow-exec");
    const dir = join(work, "package");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "Kptfile"), kptfile.replace(/^# Kptfile\n/, ""));
    cpSync(join(root, "examples", "legacy-cloud-sql-proxy", "deployment.yaml"), join(dir, "deployment.yaml"));
    cpSync(join(root, "examples", "legacy-cloud-sql-proxy", "sidecar-order.yaml"), join(dir, "sidecar-order.yaml"));
    const [cmd, ...args] = command.replace("DIR", dir).split(" ");
    const r = spawnSync(cmd!, args, { encoding: "utf8", env: { ...process.env, PATH: `${join(root, "dist", "bin")}${delimiter}${process.env["PATH"] ?? ""}` } });
    expect(r.status, r.stderr).toBe(0);
    const out = parse(readFileSync(join(dir, "deployment.yaml"), "utf8")) as Deploy;
    expect(out.spec.template.spec.containers[0]!.name).toBe("cloud-sql-proxy");
  });
});
