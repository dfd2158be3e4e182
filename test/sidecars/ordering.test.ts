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

  it("native: the mesh proxy, then the app proxy; vault-agent-init moves after the mesh proxy", () => {
    const out = runChecked(resourceList([POD], cfg("native")));
    const item = parse(out.bodies[1]!) as Out;
    expect(item.spec.initContainers.map((c) => c.name)).toEqual(["istio-init", "istio-proxy", "app-proxy", "vault-agent-init"]);
    expect(item.spec.containers.map((c) => c.name)).toEqual(["app"]);
    const info = messages(out.results, "info");
    expect(info).toHaveLength(1);
    expect(info[0]).toMatch(/moved sidecars "istio-proxy", "app-proxy" to spec.initContainers.*in this order.*in reverse order/);
    expect(info[0]).toMatch(/moved init container "vault-agent-init" after sidecars "istio-proxy", "app-proxy": it needs them/);
  });

  it("legacy: the same start order at the front of spec.containers", () => {
    const out = runChecked(resourceList([POD], cfg("legacy")));
    const item = parse(out.bodies[1]!) as Out;
    expect(item.spec.containers.map((c) => c.name)).toEqual(["istio-proxy", "app-proxy", "app"]);
    expect(item.spec.initContainers.map((c) => c.name)).toEqual(["vault-agent-init", "istio-init"]);
  });
});
