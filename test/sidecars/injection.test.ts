/** Webhook-injected meshes: the vendor's own switches, merged, never overriding the user. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const deployment = (annotations: string, labels = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web${labels}
      annotations:
${annotations}
    spec:
      containers:
      - name: web
        image: web
`;

const annotationsOf = (body: string) => (parse(body) as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations;

describe("injected meshes", () => {
  it("istio, native: sets sidecar.istio.io/nativeSidecar", () => {
    const out = runChecked(resourceList([deployment('        sidecar.istio.io/inject: "true"')], typedConfig('kubernetesVersion: "1.31"\n')));
    expect(annotationsOf(out.bodies[1]!)).toEqual({ "sidecar.istio.io/inject": "true", "sidecar.istio.io/nativeSidecar": "true" });
    expect(messages(out.results, "info")[0]).toMatch(/becomes a native sidecar/);
  });

  it("istio, legacy: merges holdApplicationUntilProxyStarts into existing proxy.istio.io/config JSON", () => {
    const out = runChecked(
      resourceList([deployment(`        proxy.istio.io/config: '{"terminationDrainDuration": "20s"}'`, '\n        sidecar.istio.io/inject: "true"')], typedConfig('kubernetesVersion: "1.27"\n')),
    );
    expect(annotationsOf(out.bodies[1]!)["proxy.istio.io/config"]).toBe('{"terminationDrainDuration":"20s","holdApplicationUntilProxyStarts":true}');
  });

  it("istio, legacy: appends to YAML proxy config and keeps its other keys", () => {
    const out = runChecked(
      resourceList([deployment("        sidecar.istio.io/inject: \"true\"\n        proxy.istio.io/config: |\n          concurrency: 2\n")], typedConfig("strategy: legacy\n")),
    );
    expect(annotationsOf(out.bodies[1]!)["proxy.istio.io/config"]).toBe("concurrency: 2\nholdApplicationUntilProxyStarts: true\n");
  });

  it("keeps an explicit user choice and reports it", () => {
    const out = runChecked(
      resourceList([deployment(`        sidecar.istio.io/inject: "true"\n        proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": false}'`)], typedConfig("strategy: legacy\n")),
    );
    expect(out.bodies[1]).toContain(`'{"holdApplicationUntilProxyStarts": false}'`);
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/sets holdApplicationUntilProxyStarts: false, an explicit choice that sidecar-order keeps/)]);
    const native = runChecked(resourceList([deployment('        linkerd.io/inject: enabled\n        config.linkerd.io/proxy-enable-native-sidecar: "false"')], typedConfig("strategy: native\n")));
    expect(messages(native.results, "warning")).toEqual([expect.stringMatching(/proxy-enable-native-sidecar is "false", an explicit choice/)]);
  });

  it.each([
    ["linkerd.io/inject: enabled", "legacy", "config.linkerd.io/proxy-await", "enabled"],
    ["linkerd.io/inject: enabled", "native", "config.linkerd.io/proxy-enable-native-sidecar", "true"],
    ['kuma.io/sidecar-injection: "enabled"', "legacy", "kuma.io/wait-for-dataplane-ready", "true"],
    ['dapr.io/enabled: "true"', "native", "dapr.io/enable-native-sidecar", "true"],
  ])("%s under %s sets %s", (inject, strategy, key, value) => {
    const out = runChecked(resourceList([deployment(`        ${inject}`)], typedConfig(`strategy: ${strategy}\n`)));
    expect(annotationsOf(out.bodies[1]!)[key]).toBe(value);
  });

  it("finds injection by label, or by the config's meshes, and honours an opt-out", () => {
    const byLabel = runChecked(resourceList([deployment("        x: y", '\n        sidecar.istio.io/inject: "true"')], typedConfig("strategy: native\n")));
    expect(annotationsOf(byLabel.bodies[1]!)["sidecar.istio.io/nativeSidecar"]).toBe("true");
    const byConfig = runChecked(resourceList([deployment("        x: y")], typedConfig("strategy: native\nmeshes: [linkerd]\n")));
    expect(annotationsOf(byConfig.bodies[1]!)["config.linkerd.io/proxy-enable-native-sidecar"]).toBe("true");
    const optOut = deployment('        sidecar.istio.io/inject: "false"');
    expect(runChecked(resourceList([optOut], typedConfig("strategy: native\nmeshes: [istio]\n"))).bodies[1]).toBe(optOut);
  });

  it("says what cannot be switched (Dapr has no legacy hold; Kuma no per-pod native switch)", () => {
    const out = runChecked(resourceList([deployment('        dapr.io/enabled: "true"\n        kuma.io/sidecar-injection: enabled')], typedConfig("strategy: legacy\n")));
    expect(messages(out.results, "warning")).toContainEqual(expect.stringMatching(/Dapr sidecar is injected at admission, but Dapr has no switch that holds the app/));
    const native = runChecked(resourceList([deployment("        kuma.io/sidecar-injection: enabled")], typedConfig("strategy: native\n")));
    expect(messages(native.results, "warning")).toEqual([expect.stringMatching(/Kuma has no per-pod switch for native sidecars/)]);
  });

  it("warns about a legacy Job with an injected mesh, with the mesh's exit recipe", () => {
    const job = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    metadata:\n      annotations:\n        sidecar.istio.io/inject: "true"\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: j\n        image: j\n`;
    const out = runChecked(resourceList([job], typedConfig('kubernetesVersion: "1.27"\n')));
    expect(out.exitCode).toBe(0);
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/^the legacy injected Istio proxy would keep this Job's pod running.*localhost:15020\/quitquitquit/)]);
    const two = runChecked(resourceList([job], typedConfig('kubernetesVersion: "1.27"\nmeshes: [linkerd]\n')));
    expect(messages(two.results, "warning")).toEqual([expect.stringMatching(/^the legacy injected Istio proxy and injected Linkerd proxy would keep this Job's pod running/)]);
  });

  it("finds revision-based Istio injection (an istio.io/rev label), and still honours an opt-out", () => {
    const rev = deployment("        x: y", "\n        istio.io/rev: canary");
    expect(annotationsOf(runChecked(resourceList([rev], typedConfig("strategy: native\n"))).bodies[1]!)["sidecar.istio.io/nativeSidecar"]).toBe("true");
    const optOut = deployment('        sidecar.istio.io/inject: "false"', "\n        istio.io/rev: canary");
    expect(runChecked(resourceList([optOut], typedConfig("strategy: native\n"))).bodies[1]).toBe(optOut);
  });
});
