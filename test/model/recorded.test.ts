/**
 * The kubelet model against real kubelet timelines, offline: each file in recorded/ is one pod of
 * the cluster scenarios (test/cluster/*.cluster.test.ts) as kubelet v1.34.4 ran it, with the pod
 * spec the function wrote and the facts the scenario states about its containers. The model must
 * predict the same order of starts, readiness and stops (test/cluster/support/model.ts says what
 * "the same" means). Re-record after a model or scenario change, as root:
 *   SIDECAR_ORDER_CLUSTER_RECORD=$PWD/test/model/recorded npm run test:cluster
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareWithModel, explain, modelSteps, realSteps, recordingReviver, type Recording, type Step } from "../cluster/support/model";
import type { ClusterPod } from "../cluster/support/function";

const dir = join(dirname(fileURLToPath(import.meta.url)), "recorded");
const recordings = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8"), recordingReviver) as Recording);

describe("the kubelet model predicts what kubelet v1.34.4 did (recorded by test:cluster)", () => {
  it("has recordings of every scenario", () => {
    const scenarios = new Set(recordings.map((r) => r.label.split("-")[0]));
    expect([...scenarios].sort()).toEqual(["after", "failure", "grace", "hooks", "init", "job", "race", "shutdown"]);
  });

  // Beyond the order: a container SIGKILLed at the grace period's end (exit 137 after the deletion) ends when the kubelet ended it.
  const killed = recordings.flatMap((r) => r.pod.events.filter((e) => e.type === "exited" && e.exitCode === 137 && e.t > r.pod.deletedAt).map((e) => [`${r.label}: ${e.container}`, r, e.container] as const));
  it("has SIGKILLs at the grace period's end to time", () => expect(killed.length).toBeGreaterThan(0));
  it.each(killed)("%s is SIGKILLed when the kubelet did it", (_, r, name) => {
    const pod = { ...r.pod, logs: {} } as ClusterPod;
    const exited = (steps: Step[]) => steps.find((s) => s.what === "exited" && s.name === name)!.t;
    const model = modelSteps(r.spec, r.facts, pod);
    const real = realSteps(pod, r.spec);
    expect(Math.abs(exited(model) - exited(real))).toBeLessThan(0.3);
  });

  it.each(recordings.map((r) => [r.label, r] as const))("%s", (_, r) => {
    const c = compareWithModel({ ...r.pod, logs: {} } as ClusterPod, r.spec, r.facts, r.label);
    expect(c.disagreements, explain(c)).toEqual([]);
  });
});
