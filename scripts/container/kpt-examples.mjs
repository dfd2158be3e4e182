// Every example package under examples/ with a .expected/ folder, run by the real kpt with the
// function's container image instead of the executable, the same way test/e2e/kpt-examples.test.ts
// runs them with `--exec`: a copy of the package is committed to a fresh git repository, kpt runs
// the image, and `git diff` must equal .expected/diff.patch, the results .expected/results.yaml
// (with the image in place of `exec: sidecar-order`), the exit code .expected/config.yaml's exitCode.
//
//   eval examples:   kpt fn eval pkg --image IMAGE --image-pull-policy never [--fn-config F] [-- k=v ...]
//   render examples: the Kptfile's `exec: sidecar-order` becomes `image: IMAGE`, then
//                    kpt fn render pkg --image-pull-policy never
//
// usage: node scripts/container/kpt-examples.mjs IMAGE WORKDIR
// Prints one `ok - ...` or `FAIL - ...` line per example; exits 1 when any failed.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = fileURLToPath(new URL("../..", import.meta.url));
const [image, workRoot] = process.argv.slice(2);
if (!image || !workRoot) {
  console.error("usage: kpt-examples.mjs IMAGE WORKDIR");
  process.exit(2);
}
let parse;
try {
  ({ parse } = createRequire(join(root, "package.json"))("yaml"));
} catch {
  console.error("kpt-examples: the yaml package is missing: run `npm ci` first");
  process.exit(2);
}

const examplesDir = join(root, "examples");
const examples = readdirSync(examplesDir)
  .filter((d) => existsSync(join(examplesDir, d, ".expected", "config.yaml")))
  .sort();

function run(cmd, args, cwd) {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 120_000 });
}
function git(cwd, ...args) {
  const r = run("git", ["-c", "user.email=container@sidecar-order.dev", "-c", "user.name=container", "-c", "core.autocrlf=false", ...args], cwd);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

let failures = 0;
for (const name of examples) {
  const src = join(examplesDir, name);
  const cfg = parse(readFileSync(join(src, ".expected", "config.yaml"), "utf8"));
  const work = join(workRoot, name);
  const problems = [];
  try {
    mkdirSync(work, { recursive: true });
    const pkg = join(work, "pkg");
    cpSync(src, pkg, { recursive: true });
    rmSync(join(pkg, ".expected"), { recursive: true });
    const resultsDir = join(work, "results");
    const kptFlags = ["--results-dir", resultsDir, "--truncate-output=false"];
    let args;
    if (cfg.testType === "render") {
      const kptfile = join(pkg, "Kptfile");
      const text = readFileSync(kptfile, "utf8");
      if (!/\bexec: sidecar-order\b/.test(text)) throw new Error("its Kptfile has no `exec: sidecar-order` to replace");
      writeFileSync(kptfile, text.replace(/\bexec: sidecar-order\b/g, `image: ${image}`));
      args = ["fn", "render", "pkg", "--image-pull-policy", "never", ...kptFlags];
    } else {
      args = [
        "fn", "eval", "pkg", "--image", image, "--image-pull-policy", "never", ...kptFlags,
        ...(cfg.fnConfig ? ["--fn-config", join("pkg", cfg.fnConfig)] : []),
        ...(cfg.args ? ["--", ...Object.entries(cfg.args).map(([k, v]) => `${k}=${v}`)] : []),
      ];
    }
    git(work, "init", "-q");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "package");

    const r = run("kpt", args, work);
    const expectedExit = cfg.exitCode ?? 0;
    if (r.status !== expectedExit) problems.push(`kpt exited ${r.status} (expected ${expectedExit}): ${r.error ?? ""}${r.stderr}`);
    const diff = git(work, "diff", "--", "pkg");
    const expectedDiff = readFileSync(join(src, ".expected", "diff.patch"), "utf8");
    if (diff !== expectedDiff) {
      writeFileSync(join(work, "got.patch"), diff);
      problems.push(`git diff differs from .expected/diff.patch (got ${join(work, "got.patch")})`);
    }
    const resultsFile = join(resultsDir, "results.yaml");
    const results = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "";
    const imageLine = new RegExp(`^(\\s*- )image: ${image.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "gm");
    const asExec = results.replace(imageLine, "$1exec: sidecar-order");
    const expectedResults = readFileSync(join(src, ".expected", "results.yaml"), "utf8");
    if (asExec !== expectedResults && !sameApartFromStderrNewline(asExec, expectedResults)) {
      writeFileSync(join(work, "got-results.yaml"), asExec);
      // The first lines that differ, so a CI log says what changed.
      const got = asExec.split("\n");
      const want = expectedResults.split("\n");
      const at = got.findIndex((line, i) => line !== want[i]);
      const first = at === -1 ? Math.min(got.length, want.length) : at;
      problems.push(
        `results differ from .expected/results.yaml at line ${first + 1} (got ${join(work, "got-results.yaml")}):\n` +
          `         want: ${JSON.stringify(want.slice(first, first + 3))}\n         got:  ${JSON.stringify(got.slice(first, first + 3))}`,
      );
    }
  } catch (e) {
    problems.push(String(e instanceof Error ? e.message : e));
  }
  const how = cfg.testType === "render" ? "kpt fn render, Kptfile image:" : `kpt fn eval --image${cfg.fnConfig ? " --fn-config" : ""}${cfg.args ? " -- k=v" : ""}`;
  if (problems.length === 0) {
    console.log(`ok   - ${name}: ${how} gives .expected/ (exit ${cfg.exitCode ?? 0})`);
  } else {
    failures++;
    console.log(`FAIL - ${name}: ${how}\n       ${problems.join("\n       ")}`);
  }
}
if (examples.length === 0) {
  console.log("FAIL - no example package with .expected/config.yaml under examples/");
  failures++;
}
process.exit(failures > 0 ? 1 : 0);

/**
 * kpt keeps a container function's stderr without its last newline (an exec function's with it),
 * so the same message prints as `stderr: |-` instead of `stderr: |`: equal apart from that.
 */
function sameApartFromStderrNewline(got, want) {
  const norm = (text) => {
    const list = parse(text);
    for (const item of list?.items ?? []) if (typeof item.stderr === "string") item.stderr = item.stderr.replace(/\n$/, "");
    return JSON.stringify(list);
  };
  return norm(got) === norm(want);
}
