/** How auto decides, the version rules, and Jobs under legacy. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import { chooseStrategy } from "../../src/strategies/choose";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const choose = (options: Record<string, unknown>) => {
  const loaded = loadConfig({ apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "c" }, ...options });
  if (!loaded.config) throw new Error(JSON.stringify(loaded.results));
  return chooseStrategy(loaded.config);
};

describe("chooseStrategy", () => {
  it.each([
    [{}, "native", true],
    [{ kubernetesVersion: "1.29" }, "native", false],
    [{ kubernetesVersion: "v1.33.1-gke.100" }, "native", false],
    [{ kubernetesVersion: "1.28" }, "legacy", false],
    [{ kubernetesVersion: "1.31", kubeletVersion: "1.27" }, "legacy", false],
    [{ kubernetesVersion: "1.31", nativeMinVersion: "1.33" }, "legacy", false],
    [{ kubernetesVersion: "1.33", nativeMinVersion: "1.33" }, "native", false],
    [{ strategy: "legacy", kubernetesVersion: "1.33" }, "legacy", false],
    [{ strategy: "native", kubernetesVersion: "1.30" }, "native", false],
  ])("%j → %s", (options, strategy, assumed) => {
    const { choice, notes } = choose(options);
    expect(choice.strategy).toBe(strategy);
    expect(choice.assumed).toBe(assumed);
    expect(notes).toEqual([]);
  });

  it("explains a kubelet that lags the API server, both too old, and a nativeMinVersion of the config's own", () => {
    expect(choose({ kubernetesVersion: "1.31", kubeletVersion: "1.27" }).choice.reason).toBe("the kubelets (1.27) are older than 1.29, where native sidecars start");
    expect(choose({ kubernetesVersion: "1.28", kubeletVersion: "1.27" }).choice.reason).toBe("the API server (1.28) and the kubelets (1.27) are older than 1.29, where native sidecars start");
    expect(choose({ kubernetesVersion: "1.28", kubeletVersion: "1.28.3" }).choice.reason).toBe("Kubernetes 1.28 is older than 1.29, where native sidecars start");
    expect(choose({ kubernetesVersion: "1.29", nativeMinVersion: "1.30" }).choice.reason).toBe("Kubernetes 1.29 is older than nativeMinVersion 1.30");
    // Patch levels are said as they count.
    expect(choose({ kubernetesVersion: "1.29.5", nativeMinVersion: "1.29.8" }).choice.reason).toBe("Kubernetes 1.29.5 is older than nativeMinVersion 1.29.8");
    // A kubelet newer than its API server is taken for the API server's, in every message.
    const skewed = choose({ strategy: "native", kubernetesVersion: "1.27", kubeletVersion: "1.28" });
    expect(skewed.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^kubeletVersion 1.28 is newer than kubernetesVersion 1.27/), expect.stringMatching(/, but the API server runs 1.27: .*raise kubernetesVersion$/)]);
  });

  it("applies the same version rules when a low nativeMinVersion makes auto pick native", () => {
    const { choice, notes } = choose({ kubernetesVersion: "1.26", nativeMinVersion: "1.26" });
    expect(choice.strategy).toBe("native");
    expect(notes).toMatchObject([{ severity: "error", field: "kubernetesVersion", message: expect.stringMatching(/^strategy auto with nativeMinVersion 1.26 makes native sidecars, which need Kubernetes 1.29 or later, but the API server runs 1.26: .*; raise nativeMinVersion to 1.29, or set strategy: legacy, or upgrade the cluster/) }]);
    expect(choose({ kubernetesVersion: "1.28", nativeMinVersion: "1.28" }).notes).toMatchObject([{ severity: "warning" }]);
  });

  it("refuses strategy: native below 1.28 and warns on 1.28", () => {
    const old = choose({ strategy: "native", kubernetesVersion: "1.27" }).notes;
    expect(old).toHaveLength(1);
    expect(old[0]).toMatchObject({ severity: "error", field: "kubernetesVersion" });
    expect(old[0]!.message).toMatch(/^strategy: native makes native sidecars, which need Kubernetes 1.29 or later, but the API server runs 1.27: .*; use strategy: auto or legacy, or upgrade the cluster to 1.29 or later and raise kubernetesVersion$/);
    const gate = choose({ strategy: "native", kubernetesVersion: "1.30", kubeletVersion: "1.28" }).notes;
    expect(gate).toHaveLength(1);
    expect(gate[0]).toMatchObject({ severity: "warning", field: "kubeletVersion" });
    expect(gate[0]!.message).toMatch(/ \(on 1.28 only where the SidecarContainers feature gate is turned on\), but the kubelets run 1.28: the SidecarContainers feature gate is off by default on the kubelets, so the kubelet ignores restartPolicy/);
    expect(choose({ strategy: "native", kubernetesVersion: "1.30", kubeletVersion: "1.27" }).notes).toMatchObject([{ severity: "error", field: "kubeletVersion" }]);
    // A 1.28 API server with 1.27 kubelets: no feature gate helps the kubelets, so an error, naming both.
    const both = choose({ strategy: "native", kubernetesVersion: "1.28", kubeletVersion: "1.27" }).notes;
    expect(both).toMatchObject([{ severity: "error", field: "kubernetesVersion", message: expect.stringMatching(/, but the API server runs 1.28 and the kubelets run 1.27: .*; use strategy: auto or legacy, or upgrade the control plane and the nodes to 1.29 or later and raise kubernetesVersion and kubeletVersion$/) }]);
    expect(both[0]!.message).not.toContain("feature gate is turned on");
  });

  it("says that nativeMinVersion changes nothing beside strategy native or legacy, and checkSeverity nothing beside mode: apply", () => {
    for (const strategy of ["native", "legacy"]) {
      expect(choose({ strategy, kubernetesVersion: "1.31", nativeMinVersion: "1.31" }).notes).toEqual([
        { severity: "warning", field: "nativeMinVersion", message: `nativeMinVersion 1.31 is read only by strategy auto, and the strategy is ${strategy}, so it changes nothing; remove it, or set strategy: auto` },
      ]);
      expect(choose({ strategy, kubernetesVersion: "1.31" }).notes).toEqual([]);
    }
    expect(choose({ kubernetesVersion: "1.31", nativeMinVersion: "1.31" }).notes).toEqual([]);
    const apply = runChecked(resourceList([], typedConfig("checkSeverity: warning\n")));
    expect(messages(apply.results, "warning")).toEqual(["checkSeverity warning applies only with mode: check, and the mode is apply, so it changes nothing; remove it, or set mode: check"]);
    expect(runChecked(resourceList([], typedConfig("mode: check\ncheckSeverity: warning\n"))).results).toEqual([]);
  });

  it("warns when kubeletVersion is newer than kubernetesVersion, which the version skew policy does not allow, and goes by the older", () => {
    const { choice, notes } = choose({ kubernetesVersion: "1.28", kubeletVersion: "1.31" });
    expect(choice.strategy).toBe("legacy");
    expect(notes).toEqual([{ severity: "warning", field: "kubeletVersion", message: expect.stringMatching(/^kubeletVersion 1.31 is newer than kubernetesVersion 1.28, which Kubernetes' version skew policy does not allow .*goes by the older, 1.28, for the kubelets too$/) }]);
    // Patch releases of one minor version are no skew.
    expect(choose({ kubernetesVersion: "1.31.2", kubeletVersion: "1.31.5" }).notes).toEqual([]);
  });

  it("says what would give native sidecars where auto chose legacy: the component that is too old, or nativeMinVersion", () => {
    expect(choose({ kubernetesVersion: "1.31", kubeletVersion: "1.28" }).choice.toNative).toBe("they need Kubernetes 1.29 or later: upgrade the nodes to 1.29 or later and raise kubeletVersion");
    expect(choose({ kubernetesVersion: "1.28" }).choice.toNative).toBe("they need Kubernetes 1.29 or later: upgrade the cluster to 1.29 or later and raise kubernetesVersion");
    expect(choose({ kubernetesVersion: "1.30", nativeMinVersion: "1.31" }).choice.toNative).toBe("lower nativeMinVersion to 1.30, or set strategy: native");
    expect(choose({ strategy: "legacy" }).choice.toNative).toBe("set strategy: auto or native");
    // strategy: legacy on a cluster too old for native sidecars: switching strategy would not help.
    expect(choose({ strategy: "legacy", kubernetesVersion: "1.27" }).choice.toNative).toBe("they need Kubernetes 1.29 or later: upgrade the cluster to 1.29 or later and raise kubernetesVersion");
  });
});

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: export
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: export
            image: export
          - name: proxy
            image: proxy
            readinessProbe: {httpGet: {path: /ready, port: 9090}}
`;

describe("auto and Jobs, end to end", () => {
  const sidecars = "sidecars:\n- name: proxy\n  wait: {exec: [/proxy, wait]}\n";

  it("gives a CronJob native sidecars on a new cluster", () => {
    const out = runChecked(resourceList([CRONJOB], typedConfig(`kubernetesVersion: "1.30"\n${sidecars}`)));
    expect(out.exitCode).toBe(0);
    expect(out.bodies[1]).toContain("initContainers:\n          - name: proxy");
    expect(messages(out.results, "info")).toEqual([expect.stringMatching(/^moved sidecar "proxy" to spec.initContainers/)]);
  });

  it("refuses a CronJob on an old cluster, naming the exit recipe way out", () => {
    const out = runChecked(resourceList([CRONJOB], typedConfig(`kubernetesVersion: "1.27"\n${sidecars}`)));
    expect(out.exitCode).toBe(1);
    expect(out.bodies[1]).toBe(CRONJOB);
    expect(messages(out.results, "error")).toEqual([
      expect.stringMatching(/legacy sidecar "proxy" would keep this CronJob's pod running.*Kubernetes 1.27 is older than 1.29.*allowLegacyJobs: true/),
    ]);
    expect(out.results[0]!.field).toEqual({ path: "spec.jobTemplate.spec.template.spec.containers" });
    expect(messages(out.results, "error")[0]).toContain("use native sidecars (they need Kubernetes 1.29 or later: upgrade the cluster to 1.29 or later and raise kubernetesVersion)");
    // Nodes that lag: the kubelets are what to upgrade, and kubeletVersion what to raise.
    const lagging = runChecked(resourceList([CRONJOB], typedConfig(`kubernetesVersion: "1.30"\nkubeletVersion: "1.28"\n${sidecars}`)));
    expect(messages(lagging.results, "error")[0]).toContain("(the kubelets (1.28) are older than 1.29, where native sidecars start); use native sidecars (they need Kubernetes 1.29 or later: upgrade the nodes to 1.29 or later and raise kubeletVersion)");
  });

  it("accepts a legacy sidecar in one workload that runs to completion by its annotation, on the workload or its pod template", () => {
    const refused = messages(runChecked(resourceList([CRONJOB], typedConfig(`kubernetesVersion: "1.27"\n${sidecars}`))).results, "error")[0];
    expect(refused).toMatch(/, then set allowLegacyJobs: true \(or, for this workload alone, annotate it sidecar-order.dev\/allow-legacy-job: "true"\); the workload was left as it is$/);
    const annotated = CRONJOB.replace("  name: export\n", '  name: export\n  annotations:\n    sidecar-order.dev/allow-legacy-job: "true"\n');
    const out = runChecked(resourceList([annotated], typedConfig(`kubernetesVersion: "1.27"\n${sidecars}`)));
    expect(out.exitCode).toBe(0);
    expect(out.bodies[1]).toContain("containers:\n          - name: proxy");
    expect(messages(out.results, "warning")[0]).toMatch(/would never complete .*\(accepted: the workload has sidecar-order.dev\/allow-legacy-job: "true"\)$/);
    // On the pod template too; and a value other than "true" or "false" is said to do nothing.
    const onTemplate = CRONJOB.replace("      template:\n        spec:\n", '      template:\n        metadata:\n          annotations:\n            sidecar-order.dev/allow-legacy-job: "true"\n        spec:\n');
    expect(onTemplate).toContain("allow-legacy-job");
    expect(runChecked(resourceList([onTemplate], typedConfig(`kubernetesVersion: "1.27"\n${sidecars}`))).exitCode).toBe(0);
    const odd = runChecked(resourceList([annotated.replace('"true"', "yes")], typedConfig(`kubernetesVersion: "1.27"\n${sidecars}`)));
    expect(odd.exitCode).toBe(1);
    expect(messages(odd.results, "warning")).toEqual([expect.stringMatching(/^sidecar-order.dev\/allow-legacy-job is "yes"; only "true" accepts legacy sidecars in a workload that runs to completion, so this annotation does not count/)]);
  });

  it("treats a bare Pod that does not restart like a Job", () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: app\n  - name: proxy\n    image: proxy\n";
    const out = runChecked(resourceList([pod], typedConfig(`strategy: legacy\n${sidecars}`)));
    expect(out.exitCode).toBe(1);
    expect(messages(out.results, "error")[0]).toMatch(/this Pod running after the app exits/);
  });

  it("says once that auto assumed a supported Kubernetes, only when something changed", () => {
    const changed = runChecked(resourceList([CRONJOB, CRONJOB.replace("name: export\nspec", "name: export2\nspec")], typedConfig(sidecars)));
    const assumed = changed.results.filter((r) => /assumed/.test(r.message));
    expect(assumed).toHaveLength(1);
    expect(assumed[0]).toMatchObject({ severity: "info", resourceRef: { kind: "SidecarOrder", name: "test" } });
    const again = runChecked(changed.text.replace(/\nresults:[\s\S]*$/, "\n"));
    expect(again.results).toEqual([]);
  });

  it("changes nothing when strategy: native meets an old cluster", () => {
    const input = resourceList([CRONJOB], typedConfig(`strategy: native\nkubernetesVersion: "1.26"\n${sidecars}`));
    const out = runChecked(input);
    expect(out.exitCode).toBe(1);
    expect(out.text.startsWith(input)).toBe(true);
    expect(out.results).toHaveLength(1);
    expect(out.results[0]).toMatchObject({ severity: "error", resourceRef: { kind: "SidecarOrder" }, field: { path: "kubernetesVersion" } });
  });
});
