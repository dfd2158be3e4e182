/**
 * `--format github` (results as workflow commands at the line and column of their field) and the
 * composite action in action.yml, whose check step runs here as the runner runs it: its `run`
 * script under `bash -e`, in the working directory, with the inputs in its environment.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { githubCommands, locate, pathSegments } from "../../src/front-doors/github";

const root = resolve(__dirname, "../..");
const bin = join(root, "dist", "sidecar-order.cjs");
let dir: string;

const WEB = `# line 1: the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    vault.hashicorp.com/agent-inject: "true"
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
const CONFIG = 'apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: c\nkubernetesVersion: "1.27"\nsidecars:\n- preset: cloud-sql-proxy\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sidecar-order-github-"));
  mkdirSync(join(dir, "k8s"));
  writeFileSync(join(dir, "k8s", "web.yaml"), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\n${WEB}`);
  writeFileSync(join(dir, "order.yaml"), CONFIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("locating a field in a file", () => {
  it("splits paths into keys and indexes", () => {
    expect(pathSegments("spec.template.spec.containers[1].lifecycle")).toEqual(["spec", "template", "spec", "containers", 1, "lifecycle"]);
    expect(pathSegments('metadata.annotations["a.b/c"]')).toEqual(["metadata", "annotations", "a.b/c"]);
  });

  it("finds the key of the field, in the right document, 1-based", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\n---\n${WEB}`;
    expect(locate(text, 1, "spec.template.spec.containers[1]")).toEqual({ line: 17, col: 11 });
    expect(locate(text, 1, "spec.template.spec.containers[1].image")).toEqual({ line: 18, col: 11 });
    expect(locate(text, 1, "spec.template.spec.containers")).toEqual({ line: 14, col: 7 });
    // An annotation key with dots, as results spell it.
    expect(locate(text, 1, "metadata.annotations.vault.hashicorp.com/agent-inject")).toEqual({ line: 10, col: 5 });
    // A field that is not there yet points at the nearest part that is.
    expect(locate(text, 1, "spec.template.spec.initContainers[0].restartPolicy")).toEqual({ line: 13, col: 5 });
    // No field: the document's first line.
    expect(locate(text, 1, undefined)).toEqual({ line: 5, col: 1 });
  });

  it("escapes what the runner would read as syntax", () => {
    const out = githubCommands([{ message: "50% done\nnext: a, b", severity: "warning", file: { path: "a,b:c.yaml", index: 0 } }], new Map());
    expect(out).toBe("::warning file=a%2Cb%3Ac.yaml,title=sidecar-order::50%25 done%0Anext: a, b\n");
  });
});

describe("sidecar-order --check --format github", () => {
  it("prints one workflow command per result on stdout, at its field, and exits 1", () => {
    const r = spawnSync(process.execPath, [bin, "--check", "--format", "github", "--config", "order.yaml", "k8s"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^::(error|warning|notice) (file=k8s\/web\.yaml,line=\d+,col=\d+,)?title=sidecar-order::\S/);
    // The move of cloud-sql-proxy to the front: at the containers key (line 16 of the file).
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=k8s\/web\.yaml,line=16,col=7,title=sidecar-order::.*\(Deployment web, spec\.template\.spec\.containers\)$/));
    // Its postStart hook: at the sidecar (line 19), where the hook would go.
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=k8s\/web\.yaml,line=19,col=11,title=.*postStart/));
  });

  it("names files from the repository root (GITHUB_WORKSPACE) when run in a directory below it (the action's working-directory)", () => {
    const env = { ...process.env, GITHUB_WORKSPACE: dir };
    const r = spawnSync(process.execPath, [bin, "--check", "--format", "github", "--config", "../order.yaml", "."], { cwd: join(dir, "k8s"), env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^::error file=k8s\/web\.yaml,line=16,col=7,/m);
    expect(r.stdout).not.toMatch(/file=web\.yaml/);
    // Outside the workspace, a path stays as given.
    const outside = spawnSync(process.execPath, [bin, "--check", "--format", "github", "--config", "../order.yaml", "."], { cwd: join(dir, "k8s"), env: { ...process.env, GITHUB_WORKSPACE: join(dir, "elsewhere") }, encoding: "utf8" });
    expect(outside.stdout).toMatch(/^::error file=web\.yaml,line=16,/m);
  });

  it("is refused where the stream would go to stdout too", () => {
    const r = spawnSync(process.execPath, [bin, "--format", "github", "k8s"], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("sidecar-order: --format github prints GitHub workflow commands on stdout, where the stream would go: add --check (or --in-place); see --help\n");
  });
});

interface Step {
  name: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

describe("action.yml", () => {
  const action = parse(readFileSync(join(root, "action.yml"), "utf8")) as Action;

  /** `${{ inputs.x }}` and `${{ github.action_path }}` as the runner expands them. */
  const expand = (text: string, inputs: Record<string, string>) =>
    text.replace(/\$\{\{\s*(inputs\.([\w-]+)|github\.action_path)\s*\}\}/g, (_, all: string, name?: string) => (name ? (inputs[name] ?? action.inputs[name]?.default ?? "") : root));

  function runStep(step: Step, inputs: Record<string, string>, cwd: string) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v, inputs);
    // GitHub's bash shell: bash --noprofile --norc -eo pipefail {0}
    return spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd: resolve(cwd, expand(step["working-directory"] ?? ".", inputs)), env, encoding: "utf8" });
  }

  it("is a composite action that builds sidecar-order, then checks", () => {
    expect(action.runs.using).toBe("composite");
    expect(action.runs.steps.map((s) => s.shell)).toEqual(["bash", "bash"]);
    // The build step is what `npm ci && npm run build` does for the executable; the suite has
    // already built it, and running npm ci here would replace the node_modules the tests use.
    expect(action.runs.steps[0]!.run).toBe("npm ci --no-audit --no-fund && node scripts/build.mjs");
    expect(action.runs.steps[0]!["working-directory"]).toBe("${{ github.action_path }}");
  });

  it("annotates each needed change in the given paths, with the given config, and fails the job", () => {
    const r = runStep(action.runs.steps[1]!, { paths: "k8s\n", config: "order.yaml" }, dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error file=k8s\/web\.yaml,line=16,col=7,title=sidecar-order::/m);
  });

  it("checks the working directory when paths is empty (not stdin, which is empty on a runner)", () => {
    const r = runStep(action.runs.steps[1]!, { paths: " ", config: "order.yaml" }, dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error file=k8s\/web\.yaml,line=16,col=7,/m);
  });

  it("passes ordered manifests and reads .sidecar-order.yaml by default", () => {
    const ok = join(dir, "ok");
    mkdirSync(ok);
    writeFileSync(join(ok, ".sidecar-order.yaml"), CONFIG);
    writeFileSync(join(ok, "web.yaml"), WEB.replace(/( {8}- name: web\n {10}image: web:1\n)( {8}- name: cloud-sql-proxy[\s\S]*)$/, "$2$1"));
    const fixed = spawnSync(process.execPath, [bin, "--in-place", "web.yaml"], { cwd: ok, encoding: "utf8" });
    expect(fixed.status, fixed.stderr).toBe(0);
    const r = runStep(action.runs.steps[1]!, { "working-directory": ok }, dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/^::error/m);
  });
});
