/** Several sidecars: configured order, `after` dependencies, cycles, Vault after a mesh proxy. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/load";
import { resolveRules } from "../../src/sidecars/rules";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const rulesOf = (sidecars: unknown[]) => {
  const loaded = loadConfig({ apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "c" }, sidecars });
  if (!loaded.config) throw new Error(JSON.stringify(loaded.results));
  return resolveRules(loaded.config);
};

describe("resolveRules", () => {
  it("keeps the configured order when nothing depends on anything", () => {
    expect(rulesOf([{ name: "b" }, { name: "a" }, { preset: "istio" }]).rules.map((r) => r.key)).toEqual(["b", "a", "istio"]);
  });

  it("orders by `after`, stable for ties", () => {
    const { rules, problems } = rulesOf([{ name: "app-proxy", after: ["istio"] }, { name: "logs" }, { preset: "istio" }, { name: "metrics", after: ["app-proxy"] }]);
    expect(problems).toEqual([]);
    expect(rules.map((r) => r.key)).toEqual(["logs", "istio", "app-proxy", "metrics"]);
  });

  it("reports a cycle and an unknown name as config errors", () => {
    expect(rulesOf([{ name: "a", after: ["b"] }, { name: "b", after: ["a"] }]).problems).toEqual([
      { path: "sidecars[0].after", message: 'the sidecars\' `after` lists form a cycle among "a", "b"; remove one of the dependencies' },
    ]);
    expect(rulesOf([{ name: "a", after: ["ghost"] }]).problems[0]!.message).toMatch(/names "ghost", which is not the name or preset of another sidecars entry \(known: a\)/);
  });

  it.each([
    [[{ preset: "istio" }, { preset: "istio", timeoutSeconds: 300 }], "sidecars[1] (preset istio) matches no container that sidecars[0] (preset istio) does not match first"],
    [[{ name: "proxy" }, { name: "proxy", image: "envoy*" }], 'sidecars[1] (name "proxy", image "envoy*") matches no container that sidecars[0] (name "proxy") does not match first'],
    [[{ preset: "linkerd" }, { name: "linkerd-proxy", timeoutSeconds: 30 }], 'sidecars[1] (name "linkerd-proxy") matches no container that sidecars[0] (preset linkerd) does not match first'],
    [[{ image: "*/envoy:*" }, { image: "*/envoy:*" }], 'sidecars[1] (image "*/envoy:*") matches no container'],
  ])("refuses a sidecar listed twice (the first would win without a word): %j", (sidecars, message) => {
    const { problems } = rulesOf(sidecars);
    expect(problems).toEqual([{ path: "sidecars[1]", message: expect.stringContaining(message) }]);
    expect(problems[0]!.message).toMatch(/so it would never apply; merge the two entries into one$/);
  });

  it("allows entries that only overlap: a specific one first, a broader one after", () => {
    expect(rulesOf([{ name: "proxy", image: "envoy*" }, { name: "proxy" }]).problems).toEqual([]);
    expect(rulesOf([{ image: "*/envoy:*" }, { name: "proxy" }]).problems).toEqual([]);
  });

  it("uses every preset, mesh proxies first, when no sidecars are configured", () => {
    const loaded = loadConfig(undefined);
    const r = resolveRules(loaded.config!);
    expect(r.allPresets).toBe(true);
    expect(r.rules.map((x) => x.key)).toEqual(["istio", "linkerd", "kuma", "consul", "cloud-sql-proxy", "dapr", "opentelemetry", "vault"]);
  });
});

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  initContainers:
  - name: vault-agent-init
    image: hashicorp/vault:1.18.1
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
  containers:
  - name: app
    image: app
  - name: app-proxy
    image: envoy
    startupProbe: {httpGet: {path: /ready, port: 9901}}
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
`;

type Out = { spec: { initContainers: { name: string }[]; containers: { name: string }[] } };

describe("several sidecars end to end", () => {
  const cfg = (strategy: string) =>
    typedConfig(`strategy: ${strategy}\nsidecars:\n- name: app-proxy\n  after: [istio]\n  wait: {exec: [/wait]}\n  stopAfterApp: false\n- preset: istio\n  stopAfterApp: false\n`);

  it("native: the mesh's network setup first, then the mesh proxy, then the app proxy; vault-agent-init after them", () => {
    const out = runChecked(resourceList([POD], cfg("native")));
    const item = parse(out.bodies[1]!) as Out;
    expect(item.spec.initContainers.map((c) => c.name)).toEqual(["istio-init", "istio-proxy", "app-proxy", "vault-agent-init"]);
    expect(item.spec.containers.map((c) => c.name)).toEqual(["app"]);
    const info = messages(out.results, "info");
    expect(info).toHaveLength(1);
    expect(info[0]).toMatch(/moved sidecars "istio-proxy", "app-proxy" to spec.initContainers.*in this order.*in reverse order/);
    expect(info[0]).toMatch(/moved network-setup init container "istio-init" ahead of "vault-agent-init", followed by "istio-proxy", so the init containers after it run inside the mesh/);
  });

  it("legacy: the same start order at the front of spec.containers", () => {
    const out = runChecked(resourceList([POD], cfg("legacy")));
    const item = parse(out.bodies[1]!) as Out;
    expect(item.spec.containers.map((c) => c.name)).toEqual(["istio-proxy", "app-proxy", "app"]);
    expect(item.spec.initContainers.map((c) => c.name)).toEqual(["vault-agent-init", "istio-init"]);
  });
});

describe("a mesh proxy the config's sidecars leave out", () => {
  const pod = (proxyList: "containers" | "initContainers") => `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
