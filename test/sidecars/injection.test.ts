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
    // With no Linkerd release given: the alpha key, the one every release with native sidecars reads.
    ["linkerd.io/inject: enabled", "native", "config.alpha.linkerd.io/proxy-enable-native-sidecar", "true"],
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
    expect(annotationsOf(byConfig.bodies[1]!)["config.alpha.linkerd.io/proxy-enable-native-sidecar"]).toBe("true");
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

describe("mesh switches by release (meshVersions)", () => {
  const linkerd = (extra = "") => deployment(`        linkerd.io/inject: enabled${extra}`);
  const native = (versions = "") => typedConfig(`strategy: native\n${versions}`);

  it.each([
    ["edge-23.11.4", "config.alpha.linkerd.io/proxy-enable-native-sidecar"],
    ["2.18", "config.alpha.linkerd.io/proxy-enable-native-sidecar"],
    ["edge-25.10.2", "config.beta.linkerd.io/proxy-enable-native-sidecar"],
    ["2.19", "config.beta.linkerd.io/proxy-enable-native-sidecar"],
    ["version-2.20", "config.linkerd.io/proxy-enable-native-sidecar"],
    ["edge-26.5.2", "config.linkerd.io/proxy-enable-native-sidecar"],
  ])("Linkerd %s reads %s", (release, key) => {
    const out = runChecked(resourceList([linkerd()], native(`meshVersions: {linkerd: "${release}"}\n`)));
    expect(annotationsOf(out.bodies[1]!)).toEqual({ "linkerd.io/inject": "enabled", [key]: "true" });
    expect(messages(out.results, "info")[0]).toBe(`set ${key}: "true" so the Linkerd proxy injected at admission becomes a native sidecar`);
  });

  it("with no Linkerd release: the alpha key every release with native sidecars reads, and says what it assumed", () => {
    const out = runChecked(resourceList([linkerd()], native()));
    expect(annotationsOf(out.bodies[1]!)["config.alpha.linkerd.io/proxy-enable-native-sidecar"]).toBe("true");
    expect(messages(out.results, "info")[0]).toMatch(/\(the key every Linkerd release with native sidecars reads, edge-23.11.4 to 2.20; set meshVersions.linkerd/);
  });

  it("Linkerd before native sidecars (stable-2.14): nothing set, a warning", () => {
    const before = linkerd();
    const out = runChecked(resourceList([before], native('meshVersions: {linkerd: "stable-2.14.10"}\n')));
    expect(out.bodies[1]).toBe(before);
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/^Linkerd stable-2.14.10 has no native sidecars \(they came with edge-23.11.4, Linkerd 2.15\)/)]);
  });

  it("a key the release does not read is said to be ignored, and the right one set", () => {
    const out = runChecked(resourceList([linkerd('\n        config.linkerd.io/proxy-enable-native-sidecar: "true"')], native('meshVersions: {linkerd: "2.18"}\n')));
    expect(annotationsOf(out.bodies[1]!)["config.alpha.linkerd.io/proxy-enable-native-sidecar"]).toBe("true");
    expect(messages(out.results, "warning")).toEqual([
      "config.linkerd.io/proxy-enable-native-sidecar is set, but Linkerd 2.18 does not read that key (it reads config.alpha.linkerd.io/proxy-enable-native-sidecar), so it is ignored; remove it",
    ]);
  });

  it("an older key the release still reads counts (2.20 reads the alpha key)", () => {
    const already = linkerd('\n        config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"');
    expect(runChecked(resourceList([already], native('meshVersions: {linkerd: "2.20"}\n'))).bodies[1]).toBe(already);
  });

  it("removes proxy-wait-before-exit-seconds, which Linkerd 2.15 to 2.19 refuse beside a native proxy", () => {
    const out = runChecked(resourceList([linkerd('\n        config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "30"')], native()));
    expect(annotationsOf(out.bodies[1]!)).toEqual({ "linkerd.io/inject": "enabled", "config.alpha.linkerd.io/proxy-enable-native-sidecar": "true" });
    expect(messages(out.results, "info")[0]).toMatch(/removed config.alpha.linkerd.io\/proxy-wait-before-exit-seconds \("30"\): Linkerd's injector refuses a native proxy with it/);
    // 2.20 leaves the preStop out by itself: the annotation may stay.
    const v220 = runChecked(resourceList([linkerd('\n        config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "30"')], native('meshVersions: {linkerd: "2.20"}\n')));
    expect(annotationsOf(v220.bodies[1]!)["config.alpha.linkerd.io/proxy-wait-before-exit-seconds"]).toBe("30");
  });

  it("Istio before 1.24 does not read sidecar.istio.io/nativeSidecar: not set, and istiod's switch named", () => {
    const before = deployment('        sidecar.istio.io/inject: "true"');
    const out = runChecked(resourceList([before], native('meshVersions: {istio: "1.23.4"}\n')));
    expect(out.bodies[1]).toBe(before);
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/^Istio 1.23.4 does not read sidecar.istio.io\/nativeSidecar \(Istio reads it from 1.24\), so .* only if istiod runs with ENABLE_NATIVE_SIDECARS=true/)]);
    const known = runChecked(resourceList([before], native('meshVersions: {istio: "1.24"}\n')));
    expect(messages(known.results, "info")[0]).toBe('set sidecar.istio.io/nativeSidecar: "true" so the Istio proxy injected at admission becomes a native sidecar');
    const assumed = runChecked(resourceList([before], native()));
    expect(messages(assumed.results, "info")[0]).toMatch(/\(assuming Istio 1.24 or later, which reads it; before 1.24 only istiod's ENABLE_NATIVE_SIDECARS=true/);
  });
});

