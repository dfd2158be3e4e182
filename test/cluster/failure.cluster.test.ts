/**
 * 2. Failure modes, on a real kubelet: a sidecar that never gets ready. The legacy output fails
 * open (the wait gives up, the kubelet kills the sidecar and starts the app anyway); the native
 * output fails closed (the startupProbe gives up, the kubelet restarts the sidecar, the app never
 * starts). Also item 7 for these pods.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { at, clusterUp, event, instances, podSpecOf, runOnCluster, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

/** failure/workload.yaml's sidecar never writes /shared/ready; the legacy wait gives up after 4 s. */
const facts = {
  sidecar: { readyAfter: Infinity, postStart: { waitsForReady: true as const, timeoutSeconds: 4 } },
};

describe.skipIf(!clusterUp)("2. a sidecar that never gets ready", () => {
  const pods: Record<"legacy" | "native", { pod: ClusterPod; spec: PodSpec }> = {} as never;

  beforeAll(() => {
    const legacy = sidecarOrder("failure/legacy.yaml", "failure/workload.yaml").file;
    const native = sidecarOrder("failure/native.yaml", "failure/workload.yaml").file;
    // Neither pod settles (a crash-looping sidecar is never "started"): 15 s is enough to see
    // the legacy app start after about 4 s and the native sidecar restarted after about 4 s.
    const [l, n] = runOnCluster([legacy, native], { timeout: 15 });
    pods.legacy = { pod: l!, spec: podSpecOf(legacy) };
    pods.native = { pod: n!, spec: podSpecOf(native) };
  });

  it("legacy fails open: the wait times out, the kubelet kills the sidecar, and the app starts anyway", () => {
    const { pod } = pods.legacy;
    const tl = timeline(pod);
    const hook = event(pod, "sidecar", "postStartDone");
    expect(hook?.exitCode, tl).not.toBe(0);
    expect(hook!.t - at(pod, "sidecar", "started"), tl).toBeGreaterThanOrEqual(4e9);
    expect(at(pod, "sidecar", "stopping"), tl).toBeGreaterThan(hook!.t);
    expect(at(pod, "sidecar", "exited"), tl).toBeLessThan(at(pod, "app", "created"));
    // ... and keeps running without its sidecar until the pod is deleted.
    expect(at(pod, "app", "stopping"), tl).toBeGreaterThanOrEqual(pod.deletedAt);
    expect(pod.logs["app"], tl).toContain("sidecar is not ready");
    // The kubelet restarts the killed sidecar, whose wait fails again: it never counts as started,
    // so the harness's "every container started" never comes.
    expect(instances(pod, "sidecar"), tl).toBeGreaterThanOrEqual(2);
    expect(pod.error, tl).toMatch(/^did not settle within 15s/);
  });

  it("native fails closed: the startupProbe gives up, the kubelet restarts the sidecar, and the app never starts", () => {
    const { pod } = pods.native;
    const tl = timeline(pod);
    expect(pod.events.filter((e) => e.container === "app"), tl).toEqual([]);
    expect(event(pod, "sidecar", "startupProbeSucceeded"), tl).toBeUndefined();
    expect(at(pod, "sidecar", "stopping"), tl).toBeLessThan(pod.deletedAt);
    expect(at(pod, "sidecar", "started", { restart: 1 }), tl).toBeGreaterThan(at(pod, "sidecar", "exited"));
    expect(pod.phase, tl).toBe("Pending");
    expect(pod.error, tl).toMatch(/^did not settle within 15s/);
  });

  it.each(["legacy", "native"] as const)("7. the kubelet model predicts the same order (%s)", (which) => {
    const { pod, spec } = pods[which];
    const c = compareWithModel(pod, spec, facts, `failure-${which}`);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