${proxyList === "initContainers" ? "  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n    restartPolicy: Always\n" : ""}  containers:
  - name: web
    image: web
${proxyList === "containers" ? "  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n" : ""}  - name: cloud-sql-proxy
    image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
    args: ["--health-check", "--http-address=0.0.0.0"]
`;
  it.each([
    ["legacy", "containers", "spec.containers[1]"],
    ["native", "containers", "spec.containers[1]"],
    ["native", "initContainers", "spec.initContainers[1]"],
  ])("%s, proxy in %s: the sidecar is ordered as asked, and a warning says it now starts before the proxy", (strategy, list, path) => {
    const out = runChecked(resourceList([pod(list as "containers")], typedConfig(`strategy: ${strategy}\nsidecars: [{preset: cloud-sql-proxy}]\n`)));
    const warnings = out.results.filter((r) => r.severity === "warning");
    expect(warnings.map((w) => w.message)).toEqual([
      'container "istio-proxy" looks like the Istio proxy (the istio preset), which the config\'s sidecars do not list, so it is left where it is and "cloud-sql-proxy" starts before it; the mesh sends the pod\'s traffic through its proxy, so their connections fail until it runs, and a wait or startupProbe that needs the network may never pass; add {preset: istio} to sidecars, and sidecar-order starts it first',
    ]);
    expect(warnings[0]!.field?.path).toBe(path);
  });

  it("no warning when the mesh is listed, or when no sidecar of the config is in the pod", () => {
    const listed = runChecked(resourceList([pod("containers")], typedConfig("strategy: native\nsidecars: [{preset: cloud-sql-proxy}, {preset: istio}]\n")));
    expect(messages(listed.results, "warning")).toEqual([]);
    expect((parse(listed.bodies[1]!) as Out).spec.initContainers.map((c) => c.name)).toEqual(["istio-init", "istio-proxy", "cloud-sql-proxy"]);
    const none = runChecked(resourceList([pod("containers")], typedConfig("strategy: native\nsidecars: [{preset: dapr}]\n")));
    expect(none.results.filter((r) => r.message.includes("looks like"))).toEqual([]);
  });
});

describe("after and sidecars that are native already", () => {
  it("legacy: a native sidecar cannot start after one in spec.containers, and says so", () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: shipper
    image: shipper
    restartPolicy: Always
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
`;
    const out = runChecked(resourceList([pod], typedConfig('kubernetesVersion: "1.31"\nstrategy: legacy\nsidecars:\n- name: proxy\n  wait: {exec: [/wait, --timeout=60s]}\n- name: shipper\n  after: [proxy]\n')));
    expect(messages(out.results, "warning")).toEqual([
      'sidecar "shipper" starts before "proxy", although sidecars[1].after names "proxy"; a native sidecar starts before every container of spec.containers; make "proxy" a native sidecar too (strategy native, Kubernetes 1.29 or later)',
    ]);
  });

  it("native: a mesh proxy that must follow a native sidecar comes up with it, ahead of the other init containers", () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
  - name: migrate
    image: app
  - name: spire-agent
    image: spire
    restartPolicy: Always
    startupProbe: {exec: {command: [/ready]}}
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
`;
    const out = runChecked(resourceList([pod], typedConfig("strategy: native\nsidecars:\n- name: spire-agent\n- preset: istio\n  after: [spire-agent]\n")));
    expect((parse(out.bodies[1]!) as Out).spec.initContainers.map((c) => c.name)).toEqual(["istio-init", "spire-agent", "istio-proxy", "migrate"]);
    expect(messages(out.results, "info")[0]).toMatch(/moved native sidecar "spire-agent" ahead of "migrate": "istio-proxy" must start after it \(after\)/);
    expect(messages(out.results, "warning")).toEqual([]);
  });
});
