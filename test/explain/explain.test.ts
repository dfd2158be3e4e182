/** --explain and explain: true: whole documents in, the predicted timeline out. */
import { describe, expect, it } from "vitest";
import { runExplain } from "../../src/explain/index";
import { EXPLAIN_TAG } from "../../src/explain/item";
import { runResourceList } from "../../src/run";
import { cli } from "../../src/cli";
import { parse } from "yaml";

const config = (fields: string) => `apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata: {name: o}\n${fields}`;

/** What `sidecar-order --explain [--check] -` prints for `manifests`, with a config of `fields` (parsed, as --config hands it over). */
function explain(manifests: string, fields = 'kubernetesVersion: "1.31"\n', check = false) {
  return runExplain(["-"], { functionConfig: parse(config(fields)), check, readStdin: () => Buffer.from(manifests) });
}

/** A manifest as a ResourceList item. */
const item = (doc: string) => `${doc.trimEnd().replace(/^/gm, "    ").replace(/^ {4}/, "  - ")}\n`;

const deployment = (name: string, spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
${spec.replace(/^/gm, "      ")}
`;

const app = `- name: app
  image: example/app:1`;
const istio = `- name: istio-proxy
  image: docker.io/istio/proxyv2:1.26.0`;
const sqlProxy = `- name: cloud-sql-proxy
  image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
  args: ["--health-check", "--http-address=0.0.0.0"]`;

describe("--explain: the predicted timeline of each workload, as sidecar-order leaves it", () => {
  it.each([
    ["legacy: hook-held, fails open, a preStop sleep keeps the proxy up", deployment("web", `containers:\n${app}\n${istio}`), 'strategy: legacy\nkubernetesVersion: "1.30"\n'],
    ["native: startupProbe-gated, fails closed, stopped after the app", deployment("api", `containers:\n${app}\n${istio}`), 'kubernetesVersion: "1.31"\n'],
    [
      "a Job: native sidecar stopped when the app exits, so the pod completes",
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: report\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n${`${app}\n${sqlProxy}`.replace(/^/gm, "      ")}\n`,
      'kubernetesVersion: "1.31"\n',
    ],
    [
      "a legacy Job (allowed): the sidecar keeps the pod from completing",
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: report\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n${`${app}\n${sqlProxy}`.replace(/^/gm, "      ")}\n`,
      'strategy: legacy\nallowLegacyJobs: true\nkubernetesVersion: "1.28"\n',
    ],
    [
      "several sidecars with after, and an init container after a sidecar",
      deployment("pay", `terminationGracePeriodSeconds: 20\ninitContainers:\n- name: wait-db\n  image: busybox\ncontainers:\n${app}\n- name: vault-agent\n  image: hashicorp/vault:1.17\n- name: otel\n  image: otel/opentelemetry-collector:0.100.0`),
      'kubernetesVersion: "1.31"\nsidecars:\n- name: otel\n  startupProbe: {httpGet: {path: /, port: 13133}, periodSeconds: 2, failureThreshold: 15}\n- name: vault-agent\n  after: [otel]\n  initContainersAfter: [wait-db]\n',
    ],
    [
      "shutdown over budget: a long drain in a short grace period is killed",
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: slow\nspec:\n  template:\n    metadata:\n      annotations:\n        proxy.istio.io/config: '{"terminationDrainDuration": "20s"}'\n    spec:\n      terminationGracePeriodSeconds: 30\n      containers:\n${`${app}\n  lifecycle:\n    preStop:\n      sleep: {seconds: 5}\n${istio}`.replace(/^/gm, "      ")}\n`,
      'kubernetesVersion: "1.31"\n',
    ],
  ])("%s", (_, manifests, fields) => {
    const out = explain(manifests, fields);
    expect(out.stdout).toMatchSnapshot();
  });

  it("a legacy sidecar fails open when its wait gives up, whatever its startupProbe says", () => {
    // No probe runs while the postStart wait does: the wait's 120 s decide, then the app starts.
    const probed = deployment("probed", `containers:\n${app}\n${istio}\n  startupProbe:\n    httpGet: {path: /healthz/ready, port: 15021}\n    periodSeconds: 1\n    failureThreshold: 30`);
    const legacy = explain(probed, 'kubernetesVersion: "1.27"\nsidecars:\n- preset: istio\n');
    expect(legacy.stdout).toMatch(/istio-proxy: its postStart wait gives up after 120 s and the kubelet kills it \(FailedPostStartHook\); fails open: app starts anyway, without it\./);
    expect(legacy.stdout).not.toMatch(/fails closed/);
    // A wait run under `timeout 60` gives up at 60 s, as sidecar-order's own advice has it.
    const wrapped = explain(deployment("wrapped", `containers:\n${app}\n- name: proxy\n  image: proxy`), 'strategy: legacy\nsidecars:\n- name: proxy\n  wait:\n    exec: [timeout, "60", sh, -c, "until wget -q -O- localhost:8080/ready; do sleep 1; done"]\n');
    expect(wrapped.stdout).toMatch(/proxy: its postStart wait gives up after 60 s and the kubelet kills it \(FailedPostStartHook\); fails open: app starts anyway, without it\./);
  });

  it("a shutdown that ends past the grace period without a kill is over budget, not a negative spare", () => {
    const late = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: late\nspec:\n  template:\n    metadata:\n      annotations:\n        proxy.istio.io/config: '{"terminationDrainDuration": "1500ms"}'\n    spec:\n      terminationGracePeriodSeconds: 20\n      containers:\n${`${app}\n${istio}`.replace(/^/gm, "      ")}\n`;
    const out = explain(late, 'kubernetesVersion: "1.31"\nshutdown: {appSeconds: 19}\n');
    // The app stops at 19 s; the proxy then has 1 s left, raised to the kubelet's 2 s: it drains 1.5 s and exits at 20.5 s.
    expect(out.stdout).toContain("Over budget: done after 20.5 s, 0.5 s past the 20 s grace period; it ends in time only because the kubelet gives a container at least 2 s after its SIGTERM.");
    expect(out.stdout).not.toMatch(/-[\d.]+ s to spare/);
  });

  it("with --check, explains the workload as it is now (nothing changed)", () => {
    const out = explain(deployment("api", `containers:\n${app}\n${istio}`), 'kubernetesVersion: "1.31"\n', true);
    expect(out.stdout).toContain("sidecar-order changed nothing here");
    expect(out.stdout).toContain("1. app, app container");
    expect(out.stdout).toContain("2. istio-proxy, legacy sidecar, after app is started");
  });

  it("says a chart template is not YAML yet, as the other plain-manifest doors do", () => {
    expect(() => explain("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")).toThrow(/is a template, not YAML yet/);
  });

  it("explains each pod template of a JobSet, named by its path", () => {
    const pod = (name: string) => `  - name: ${name}\n    template:\n      spec:\n        template:\n          spec:\n            restartPolicy: Never\n            containers:\n${`${app}\n${sqlProxy}`.replace(/^/gm, "            ")}\n`;
    const out = explain(`apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: train\nspec:\n  replicatedJobs:\n${pod("leader")}${pod("workers")}`);
    expect(out.stdout.match(/^JobSet .*$/gm)).toEqual(["JobSet train spec.replicatedJobs[0].template.spec.template", "JobSet train spec.replicatedJobs[1].template.spec.template"]);
    expect(out.stdout.match(/pod completes/g)).toHaveLength(2);
  });

  it("explains a workload without sidecars, and nothing else", () => {
    const out = explain(`${deployment("plain", `containers:\n${app}`)}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
    expect(out.stdout.match(/^Deployment /gm)).toHaveLength(1);
    expect(out.stdout).toContain("No sidecars");
    expect(out.exitCode).toBe(0);
  });
});

