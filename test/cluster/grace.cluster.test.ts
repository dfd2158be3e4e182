/**
 * 9. The grace period's end, on a real kubelet: when the kubelet SIGKILLs what is still running.
 * --explain's model (src/model/kubelet.ts) must predict it: one clock for the whole pod, but never
 * less than 2 s between a container's SIGTERM and its SIGKILL. Checked by the grace periods the
 * kubelet itself logs for each container's stop, and by when the model and the kubelet end each one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { ContainerFacts } from "../../src/model/kubelet";
import { at, clusterUp, event, podSpecOf, runOnCluster, scenarios, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain, modelSteps, realSteps } from "./support/model";

/** grace/workload.yaml's containers: the app exits 1 s after SIGTERM, the others ignore it; frac's exec preStop sleeps 3.5 s. */
const facts: Record<string, ContainerFacts> = { app: { stopTakes: 1 }, late: { stopTakes: 100 }, frac: { stopTakes: 100, preStopTakes: 3.5 }, stubborn: { stopTakes: 100 } };

describe.skipIf(!clusterUp)("9. the grace period's end: SIGKILL, with 2 s at least after SIGTERM", () => {
  let pod: ClusterPod;
  let spec: PodSpec;

  beforeAll(() => {
    const file = join(scenarios, "grace/workload.yaml");
    [pod] = runOnCluster([file]) as [ClusterPod];
    spec = podSpecOf(file);
  });

  it("the kubelet stops the app with the whole grace period, and the others with the 2 s minimum", () => {
    const tl = timeline(pod);
    expect(pod.error, tl).toBeUndefined();
    // What the kubelet logs as it asks the runtime to stop each container ("Killing container with a grace period").
    expect(event(pod, "app", "stopping")?.gracePeriod, tl).toBe(6);
    // late: its 5 s preStop leaves 1 s, raised to 2; stubborn: its turn never came before the end, 0 left, raised to 2.
    expect(event(pod, "late", "stopping")?.gracePeriod, tl).toBe(2);
    // frac: its 3.5 s preStop is taken off in whole seconds, rounded down: 3 s left.
    expect(event(pod, "frac", "stopping")?.gracePeriod, tl).toBe(3);
    expect(event(pod, "stubborn", "stopping")?.gracePeriod, tl).toBe(2);
    // SIGKILLed, both of them, and the app not.
    expect(event(pod, "app", "exited")?.exitCode, tl).toBe(0);
    expect(event(pod, "late", "exited")?.exitCode, tl).toBe(137);
    expect(event(pod, "frac", "exited")?.exitCode, tl).toBe(137);
    expect(event(pod, "stubborn", "exited")?.exitCode, tl).toBe(137);
    expect(at(pod, "late", "exited"), tl).toBeLessThan(at(pod, "stubborn", "exited"));
  });

  it("the model ends each container when the kubelet does (6.5 s, 7 s and 8 s after the deletion), and agrees on the order", () => {
    const model = modelSteps(spec, facts, pod);
    const real = realSteps(pod, spec);
    const exited = (steps: typeof model, name: string) => steps.find((s) => s.what === "exited" && s.name === name)!.t;
    const c = compareWithModel(pod, spec, facts, "grace");
    expect(c.disagreements, explain(c)).toEqual([]);
    const deleted = model.find((s) => s.what === "stop" && s.name === "app")!.t;
    expect(exited(model, "late") - deleted).toBeCloseTo(7, 6);
    expect(exited(model, "stubborn") - deleted).toBeCloseTo(8, 6);
    expect(exited(model, "frac") - deleted).toBeCloseTo(6.5, 6);
    // The kubelet's own times, from the app's stop (the deletion), within the runtime's latency
    // (an exec hook's start included): half a second would not tell frac's 6.5 s from the grace period's end.
    const realDeleted = real.find((s) => s.what === "stop" && s.name === "app")!.t;
    for (const name of ["late", "frac", "stubborn"]) expect(Math.abs(exited(real, name) - realDeleted - (exited(model, name) - deleted)), explain(c)).toBeLessThan(0.3);
  });
});
