/**
 * 4. Shutdown, on a real kubelet: the app drains for 3 s after SIGTERM, its two sidecars (mesh,
 * logs) take 1 s. As written, the sidecars are gone while the app drains. The legacy output's
 * preStop wait ("stop last") keeps them until the app has exited; the native output's sidecars
 * are stopped by the kubelet after the app, in reverse order (logs, then mesh). The legacy output
 * converted to native keeps its preStop waits: the kubelet runs them at once, with the app's
 * SIGTERM, and still stops the sidecars after the app in reverse order. Also item 7.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { ContainerFacts } from "../../src/model/kubelet";
import { at, clusterUp, containerNames, loggedAt, podSpecOf, runOnCluster, scenarios, sidecarOrder, timeline, type ClusterPod, type PodSpec } from "./support/function";
import { compareWithModel, explain } from "./support/model";

/** shutdown/workload.yaml's containers (a preStop sleep takes its seconds: the model reads them). */
const sidecar: ContainerFacts = { readyAfter: 1, stopTakes: 1, postStart: { waitsForReady: true, timeoutSeconds: 30 } };
const facts: Record<string, ContainerFacts> = { app: { stopTakes: 3 }, mesh: sidecar, logs: sidecar };

describe.skipIf(!clusterUp)("4. shutdown: the sidecars outlive the app", () => {
  const pods: Record<"plain" | "legacy" | "native" | "converted", { pod: ClusterPod; spec: PodSpec }> = {} as never;

  beforeAll(() => {
    const plain = join(scenarios, "shutdown/workload.yaml");
    const legacy = sidecarOrder("shutdown/legacy.yaml", "shutdown/workload.yaml").file;
    const native = sidecarOrder("shutdown/native.yaml", "shutdown/workload.yaml").file;
    const converted = sidecarOrder("shutdown/native.yaml", legacy).file;
    const [p, l, n, c] = runOnCluster([plain, legacy, native, converted]);
    pods.plain = { pod: p!, spec: podSpecOf(plain) };
    pods.legacy = { pod: l!, spec: podSpecOf(legacy) };
    pods.native = { pod: n!, spec: podSpecOf(native) };
    pods.converted = { pod: c!, spec: podSpecOf(converted) };
  });

  it("as written, every container gets SIGTERM at once and the sidecars are gone while the app drains", () => {
    const { pod } = pods.plain;
    const tl = timeline(pod);
    expect(pod.error, tl).toBeUndefined();
    const appExits = at(pod, "app", "exited", { exitCode: 0 });
    for (const s of ["mesh", "logs"]) {
      expect(at(pod, s, "stopping"), tl).toBeLessThan(loggedAt(pod, "app", "exiting"));
      expect(at(pod, s, "exited"), tl).toBeLessThan(appExits);
    }
  });

  it("legacy stop-last: a preStop wait keeps each sidecar running until the app has exited", () => {
    const { pod, spec } = pods.legacy;
    const tl = timeline(pod);
    expect(containerNames(spec)).toEqual(["mesh", "logs", "app"]);
    expect(pod.error, tl).toBeUndefined();
    const appExits = at(pod, "app", "exited", { exitCode: 0 });
    for (const s of ["mesh", "logs"]) {
      expect(at(pod, s, "preStop"), tl).toBeLessThan(appExits);
      expect(appExits, tl).toBeLessThan(at(pod, s, "stopping"));
      expect(loggedAt(pod, "app", "exiting"), tl).toBeLessThan(loggedAt(pod, s, "got TERM"));
      expect(at(pod, s, "exited", { exitCode: 0 }), tl).toBeGreaterThan(appExits);
    }
  });

  it("native: the kubelet stops the sidecars after the app, in reverse order (logs, then mesh)", () => {
    const { pod, spec } = pods.native;
    const tl = timeline(pod);
    expect(spec.initContainers?.map((c) => c.name)).toEqual(["mesh", "logs"]);
    expect(pod.error, tl).toBeUndefined();
    const order = [
      at(pod, "app", "stopping"),
      at(pod, "app", "exited", { exitCode: 0 }),
      at(pod, "logs", "stopping"),
      at(pod, "logs", "exited", { exitCode: 0 }),
      at(pod, "mesh", "stopping"),
      at(pod, "mesh", "exited", { exitCode: 0 }),
    ];
    expect(order, tl).toEqual([...order].sort((a, b) => a - b));
    expect(loggedAt(pod, "app", "exiting"), tl).toBeLessThan(loggedAt(pod, "logs", "got TERM"));
    expect(loggedAt(pod, "logs", "exiting"), tl).toBeLessThan(loggedAt(pod, "mesh", "got TERM"));
  });

  it("legacy output converted to native: the preStop waits run at once, and the sidecars still stop after the app, logs then mesh", () => {
    const { pod, spec } = pods.converted;
    const tl = timeline(pod);
    expect(spec.initContainers?.map((c) => [c.name, c.restartPolicy, Object.keys(c.lifecycle ?? {}).sort()])).toEqual([
      ["mesh", "Always", ["postStart", "preStop"]],
      ["logs", "Always", ["postStart", "preStop"]],
    ]);
    expect(pod.error, tl).toBeUndefined();
    const appStops = at(pod, "app", "stopping");
    for (const s of ["mesh", "logs"]) expect(Math.abs(at(pod, s, "preStop") - appStops), tl).toBeLessThan(0.5e9);
    const order = [
      at(pod, "app", "exited", { exitCode: 0 }),
      at(pod, "logs", "preStopDone"),
      at(pod, "logs", "stopping"),
      at(pod, "logs", "exited", { exitCode: 0 }),
      at(pod, "mesh", "stopping"),
      at(pod, "mesh", "exited", { exitCode: 0 }),
    ];
    expect(order, tl).toEqual([...order].sort((a, b) => a - b));
  });

  it.each(["plain", "legacy", "native", "converted"] as const)("7. the kubelet model predicts the same order (%s)", (which) => {
    const { pod, spec } = pods[which];
    const c = compareWithModel(pod, spec, facts, `shutdown-${which}`);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
