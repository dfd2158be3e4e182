/**
 * 1. The seed's race and its cure, on a real kubelet. The app checks once, at start, whether its
 * sidecar is ready (/shared/ready, which the sidecar writes 3 s after it starts). As written, the
 * app races the sidecar and loses; the function's legacy output (a postStart hook polling the
 * file) and its native output (a startupProbe on the file: configured, or derived by the function
 * from the sidecar's readinessProbe) hold the app until the sidecar is ready. Also item 7 for
 * these pods: the kubelet model predicts the same order.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { at, clusterUp, loggedAt, podSpecOf, runOnCluster, scenarios, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

/** What the scenario's containers do (race/workload.yaml), in the model's terms. */
const facts = {
  sidecar: { readyAfter: 3, postStart: { waitsForReady: true as const, timeoutSeconds: 30 } },
};

describe.skipIf(!clusterUp)("1. the seed's race, and the function's cure for it", () => {
  const pods: Record<"plain" | "legacy" | "native" | "derived", { pod: ClusterPod; spec: PodSpec }> = {} as never;

  beforeAll(() => {
    const plain = join(scenarios, "race/workload.yaml");
    const legacy = sidecarOrder("race/legacy.yaml", "race/workload.yaml").file;
    const native = sidecarOrder("race/native.yaml", "race/workload.yaml").file;
    const derived = sidecarOrder("race/native-derived.yaml", "race/workload.yaml").file;
    // settle 5 s: the unmodified sidecar gets ready (3 s) well before its pod is deleted.
    const [p, l, n, d] = runOnCluster([plain, legacy, native, derived], { settle: 5 });
    pods.plain = { pod: p!, spec: podSpecOf(plain) };
    pods.legacy = { pod: l!, spec: podSpecOf(legacy) };
    pods.native = { pod: n!, spec: podSpecOf(native) };
    pods.derived = { pod: d!, spec: podSpecOf(derived) };
  });

  it("as written, the app starts before its sidecar is ready and sees it not ready", () => {
    const { pod } = pods.plain;
    expect(pod.error, timeline(pod)).toBeUndefined();
    expect(at(pod, "app", "started"), timeline(pod)).toBeLessThan(loggedAt(pod, "sidecar", "ready"));
    expect(pod.logs["app"], timeline(pod)).toContain("sidecar is not ready");
  });

  it("legacy: the sidecar's postStart hook holds the app until the sidecar is ready", () => {
    const { pod, spec } = pods.legacy;
    expect(spec.containers.map((c) => c.name)).toEqual(["sidecar", "app"]);
    expect(pod.error, timeline(pod)).toBeUndefined();
    const ready = loggedAt(pod, "sidecar", "ready");
    const hookDone = at(pod, "sidecar", "postStartDone", { exitCode: 0 });
    expect(ready, timeline(pod)).toBeLessThan(hookDone);
    expect(hookDone, timeline(pod)).toBeLessThan(at(pod, "app", "created"));
    expect(pod.logs["app"], timeline(pod)).toContain("sidecar is ready");
  });

  it.each(["native", "derived"] as const)("%s: the sidecar's startupProbe holds the app until the sidecar is ready", (which) => {
    const { pod, spec } = pods[which];
    expect(spec.initContainers?.[0]?.startupProbe?.["exec"]).toEqual({ command: ["test", "-e", "/shared/ready"] });
    expect(spec.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([["sidecar", "Always"]]);
    expect(pod.error, timeline(pod)).toBeUndefined();
    const ready = loggedAt(pod, "sidecar", "ready");
    const probed = at(pod, "sidecar", "startupProbeSucceeded");
    expect(ready, timeline(pod)).toBeLessThan(probed);
    expect(probed, timeline(pod)).toBeLessThan(at(pod, "app", "created"));
    expect(pod.logs["app"], timeline(pod)).toContain("sidecar is ready");
  });

  it.each(["plain", "legacy", "native", "derived"] as const)("7. the kubelet model predicts the same order (%s)", (which) => {
    const { pod, spec } = pods[which];
    const c = compareWithModel(pod, spec, facts, `race-${which}`);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
