/**
 * The pre-commit hooks (.pre-commit-hooks.yaml) with the real pre-commit from PyPI (installed by
 * test/tools/build.sh): `pre-commit try-repo` against this repository, on a fresh git repository
 * with an unordered workload and a .sidecar-order.yaml at its root. pre-commit installs the hook
 * as a node package (npm install, npm pack with the build as prepack, npm install -g), once per
 * test run (its home is a temp directory).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requireTool } from "../support/clients";

const root = resolve(__dirname, "../..");
const preCommit = requireTool("pre-commit");
let work: string;
let repo: string;

const UNORDERED = `# the shop's web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: web:1
      - name: cloud-sql-proxy
        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
        args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"]
`;
const WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - run: echo ok\n";

function git(...args: string[]) {
  const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

function tryRepo(hook: string) {
  return spawnSync(preCommit!, ["try-repo", root, hook, "--all-files"], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, PRE_COMMIT_HOME: join(work, "pre-commit-home"), PRE_COMMIT_COLOR: "never" },
  });
}

const containers = () => (parse(readFileSync(join(repo, "k8s", "web.yaml"), "utf8")) as { spec: { template: { spec: { containers: { name: string }[] } } } }).spec.template.spec.containers.map((c) => c.name);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "sidecar-order-pre-commit-"));
  repo = join(work, "repo");
  mkdirSync(join(repo, "k8s"), { recursive: true });
  mkdirSync(join(repo, ".github", "workflows"), { recursive: true });
  writeFileSync(join(repo, "k8s", "web.yaml"), UNORDERED);
  // Not a Kubernetes object: passed to the hook (it is YAML) and left alone.
  writeFileSync(join(repo, ".github", "workflows", "ci.yaml"), WORKFLOW);
  // Kubernetes 1.27: legacy ordering, so the hook's result shows this config was read.
  writeFileSync(join(repo, ".sidecar-order.yaml"), 'apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: shop\nkubernetesVersion: "1.27"\nsidecars:\n- preset: cloud-sql-proxy\n');
  spawnSync("git", ["init", "-q"], { cwd: repo });
  git("add", ".");
  git("commit", "-qm", "unordered");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(preCommit)("pre-commit try-repo", () => {
  it("sidecar-order-check fails, names the workload and the sidecar, and changes nothing", () => {
    const r = tryRepo("sidecar-order-check");
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/sidecar-order \(check sidecar order\)\.+Failed/);
    expect(r.stdout).toMatch(/\[error\] .*"cloud-sql-proxy".*\(Deployment web, spec\.template\.spec\.containers.*, k8s\/web\.yaml\)/);
    expect(readFileSync(join(repo, "k8s", "web.yaml"), "utf8")).toBe(UNORDERED);
  });

  it("sidecar-order fixes the file in place with the root's .sidecar-order.yaml, then passes", () => {
    const r = tryRepo("sidecar-order");
    // pre-commit fails a hook that modified files, so the author looks at the change.
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain("files were modified by this hook");
    expect(containers()).toEqual(["cloud-sql-proxy", "web"]);
    expect(readFileSync(join(repo, "k8s", "web.yaml"), "utf8").startsWith("# the shop's web tier\n")).toBe(true);
    expect(readFileSync(join(repo, ".github", "workflows", "ci.yaml"), "utf8")).toBe(WORKFLOW);
    git("add", ".");
    git("commit", "-qm", "ordered");
    const again = tryRepo("sidecar-order-check");
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/sidecar-order \(check sidecar order\)\.+Passed/);
  });
});
