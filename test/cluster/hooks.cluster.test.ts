/**
 * 8. Probes and postStart hooks, on a real kubelet. The kubelet probes a container only once the
 * pod's status shows it running (prober/worker.go doProbe), and it writes that status before the
 * pass that starts the containers, whose postStart hooks run one after another inside it
 * (kubelet.go SyncPod, kuberuntime startContainer): the next pass shows them. So a legacy sidecar's own
 * startupProbe does not run while the function's wait does, and a legacy sidecar is not probed
 * until every hook of spec.containers has returned. The kubelet model (src/model/kubelet.ts)
 * claims both; here the kubelet judges them. Also item 7 for these pods.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { at, clusterUp, event, instances, loggedAt, podSpecOf, runOnCluster, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

/** hooks/legacy.yaml's wait gives up after 20 s. */
const wait = { waitsForReady: true as const, timeoutSeconds: 20 };
const facts = {
  "own-probe": { sidecar: { readyAfter: 6, postStart: wait } },
  "app-hook": { sidecar: { readyAfter: 1, postStart: wait }, app: { postStart: { returnsAfter: 6 } } },
};

describe.skipIf(!clusterUp)("8. probes wait for postStart hooks", () => {
  const pods: Record<"own-probe" | "app-hook", { pod: ClusterPod; spec: PodSpec }> = {} as never;

  beforeAll(() => {
    const ownProbe = sidecarOrder("hooks/legacy.yaml", "hooks/own-probe.yaml").file;
    const appHook = sidecarOrder("hooks/legacy.yaml", "hooks/app-hook.yaml").file;
    const [o, a] = runOnCluster([ownProbe, appHook]);
    pods["own-probe"] = { pod: o!, spec: podSpecOf(ownProbe) };
    pods["app-hook"] = { pod: a!, spec: podSpecOf(appHook) };
  });

  it("a legacy sidecar's own startupProbe (2 s of failures) is not run while the 6 s wait holds it", () => {
    const { pod, spec } = pods["own-probe"];
    const tl = timeline(pod);
    expect(spec.containers.map((c) => c.name)).toEqual(["sidecar", "app"]);
    expect(spec.containers[0]!.startupProbe?.["failureThreshold"]).toBe(2);
    expect(pod.error, tl).toBeUndefined();
    const started = at(pod, "sidecar", "started");
    const hookDone = at(pod, "sidecar", "postStartDone", { exitCode: 0 });
    // The wait lasts as long as the sidecar takes to get ready, three times the probe's patience.
    expect(hookDone - started, tl).toBeGreaterThanOrEqual(6e9);
    expect(loggedAt(pod, "sidecar", "ready"), tl).toBeLessThan(hookDone);
    // Never restarted, and the probe succeeded once the wait had returned.
    expect(instances(pod, "sidecar"), tl).toBe(1);
    expect(at(pod, "sidecar", "startupProbeSucceeded"), tl).toBeGreaterThan(hookDone);
    expect(hookDone, tl).toBeLessThan(at(pod, "app", "created"));
    expect(pod.logs["app"], tl).toContain("sidecar is ready");
  });

  it("a legacy sidecar is not probed until the app's own 6 s postStart hook has returned", () => {
    const { pod } = pods["app-hook"];
    const tl = timeline(pod);
    expect(pod.error, tl).toBeUndefined();
    const sidecarHook = at(pod, "sidecar", "postStartDone", { exitCode: 0 });
    const appHook = event(pod, "app", "postStartDone");
    expect(appHook?.exitCode, tl).toBe(0);
    expect(appHook!.t - at(pod, "app", "started"), tl).toBeGreaterThanOrEqual(6e9);
    expect(sidecarHook, tl).toBeLessThan(at(pod, "app", "created"));
    // Ready 1 s after it started, yet first probed only after the app's hook.
    expect(loggedAt(pod, "sidecar", "ready") + 4e9, tl).toBeLessThan(appHook!.t);
    expect(at(pod, "sidecar", "startupProbeSucceeded"), tl).toBeGreaterThan(appHook!.t);
  });

  it.each(["own-probe", "app-hook"] as const)("7. the kubelet model predicts the same order (%s)", (which) => {
    const { pod, spec } = pods[which];
    const c = compareWithModel(pod, spec, facts[which], `hooks-${which}`);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
