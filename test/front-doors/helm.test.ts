/**
 * Helm's post-renderer front door with real Helm, built from its Go modules (test/tools/build.sh):
 * Helm 3 runs `--post-renderer sidecar-order` (a command), Helm 4 the postrenderer/v1 plugin in
 * plugins/helm/sidecar-order. The chart (fixtures/chart) has a Deployment and a pre-install hook
 * Job, each with cloud-sql-proxy listed after the app.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { requireTool } from "../support/clients";

const root = resolve(__dirname, "../..");
const chart = join(__dirname, "fixtures", "chart");
const binDir = join(root, "dist", "bin"); // dist/bin/sidecar-order, as on a user's PATH
const helm3 = requireTool("helm3");
const helm4 = requireTool("helm4");
let work: string;

interface Doc {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { template: { spec: { containers: { name: string; lifecycle?: unknown }[]; initContainers?: { name: string; restartPolicy?: string }[] } } };
}

function docs(text: string): Doc[] {
  return parseAllDocuments(text).flatMap((d) => (Array.isArray(d) ? [] : [d.toJS() as Doc])).filter((d) => d);
}
const byKind = (text: string, kind: string) => docs(text).find((d) => d.kind === kind)!;

/** Helm with its own home (plugins, cache, config) in the test's directory. */
function helm(bin: string, args: string[], opts: { cwd?: string; path?: boolean } = {}): SpawnSyncReturns<string> {
  const home = join(work, `home-${bin.endsWith("4") ? 4 : 3}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
    // Helm 4.3.1's `plugin install` writes to $HELM_DATA_HOME/plugins whatever HELM_PLUGINS says,
    // while the rest of Helm reads HELM_PLUGINS: keep the two the same.
    HELM_PLUGINS: join(home, "data", "plugins"),
    PATH: opts.path === false ? (process.env["PATH"] ?? "") : `${binDir}${delimiter}${process.env["PATH"] ?? ""}`,
  };
  return spawnSync(bin, args, { cwd: opts.cwd ?? work, env, encoding: "utf8" });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "sidecar-order-helm-"));
  writeFileSync(join(work, "legacy.yaml"), 'apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\nkubernetesVersion: "1.27"\nsidecars:\n- preset: cloud-sql-proxy\n');
  writeFileSync(join(work, "typo.yaml"), "apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\nstratgy: legacy\n");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(helm3)("Helm 3 --post-renderer sidecar-order", () => {
  it("is Helm 3.22 built from its module", () => {
    expect(helm(helm3!, ["version", "--short"]).stdout).toMatch(/^v3\.22\./);
  });

  it("orders the Deployment, keeps Helm's # Source: comments and the chart's, and leaves the hook Job alone (helm#7891)", () => {
    const r = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("---\n# Source: web/templates/deployment.yaml\n");
    expect(r.stdout).toContain("---\n# Source: web/templates/migrate-job.yaml\n");
    expect(r.stdout).toContain("      # the database connector, which the app needs from its first request\n      - name: cloud-sql-proxy\n");
    const deploy = byKind(r.stdout, "Deployment");
    expect(deploy.spec.template.spec.initContainers).toMatchObject([{ name: "cloud-sql-proxy", restartPolicy: "Always" }]);
    expect(deploy.spec.template.spec.containers.map((c) => c.name)).toEqual(["web"]);
    // Helm 3 hands hooks to no post-renderer: the Job comes out as the chart wrote it.
    const job = byKind(r.stdout, "Job");
    expect(job.spec.template.spec.containers.map((c) => c.name)).toEqual(["migrate", "cloud-sql-proxy"]);
    expect(job.spec.template.spec.initContainers).toBeUndefined();
  });

  it("reads --post-renderer-args --config=FILE", () => {
    const r = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order", "--post-renderer-args", `--config=${join(work, "legacy.yaml")}`]);
    expect(r.status, r.stderr).toBe(0);
    const deploy = byKind(r.stdout, "Deployment");
    expect(deploy.spec.template.spec.containers.map((c) => c.name)).toEqual(["cloud-sql-proxy", "web"]);
    expect(deploy.spec.template.spec.containers[0]!.lifecycle).toMatchObject({ postStart: { exec: {} } });
  });

  it("shows the results with --format=comments, as YAML comments after the manifests (Helm 3 shows a post-renderer's stderr only when it fails)", () => {
    const r = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order", "--post-renderer-args", "--format=comments"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n# sidecar-order: \[info\] moved sidecar "cloud-sql-proxy" to spec\.initContainers .*\(Deployment rel-web, spec\.template\.spec\.initContainers\)\n/);
    // The manifests are what they are without it.
    const plain = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order"]);
    expect(r.stdout.replace(/^# sidecar-order: .*\n/gm, "")).toBe(plain.stdout);
    // A failing run still fails the release, with the results where Helm shows them.
    const bad = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order", "--post-renderer-args", "--format=comments", "--post-renderer-args", `--config=${join(work, "typo.yaml")}`]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("unknown field `stratgy`; did you mean `strategy`?");
  });

  it("reads .sidecar-order.yaml in the working directory", () => {
    const dir = join(work, "with-config");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ".sidecar-order.yaml"), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: order\ndata:\n  kubernetesVersion: "1.27"\n');
    const r = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order"], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(byKind(r.stdout, "Deployment").spec.template.spec.containers.map((c) => c.name)).toEqual(["cloud-sql-proxy", "web"]);
  });

  it("fails the release with the error results when the config is wrong", () => {
    const r = helm(helm3!, ["template", "rel", chart, "--post-renderer", "sidecar-order", "--post-renderer-args", `--config=${join(work, "typo.yaml")}`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown field `stratgy`; did you mean `strategy`?");
  });

  it("passes a chart it did not write (helm create) through unchanged", () => {
    expect(helm(helm3!, ["create", "plain"]).status).toBe(0);
    const before = helm(helm3!, ["template", "rel", "plain"]);
    const after = helm(helm3!, ["template", "rel", "plain", "--post-renderer", "sidecar-order"]);
    expect(after.status, after.stderr).toBe(0);
    expect(before.stdout).toContain("kind: Deployment");
    // Helm 3 re-splits the post-rendered stream and prints the hooks (the test pod) after it.
    const strip = (t: string) => t.replace(/^---\n/gm, "").replace(/\n+$/, "");
    expect(strip(after.stdout)).toBe(strip(before.stdout));
  });
});

describe.runIf(helm4)("Helm 4 post-renderer plugin (plugins/helm/sidecar-order)", () => {
  beforeAll(() => {
    const r = helm(helm4!, ["plugin", "install", join(root, "plugins", "helm", "sidecar-order")]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });

  it("is Helm 4.3 built from its module, with the plugin installed", () => {
    expect(helm(helm4!, ["version", "--short"]).stdout).toMatch(/^v4\.3\./);
    expect(helm(helm4!, ["plugin", "list"]).stdout).toMatch(/sidecar-order\s+0\.1\.0\s+postrenderer\/v1/);
  });

  it("orders the Deployment and the hook Job, and Helm puts each back under its template's name", () => {
    // Without sidecar-order on the PATH: the plugin runs the one built in this clone.
    const r = helm(helm4!, ["template", "rel", chart, "--post-renderer", "sidecar-order"], { path: false });
    expect(r.status, r.stderr).toBe(0);
    // Helm 4 names each document's source from the postrenderer.helm.sh/postrender-filename
    // annotation, which sidecar-order kept; a lost one would read generated-by-postrender-N.yaml.
    expect(r.stdout).toContain("# Source: web/templates/deployment.yaml\n");
    expect(r.stdout).toContain("# Source: web/templates/migrate-job.yaml\n");
    expect(r.stdout).not.toContain("generated-by-postrender");
    expect(r.stdout).not.toContain("postrenderer.helm.sh/postrender-filename");
    const deploy = byKind(r.stdout, "Deployment");
    expect(deploy.spec.template.spec.initContainers).toMatchObject([{ name: "cloud-sql-proxy", restartPolicy: "Always" }]);
    const job = byKind(r.stdout, "Job");
    expect(job.spec.template.spec.initContainers).toMatchObject([{ name: "cloud-sql-proxy", restartPolicy: "Always" }]);
    expect(job.spec.template.spec.containers.map((c) => c.name)).toEqual(["migrate"]);
  });

  it("passes --post-renderer-args to sidecar-order", () => {
    // Helm 4 post-renders the hook Job too, which the legacy strategy orders only when allowed to.
    writeFileSync(join(work, "legacy-jobs.yaml"), `${readFileSync(join(work, "legacy.yaml"), "utf8")}allowLegacyJobs: true\n`);
    const r = helm(helm4!, ["template", "rel", chart, "--post-renderer", "sidecar-order", "--post-renderer-args", `--config=${join(work, "legacy-jobs.yaml")}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(byKind(r.stdout, "Deployment").spec.template.spec.containers.map((c) => c.name)).toEqual(["cloud-sql-proxy", "web"]);
    expect(byKind(r.stdout, "Job").spec.template.spec.containers.map((c) => c.name)).toEqual(["cloud-sql-proxy", "migrate"]);
  });

  it("fails the release when the config is wrong (Helm 4.3 does not show the plugin's stderr)", () => {
    const r = helm(helm4!, ["template", "rel", chart, "--post-renderer", "sidecar-order", "--post-renderer-args", `--config=${join(work, "typo.yaml")}`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('plugin "sidecar-order" exited with error');
    // Helm 4.3.1 collects a post-renderer plugin's stderr and drops it (the README says how to see
    // the results). When this fails, Helm shows it: say so in the README.
    expect(r.stderr).not.toContain("stratgy");
  });
});