describe("no silent no-op", () => {
  const pod = (containers: string, annotations = "") => `apiVersion: v1
kind: Pod
metadata:
  name: p${annotations}
spec:
  containers:
${containers}`;

  it("warns on the config about a sidecars entry that matches no container anywhere, with a did-you-mean", () => {
    const out = runChecked(resourceList([pod("  - name: app\n    image: app\n  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n")], typedConfig("strategy: native\nsidecars:\n- name: isito-proxy\n")));
    expect(out.results).toEqual([
      expect.objectContaining({
        severity: "warning",
        message: 'sidecars[0] (name "isito-proxy") matches no container in any of the 1 workload, so it changes nothing; the containers in the package are named "app", "istio-proxy"; did you mean "istio-proxy"?',
        resourceRef: expect.objectContaining({ kind: "SidecarOrder" }),
        field: { path: "sidecars[0]" },
      }),
    ]);
  });

  it("the key=value form too, and an image glob lists the images", () => {
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: args\ndata:\n  sidecars: linkerd\n";
    const out = runChecked(resourceList([pod("  - name: app\n    image: app:1\n")], cm));
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/^sidecars\[0\] \(the linkerd preset\) matches no container in any of the 1 workload/)]);
    const glob = runChecked(resourceList([pod("  - name: app\n    image: app:1\n")], typedConfig("sidecars:\n- image: '*/envoy:*'\n")));
    expect(messages(glob.results, "warning")).toEqual([expect.stringMatching(/\(image "\*\/envoy:\*"\) matches no container .*; the images in the package are "app:1"$/)]);
  });

  it("an injected mesh counts as a match; no workloads at all, nothing to say", () => {
    const injected = pod("  - name: app\n    image: app\n", '\n  annotations:\n    sidecar.istio.io/inject: "true"');
    expect(messages(runChecked(resourceList([injected], typedConfig("strategy: native\nsidecars:\n- preset: istio\n"))).results, "warning")).toEqual([]);
    expect(runChecked(resourceList([], typedConfig("sidecars:\n- name: nothing\n"))).results).toEqual([]);
  });

  it("warns about a sidecar written as a plain init container (no restartPolicy: Always): the pod would stay in Init", () => {
    const body = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: g
spec:
  template:
    spec:
      initContainers:
      - name: istio-init
        image: docker.io/istio/proxyv2:1.22.0
      - name: vault-agent-init
        image: hashicorp/vault:1.17
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.22.0
      - name: cloud-sql-proxy
        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0
      containers:
      - name: app
        image: app:1
`;
    const said = (source: string, name: string, index: number) => ({
      severity: "warning",
      message: `init container "${name}" is a sidecar by ${source}, but it has no restartPolicy: Always, so it runs as a plain init container: the app containers wait for it to exit, and a sidecar never exits, so the pod stays in Init; make it a native sidecar (restartPolicy: Always, Kubernetes 1.29 or later) or move it to spec.containers, and sidecar-order orders it from there`,
      field: { path: `spec.template.spec.initContainers[${index}]` },
    });
    // Matched by name only: istio-init shares the proxy's image, vault-agent-init runs to completion by design.
    const presets = runChecked(resourceList([body], typedConfig('kubernetesVersion: "1.31"\n')));
    expect(presets.bodies[1]).toBe(body);
    expect(presets.results.filter((r) => r.severity !== "info")).toMatchObject([said("the istio preset", "istio-proxy", 2), said("the cloud-sql-proxy preset", "cloud-sql-proxy", 3)]);
    // A configured entry that found its sidecar there is not also said to match no container.
    const entry = runChecked(resourceList([body], typedConfig('kubernetesVersion: "1.31"\nsidecars:\n- preset: cloud-sql-proxy\n- name: istio-proxy\n  image: "*/proxyv2:*"\n')));
    expect(entry.results).toMatchObject([said("the cloud-sql-proxy preset", "cloud-sql-proxy", 3), said("sidecars[1]", "istio-proxy", 2)].sort((a, b) => a.field.path.localeCompare(b.field.path)));
    // An entry that names the container itself is the source, whatever preset it tunes.
    const named = runChecked(resourceList([body], typedConfig('kubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n  name: istio-proxy\n- preset: cloud-sql-proxy\n')));
    expect(named.results).toMatchObject([said("sidecars[0]", "istio-proxy", 2), said("the cloud-sql-proxy preset", "cloud-sql-proxy", 3)]);
    // Where the container stands in the output: a sidecar moved in ahead of it shifts it.
    const shifted = body.replace("      containers:\n      - name: app\n        image: app:1\n", "      containers:\n      - name: app\n        image: app:1\n      - name: linkerd-proxy\n        image: cr.l5d.io/linkerd/proxy:edge-24.11.8\n");
    const moved = runChecked(resourceList([shifted], typedConfig('kubernetesVersion: "1.31"\n')));
    expect(moved.results.filter((r) => r.severity === "warning").map((r) => [r.message.slice(0, 32), r.field?.path])).toEqual([
      ['init container "istio-proxy" is ', "spec.template.spec.initContainers[3]"],
      ['init container "cloud-sql-proxy"', "spec.template.spec.initContainers[4]"],
    ]);
    // mode: check says it too (a risk, not a change).
    expect(messages(runChecked(resourceList([body], typedConfig('mode: check\nkubernetesVersion: "1.31"\n'))).results, "warning")).toHaveLength(2);
  });

  it("says so when the sidecars annotation names a plain init container (it is left where it is)", () => {
    const body = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    sidecar-order.dev/sidecars: migrate
spec:
  initContainers:
  - name: migrate
    image: app
  containers:
  - name: app
    image: app
`;
    const out = runChecked(resourceList([body], typedConfig("strategy: native\n")));
    expect(out.bodies[1]).toBe(body);
    expect(messages(out.results, "warning")).toEqual([
      'the sidecar-order.dev/sidecars annotation names "migrate", an init container that runs to completion (it has no restartPolicy: Always), so it was left where it is; a sidecar belongs in spec.containers, or in spec.initContainers with restartPolicy: Always',
    ]);
  });
});

describe("a mesh whose proxy the manifest holds already", () => {
  // An injector leaves an injected pod alone: its switches would change nothing, whatever sidecars lists.
  const injected = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  template:
    metadata:
      annotations:
        linkerd.io/inject: enabled
        config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "10"
    spec:
      containers:
      - name: db
        image: db:1
      - name: linkerd-proxy
        image: cr.l5d.io/linkerd/proxy:edge-24.1.1
`;
  it.each(["sidecars: []", "sidecars: [{preset: cloud-sql-proxy}]"])("gets no switch when %s leaves the mesh out", (sidecars) => {
    const out = runChecked(resourceList([injected], typedConfig(`kubernetesVersion: "1.30"\n${sidecars}\n`)));
    expect(out.bodies[1]).toBe(injected);
    expect(out.results.filter((r) => r.severity === "info" && r.message.includes("injected at admission"))).toEqual([]);
  });
});