describe("explain: true in a ResourceList run", () => {
  it("adds one info result per workload with the same text --explain prints", () => {
    const list = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
${item(deployment("a", `containers:\n${app}\n${istio}`))}${item(deployment("b", `containers:\n${app}`))}functionConfig:
  apiVersion: fn.sidecar-order.dev/v1alpha1
  kind: SidecarOrder
  metadata: {name: o}
  kubernetesVersion: "1.31"
  explain: true
`;
    const out = runResourceList(list);
    const explained = out.results.filter((r) => r.tags?.[EXPLAIN_TAG]);
    expect(explained.map((r) => [r.severity, r.resourceRef?.name, r.field?.path])).toEqual([
      ["info", "a", "spec.template.spec"],
      ["info", "b", "spec.template.spec"],
    ]);
    const cliText = explain(deployment("a", `containers:\n${app}\n${istio}`)).stdout;
    expect(`${explained[0]!.message}\n`).toBe(cliText);
    expect(out.text).toContain("restartPolicy: Always");
  });

  it("adds nothing without it", () => {
    const list = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${item(deployment("a", `containers:\n${app}\n${istio}`))}`;
    expect(runResourceList(list).results.some((r) => r.tags?.[EXPLAIN_TAG])).toBe(false);
  });
});

describe("the --explain flag", () => {
  const io = (stdin: string) => {
    const out = { stdout: "", stderr: "" };
    return { out, io: { readStdin: () => Buffer.from(stdin), out: (t: string) => void (out.stdout += t), err: (t: string) => void (out.stderr += t), invokedAs: "sidecar-order", env: {}, cwd: () => "/nonexistent-dir", stdinIsTTY: () => false } };
  };

  it("reads stdin (-) and prints timelines; with no PATH it is a usage error, as Helm's post-renderer would take the timelines for manifests", () => {
    const { out, io: x } = io(deployment("api", `containers:\n${app}\n${istio}`));
    expect(cli(["--explain", "-"], x)).toBe(0);
    expect(out.stdout).toMatch(/^Deployment api\n/);
    expect(out.stdout).toContain("Start, in order:");
    const { out: bare, io: y } = io(deployment("api", `containers:\n${app}\n${istio}`));
    expect(cli(["--explain"], y)).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toMatch(/^sidecar-order: --explain needs PATH arguments: it prints timelines, not manifests, so as Helm's --post-renderer/);
  });

  it("refuses --in-place and --format", () => {
    const { out, io: x } = io("");
    expect(cli(["--explain", "--in-place", "x.yaml"], x)).toBe(2);
    expect(out.stderr).toContain("--explain prints timelines");
  });
});
