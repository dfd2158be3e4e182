/**
 * 6. Several sidecars with `after`, on a real kubelet: the config lists proxy (after: [mesh]),
 * logs, mesh; the function orders them so that mesh comes before proxy, and the kubelet starts
 * each only once the one before it is ready, in the legacy and the native output alike. Also
 * item 7 for these pods.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { at, clusterUp, containerNames, loggedAt, podSpecOf, runOnCluster, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

const sidecar = { readyAfter: 1, postStart: { waitsForReady: true as const, timeoutSeconds: 30 } };
/** after/workload.yaml: each sidecar is ready 1 s after it starts. */
const facts = { proxy: sidecar, logs: sidecar, mesh: sidecar };

describe.skipIf(!clusterUp)("6. several sidecars, one after another", () => {
  const pods: Record<"legacy" | "native", { pod: ClusterPod; spec: PodSpec }> = {} as never;

  beforeAll(() => {
    const legacy = sidecarOrder("after/legacy.yaml", "after/workload.yaml").file;
    const native = sidecarOrder("after/native.yaml", "after/workload.yaml").file;
    const [l, n] = runOnCluster([legacy, native]);
    pods.legacy = { pod: l!, spec: podSpecOf(legacy) };
    pods.native = { pod: n!, spec: podSpecOf(native) };
  });

  it.each(["legacy", "native"] as const)("%s: started in the function's order, each once the one before is ready; proxy after mesh", (which) => {
    const { pod, spec } = pods[which];
    const tl = timeline(pod);
    const order = containerNames(spec);
    expect(order.indexOf("mesh")).toBeLessThan(order.indexOf("proxy"));
    expect(order.at(-1)).toBe("app");
    expect(pod.error, tl).toBeUndefined();
    const starts = order.map((c) => at(pod, c, "started"));
    expect(starts, tl).toEqual([...starts].sort((a, b) => a - b));
    for (let i = 1; i < order.length; i++) expect(loggedAt(pod, order[i - 1]!, "ready"), tl).toBeLessThan(at(pod, order[i]!, "created"));
    expect(pod.logs["proxy"], tl).toContain("mesh is ready");
    for (const s of ["mesh", "proxy", "logs"]) expect(pod.logs["app"], tl).toContain(`${s} is ready`);
  });

  it.each(["legacy", "native"] as const)("7. the kubelet model predicts the same order (%s)", (which) => {
    const { pod, spec } = pods[which];
    const c = compareWithModel(pod, spec, facts, `after-${which}`);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
