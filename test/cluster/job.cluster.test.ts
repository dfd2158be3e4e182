/**
 * 5. Jobs, on a real kubelet: with a native sidecar the Job's pod completes (Succeeded) once the
 * work is done, and the kubelet stops the sidecar; with the legacy shape (which the function
 * refuses unless allowLegacyJobs: true) the sidecar keeps the pod Running. Also item 7.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { at, clusterUp, podSpecOf, runOnCluster, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

/** job/workload.yaml: the sidecar is ready after 1 s; the work takes 2 s. */
const facts = {
  work: { exitsAfter: 2 },
  sidecar: { readyAfter: 1, postStart: { waitsForReady: true as const, timeoutSeconds: 30 } },
};
/** How long the legacy pod is given to complete (it never does). */
const timeout = 12;

describe.skipIf(!clusterUp)("5. a Job with a sidecar", () => {
  const pods: Record<"legacy" | "native", { pod: ClusterPod; spec: PodSpec }> = {} as never;

  beforeAll(() => {
    const native = sidecarOrder("job/native.yaml", "job/workload.yaml").file;
    const legacy = sidecarOrder("job/legacy.yaml", "job/workload.yaml").file;
    const [n, l] = runOnCluster([native, legacy], { timeout });
    pods.native = { pod: n!, spec: podSpecOf(native) };
    pods.legacy = { pod: l!, spec: podSpecOf(legacy) };
  });

  it("the function refuses the legacy shape for a Job unless allowLegacyJobs is true", () => {
    const refused = sidecarOrder("job/legacy-refused.yaml", "job/workload.yaml", { allowFailure: true });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/\[error\].*never complete/);
  });

  it("native: the pod completes; the kubelet stops the sidecar once the work has exited", () => {
    const { pod } = pods.native;
    const tl = timeline(pod);
    expect(pod.phase, tl).toBe("Succeeded");
    expect(pod.error, tl).toBeUndefined();
    expect(pod.logs["work"], tl).toContain("sidecar is ready");
    const workDone = at(pod, "work", "exited", { exitCode: 0 });
    expect(at(pod, "sidecar", "stopping"), tl).toBeGreaterThan(workDone);
    expect(at(pod, "sidecar", "exited"), tl).toBeLessThan(pod.deletedAt);
  });

  it("legacy: the work is done, but the sidecar keeps the pod Running until it is deleted", () => {
    const { pod } = pods.legacy;
    const tl = timeline(pod);
    expect(pod.phase, tl).toBe("Running");
    expect(pod.error, tl).toBe(`did not settle within ${timeout}s (the pod did not complete)`);
    expect(pod.logs["work"], tl).toContain("sidecar is ready");
    // The work was done seconds before the harness gave up; the sidecar ran on until the deletion.
    expect(pod.deletedAt - at(pod, "work", "exited", { exitCode: 0 }), tl).toBeGreaterThan(5e9);
    expect(at(pod, "sidecar", "stopping"), tl).toBeGreaterThanOrEqual(pod.deletedAt);
  });

  it.each(["native", "legacy"] as const)("7. the kubelet model predicts the same order (%s)", (which) => {
    const { pod, spec } = pods[which];
    const c = compareWithModel(pod, spec, facts, `job-${which}`);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
