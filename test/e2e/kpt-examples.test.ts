/**
 * Every package under examples/ with a .expected/ folder, run by the real kpt the way the
 * krm-functions-catalog runs its examples: the package is committed to a fresh git repository,
 * kpt runs the function, and `git diff` must equal .expected/diff.patch, the results
 * .expected/results.yaml, the exit code .expected/config.yaml's exitCode. Then the function runs
 * again on its own output and must change nothing.
 *
 * UPDATE_EXPECTED=1 rewrites diff.patch and results.yaml (read them before committing).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { requireClient } from "../support/clients";

const root = resolve(__dirname, "../..");
const examplesDir = join(root, "examples");
const binDir = join(root, "dist", "bin");
const update = process.env["UPDATE_EXPECTED"] === "1";

interface ExpectedConfig {
  testType: "eval" | "render";
  exitCode?: number;
  /** key=value pairs for `kpt fn eval ... -- k=v`. */
  args?: Record<string, string>;
  /** A config file in the package for `kpt fn eval --fn-config`. */
  fnConfig?: string;
  /** Set when the second run is expected to differ (it never is for this function). */
  skipIdempotency?: boolean;
}

const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir).filter((d) => existsSync(join(examplesDir, d, ".expected", "config.yaml")))
  : [];

function sh(cmd: string, args: string[], cwd: string) {
  const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env["PATH"]}` };
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
}

function git(cwd: string, ...args: string[]): string {
  const r = sh("git", ["-c", "user.email=e2e@sidecar-order.dev", "-c", "user.name=e2e", "-c", "core.autocrlf=false", ...args], cwd);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function runKpt(cfg: ExpectedConfig, work: string, resultsDir: string) {
  const args =
    cfg.testType === "render"
      ? ["fn", "render", "pkg", "--allow-exec", "--results-dir", resultsDir, "--truncate-output=false"]
      : [
          "fn", "eval", "pkg", "--exec", "sidecar-order", "--results-dir", resultsDir, "--truncate-output=false",
          ...(cfg.fnConfig ? ["--fn-config", join("pkg", cfg.fnConfig)] : []),
          ...(cfg.args ? ["--", ...Object.entries(cfg.args).map(([k, v]) => `${k}=${v}`)] : []),
        ];
  return sh("kpt", args, work);
}

/** kpt's results file, without what differs from machine to machine. */
function readResults(resultsDir: string): string {
  const file = join(resultsDir, "results.yaml");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

describe.runIf(examples.length > 0 && requireClient("kpt") && requireClient("git"))("examples under the real kpt", () => {
  it.each(examples)("%s", (name) => {
    expect(existsSync(join(binDir, "sidecar-order")), "run `npm run build` first").toBe(true);
    const src = join(examplesDir, name);
    const expectedDir = join(src, ".expected");
    const cfg = parse(readFileSync(join(expectedDir, "config.yaml"), "utf8")) as ExpectedConfig;
    const work = mkdtempSync(join(tmpdir(), `sidecar-order-e2e-${name}-`));
    try {
      const pkg = join(work, "pkg");
      cpSync(src, pkg, { recursive: true });
      rmSync(join(pkg, ".expected"), { recursive: true });
      git(work, "init", "-q");
      git(work, "add", "-A");
      git(work, "commit", "-q", "-m", "package");

      const first = runKpt(cfg, work, join(work, "results1"));
      const diff = git(work, "diff");
      const results = readResults(join(work, "results1"));
      if (update) {
        writeFileSync(join(expectedDir, "diff.patch"), diff);
        writeFileSync(join(expectedDir, "results.yaml"), results);
      }
      expect(first.status, `kpt exited ${first.status}\n${first.stderr}`).toBe(cfg.exitCode ?? 0);
      expect(diff).toBe(readFileSync(join(expectedDir, "diff.patch"), "utf8"));
      expect(results).toBe(readFileSync(join(expectedDir, "results.yaml"), "utf8"));

      if (first.status === 0 && !cfg.skipIdempotency) {
        git(work, "add", "-A");
        git(work, "commit", "-q", "--allow-empty", "-m", "first run");
        const second = runKpt(cfg, work, join(work, "results2"));
        expect(second.status, second.stderr).toBe(0);
        expect(git(work, "status", "--porcelain", "pkg"), "a second run on the function's own output must change nothing").toBe("");
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
