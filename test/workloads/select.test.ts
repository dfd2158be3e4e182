/** selectors, exclude, the skip annotation, and mode: check. */
import { describe, expect, it } from "vitest";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const deploy = (name: string, extra = "", templateAnnotations = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
  labels:
    team: ${name === "a" ? "red" : "blue"}
${extra}spec:
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
${templateAnnotations}    spec:
      containers:
      - name: app
        image: app
      - name: linkerd-proxy
        image: cr.l5d.io/linkerd/proxy:stable-2.14.10
`;
const cfg = (extra: string) => typedConfig(`kubernetesVersion: "1.31"\n${extra}sidecars:\n- preset: linkerd\n`);

describe("selection", () => {
  it("works only on objects matching a selector; a skipped one that would change gets an info", () => {
    const out = runChecked(resourceList([deploy("a"), deploy("b")], cfg("selectors:\n- kind: Deployment\n  labels: {team: red}\n")));
    expect(out.bodies[1]).toContain("initContainers:");
    expect(out.bodies[2]).toBe(deploy("b"));
    expect(messages(out.results, "info")).toEqual([
      expect.stringMatching(/^moved sidecar "linkerd-proxy"/),
      expect.stringMatching(/^skipped because it matches none of the config's selectors; otherwise sidecar-order would have changed it: moved sidecar "linkerd-proxy"/),
    ]);
  });

  it("exclude wins, by name or namespace", () => {
    const out = runChecked(resourceList([deploy("a"), deploy("b")], cfg("exclude:\n- name: a\n")));
    expect(out.bodies[1]).toBe(deploy("a"));
    expect(out.bodies[2]).toContain("initContainers:");
    expect(messages(out.results, "info")[0]).toMatch(/skipped because it matches exclude\[0\]/);
  });

  it("honours sidecar-order.dev/skip on the workload or its pod template", () => {
    const onWorkload = deploy("a", '  annotations:\n    sidecar-order.dev/skip: "true"\n');
    const onTemplate = deploy("b", "", '        sidecar-order.dev/skip: "true"\n');
    const out = runChecked(resourceList([onWorkload, onTemplate], cfg("")));
    expect(out.bodies[1]).toBe(onWorkload);
    expect(out.bodies[2]).toBe(onTemplate);
    expect(messages(out.results, "info")).toEqual([
      expect.stringMatching(/skipped because the workload has sidecar-order.dev\/skip: "true"/),
      expect.stringMatching(/skipped because its pod template has sidecar-order.dev\/skip: "true"/),
    ]);
  });

  it("warns when sidecar-order.dev/skip says anything but \"true\" or \"false\", and does not skip", () => {
    const shouted = deploy("a", '  annotations:\n    sidecar-order.dev/skip: "TRUE"\n');
    const bare = deploy("b", "", "        sidecar-order.dev/skip: true\n");
    const no = deploy("c", '  annotations:\n    sidecar-order.dev/skip: "false"\n');
    const out = runChecked(resourceList([shouted, bare, no], cfg("")));
    expect([1, 2, 3].map((i) => out.bodies[i]!.includes("initContainers:"))).toEqual([true, true, true]);
    expect(out.results.filter((r) => r.severity === "warning")).toEqual([
      expect.objectContaining({
        message: 'sidecar-order.dev/skip is "TRUE"; only "true" skips a workload, so this annotation does not count: write "true" to leave it alone',
        field: { path: "metadata.annotations" },
        resourceRef: expect.objectContaining({ name: "a" }),
      }),
      expect.objectContaining({
        message: 'sidecar-order.dev/skip is true without quotes (boolean, where Kubernetes takes only strings); only "true" skips a workload, so this annotation does not count: write "true" to leave it alone',
        field: { path: "spec.template.metadata.annotations" },
        resourceRef: expect.objectContaining({ name: "b" }),
      }),
    ]);
  });

  it("says it once for a bare Pod, whose annotations are its pod template's", () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    sidecar-order.dev/skip: "yes"\nspec:\n  containers:\n  - name: app\n    image: app\n  - name: linkerd-proxy\n    image: cr.l5d.io/linkerd/proxy:stable-2.14.10\n';
    const out = runChecked(resourceList([pod], cfg("")));
    expect(messages(out.results, "warning")).toEqual(['sidecar-order.dev/skip is "yes"; only "true" skips a workload, so this annotation does not count: write "true" to leave it alone']);
  });

  it("says nothing about a skipped workload that could not change anyway", () => {
    const ksvc = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: k\n  annotations:\n    sidecar-order.dev/skip: \"true\"\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app\n      - name: linkerd-proxy\n        image: cr.l5d.io/linkerd/proxy:stable-2.14.10\n";
    expect(runChecked(resourceList([ksvc], cfg(""))).results).toEqual([]);
  });

  it("says nothing about a skipped workload that is already in shape", () => {
    const native = runChecked(resourceList([deploy("a")], cfg(""))).bodies[1]!;
    const out = runChecked(resourceList([native], cfg("exclude:\n- kind: Deployment\n")));
    expect(out.results).toEqual([]);
  });
});

describe("mode: check", () => {
  it("changes nothing and reports each change with its proposed value (default severity error)", () => {
    const input = resourceList([deploy("a")], cfg("mode: check\n"));
    const out = runChecked(input);
    expect(out.bodies[1]).toBe(deploy("a"));
    expect(out.exitCode).toBe(1);
    expect(out.results.map((r) => [r.severity, r.field?.path, r.field?.proposedValue])).toEqual([
      ["error", "spec.template.spec.initContainers", ["linkerd-proxy"]],
      ["error", "spec.template.spec.containers", ["app"]],
      // A native sidecar's new fields are only valid in initContainers, so they point where it goes.
      ["error", "spec.template.spec.initContainers[0].restartPolicy", "Always"],
      ["error", "spec.template.spec.initContainers[0].startupProbe", { httpGet: { path: "/ready", port: 4191 }, periodSeconds: 1, failureThreshold: 120 }],
    ]);
    // No initContainers now: no currentValue for it.
    expect(out.results[0]!.field).not.toHaveProperty("currentValue");
    expect(out.results[1]!.field?.currentValue).toEqual(["app", "linkerd-proxy"]);
    expect(out.results[0]!.message).toMatch(/not in sidecar order.*mode: check changes nothing/);
    expect(out.results[2]!.message).toMatch(/^would have set spec.template.spec.initContainers\[0\].restartPolicy to "Always", once "linkerd-proxy" has moved to spec.initContainers from spec.template.spec.containers\[1\]/);
    expect(out.results[3]!.message).toMatch(/^would have added a startupProbe to "linkerd-proxy"/);
  });

  it("points a sidecar that stays in its list (legacy) at where it is now", () => {
    const out = runChecked(resourceList([deploy("a")], cfg("strategy: legacy\nmode: check\n")));
    const hook = out.results.find((r) => /postStart/.test(r.message));
    expect(hook?.field?.path).toBe("spec.template.spec.containers[1].lifecycle.postStart");
    // Warnings too: about the sidecar where it is now, not where it would go (containers[0], the app now).
    const vault = deploy("a").replace("linkerd-proxy\n        image: cr.l5d.io/linkerd/proxy:stable-2.14.10", "vault-agent\n        image: hashicorp/vault:1.15");
    const noWait = runChecked(resourceList([vault], typedConfig('kubernetesVersion: "1.28"\nmode: check\nsidecars:\n- preset: vault\n')));
    const warning = noWait.results.find((r) => r.severity === "warning" && /has no wait command/.test(r.message));
    expect(warning?.field?.path).toBe("spec.template.spec.containers[1].lifecycle.postStart");
  });

  it("gives the current value of a field it would change where the field stays", () => {
    const withHook = deploy("a").replace("        image: cr.l5d.io/linkerd/proxy:stable-2.14.10\n", "        image: cr.l5d.io/linkerd/proxy:stable-2.14.10\n        lifecycle:\n          postStart:\n            exec:\n              command: [/bin/true]\n");
    const legacy = runChecked(resourceList([withHook], cfg("strategy: legacy\nonConflict: replace\nmode: check\n")));
    const replaced = legacy.results.find((r) => /replaced the postStart hook/.test(r.message));
    expect(replaced?.field).toMatchObject({ path: "spec.template.spec.containers[1].lifecycle.postStart", currentValue: { exec: { command: ["/bin/true"] } } });
    // A sidecar that would move to initContainers: field.path is where it goes, where nothing stands yet.
    const withPreStop = deploy("a").replace("        image: cr.l5d.io/linkerd/proxy:stable-2.14.10\n", "        image: cr.l5d.io/linkerd/proxy:stable-2.14.10\n        lifecycle:\n          preStop:\n            exec:\n              command: [/bin/kill, '1']\n");
    const native = runChecked(resourceList([withPreStop], cfg("mode: check\n")));
    const removal = native.results.find((r) => /removed the preStop hook/.test(r.message));
    expect(removal?.field).toEqual({ path: "spec.template.spec.initContainers[0].lifecycle" });
  });

  it("takes a configurable severity, and passes a workload already in shape", () => {
    const warn = runChecked(resourceList([deploy("a")], cfg("mode: check\ncheckSeverity: warning\n")));
    expect(warn.exitCode).toBe(0);
    expect(new Set(warn.results.map((r) => r.severity))).toEqual(new Set(["warning"]));
    const native = runChecked(resourceList([deploy("a")], cfg(""))).bodies[1]!;
    expect(runChecked(resourceList([native], cfg("mode: check\n"))).results).toEqual([]);
  });
});
