/**
 * 3. Init containers after a native sidecar can use it, on a real kubelet. The function puts the
 * sidecar after "setup" (initContainersBefore) and before "migrate", which fetches a page from
 * the sidecar's web server. Also item 7 for this pod.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { at, clusterUp, containerNames, event, loggedAt, podSpecOf, runOnCluster, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

/** init/workload.yaml: setup and migrate finish at once; the sidecar serves its page after 2 s. */
const facts = {
  setup: { exitsAfter: 0 },
  sidecar: { readyAfter: 2 },
  migrate: { exitsAfter: 0 },
};

describe.skipIf(!clusterUp)("3. an init container after a native sidecar", () => {
  let pod: ClusterPod;
  let spec: PodSpec;

  beforeAll(() => {
    const native = sidecarOrder("init/native.yaml", "init/workload.yaml").file;
    spec = podSpecOf(native);
    [pod] = runOnCluster([native]) as [ClusterPod];
  });

  it("the function orders setup, the sidecar, then migrate", () => {
    expect(containerNames(spec)).toEqual(["setup", "sidecar", "migrate", "app"]);
  });

  it("setup runs before the sidecar, and migrate starts only once the sidecar answers, and reaches it", () => {
    const tl = timeline(pod);
    expect(pod.error, tl).toBeUndefined();
    expect(at(pod, "setup", "exited", { exitCode: 0 }), tl).toBeLessThan(at(pod, "sidecar", "created"));
    expect(pod.logs["sidecar"], tl).toContain("setup ran before me");
    const probed = at(pod, "sidecar", "startupProbeSucceeded");
    expect(loggedAt(pod, "sidecar", "ready"), tl).toBeLessThan(probed);
    expect(probed, tl).toBeLessThan(at(pod, "migrate", "created"));
    expect(pod.logs["migrate"], tl).toContain("sidecar answered ok");
    expect(at(pod, "migrate", "exited", { exitCode: 0 }), tl).toBeLessThan(at(pod, "app", "created"));
    expect(event(pod, "migrate", "started", { restart: 1 }), tl).toBeUndefined();
  });

  it("7. the kubelet model predicts the same order", () => {
    const c = compareWithModel(pod, spec, facts, "init");
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
