/**
 * Item 7 of the cluster scenarios: the project's kubelet model (src/model/kubelet.ts) must
 * predict the same ORDER of starts, readiness and stops as the real kubelet did for the same pod.
 *
 * Both timelines are put in the model's words ("start app", "ready sidecar", "stop logs", ...):
 *
 * | model                 | real: the harness's events, first instance of each container            |
 * | --------------------- | ----------------------------------------------------------------------- |
 * | start X               | `started` (containerd: its process runs)                                |
 * | started X             | the latest of `started`, `startupProbeSucceeded` (with a startupProbe)  |
 * |                       | and a successful `postStartDone` (with an exec postStart hook): what    |
 * |                       | the kubelet waits for before the next container                         |
 * | ready X               | X's own log line `ready` (the scenarios' containers say so when ready)  |
 * | postStart-failed X    | `postStartDone` with a non-zero exit code                               |
 * | startupProbe-failed X | `stopping` before the pod's deletion, with no `startupProbeSucceeded`   |
 * | stop X, kill X        | `stopping` (the kubelet asks the runtime to stop it)                    |
 * | preStop X             | `preStop`                                                               |
 * | exited X              | `exited`                                                                |
 * | completed pod         | phase `Succeeded` (presence only: it has no time)                       |
 *
 * They agree when both have the same events, and every pair the model orders is in that order
 * in the real timeline. The model orders A before B when
 * - A and B are about the same container and A comes first in the model's list, or
 * - B is at least `slack` seconds after A in the model (the model has no start latency, no
 *   probe period, no log delay: closer than that it does not decide an order), or
 * - they happen at the same model time and B is what A causes: A is a container becoming
 *   ready/started/exiting/failing its hook, and B a start, a stop or the pod's completion that
 *   comes after it in the model's list.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { simulate, type ContainerFacts, type EventKind, type PodEvent } from "../../../src/model/kubelet";
import type { ClusterPod, PodSpec } from "./function";

export interface Step {
  what: EventKind;
  name: string;
  /** Seconds: model time, or real time since the first container started. */
  t: number;
}

const key = (s: { what: string; name: string }) => `${s.what} ${s.name}`;
const causes = new Set(["ready", "started", "exited", "postStart-failed", "startupProbe-failed", "kill"]);
const effects = new Set(["start", "started", "stop", "kill", "completed"]);

/** The real timeline in the model's words; times in seconds from the first container's start. */
export function realSteps(pod: ClusterPod, spec: PodSpec): Step[] {
  const first = pod.events.filter((e) => !e.restart);
  const t0 = Math.min(...first.filter((e) => e.type === "started").map((e) => e.t));
  const s = (ns: number) => (ns - t0) / 1e9;
  const out: Step[] = [];
  const inits = spec.initContainers ?? [];
  for (const c of [...inits, ...spec.containers]) {
    const plainInit = inits.includes(c) && c.restartPolicy !== "Always";
    const mine = first.filter((e) => e.container === c.name);
    const one = (type: string, pred: (e: (typeof mine)[number]) => boolean = () => true) => mine.find((e) => e.type === type && pred(e));
    const started = one("started");
    if (!started) continue;
    out.push({ what: "start", name: c.name, t: s(started.t) });
    const probe = one("startupProbeSucceeded");
    const hook = c.lifecycle?.postStart?.["exec"] ? one("postStartDone") : undefined;
    if (!plainInit) {
      const gates = [started.t];
      if (c.startupProbe) gates.push(probe?.t ?? NaN);
      if (c.lifecycle?.postStart) gates.push(hook && hook.exitCode === 0 ? hook.t : NaN);
      if (gates.every((t) => !Number.isNaN(t))) out.push({ what: "started", name: c.name, t: s(Math.max(...gates)) });
    }
    if (hook && hook.exitCode !== 0) out.push({ what: "postStart-failed", name: c.name, t: s(hook.t) });
    const ready = pod.logLines[c.name]?.find((l) => l.text === "ready" && (!started || l.t >= started.t) && l.t <= (one("exited")?.t ?? Infinity));
    if (ready) out.push({ what: "ready", name: c.name, t: s(ready.t) });
    const preStop = one("preStop");
    if (preStop) out.push({ what: "preStop", name: c.name, t: s(preStop.t) });
    const stopping = one("stopping");
    if (stopping) {
      if (c.startupProbe && !probe && stopping.t < pod.deletedAt) out.push({ what: "startupProbe-failed", name: c.name, t: s(stopping.t) });
      out.push({ what: "stop", name: c.name, t: s(stopping.t) });
    }
    const exited = one("exited");
    if (exited) out.push({ what: "exited", name: c.name, t: s(exited.t) });
  }
  if (pod.phase === "Succeeded") out.push({ what: "completed", name: "pod", t: Infinity });
  return out.sort((a, b) => a.t - b.t);
}

/** What the model predicts for SPEC with FACTS, deleted when the real pod was (same time scale). */
export function modelSteps(spec: PodSpec, facts: Record<string, ContainerFacts>, pod: ClusterPod): Step[] {
  const started = pod.events.filter((e) => !e.restart && e.type === "started").map((e) => e.t);
  const terminateAt = pod.phase === "Running" || pod.phase === "Pending" ? (pod.deletedAt - Math.min(...started)) / 1e9 : undefined;
  // Facts about a postStart hook hold only where the function put one.
  const hooks = new Set([...(spec.initContainers ?? []), ...spec.containers].filter((c) => c.lifecycle?.postStart).map((c) => c.name));
  const names = new Set([...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name));
  const mine = Object.fromEntries(
    Object.entries(facts)
      .filter(([name]) => names.has(name))
      .map(([name, f]) => [name, hooks.has(name) ? f : { ...f, postStart: undefined }]),
  );
  const events = simulate(spec, { containers: mine, ...(terminateAt !== undefined ? { terminateAt } : {}) });
  const seen = new Set<string>();
  const out: Step[] = [];
  for (const e of events as PodEvent[]) {
    // The model's "kill" (a failed hook, the grace period's end) is a stop the kubelet asks for.
    const what = e.what === "kill" ? "stop" : e.what;
    const k = key({ what, name: e.name });
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ what, name: e.name, t: e.t });
  }
  return out;
}

export interface Comparison {
  model: string[];
  real: string[];
  /** Empty when they agree. */
  disagreements: string[];
}

/** One real pod with what the model needs to predict it: test/model/recorded/*.json. */
export interface Recording {
  label: string;
  spec: PodSpec;
  facts: Record<string, ContainerFacts>;
  pod: Pick<ClusterPod, "name" | "workload" | "phase" | "events" | "logLines" | "deletedAt">;
}

/** JSON has no Infinity ("never ready"); recordings spell it as a string. */
export const recordingReplacer = (_: string, v: unknown) => (v === Infinity ? "Infinity" : v);
export const recordingReviver = (_: string, v: unknown) => (v === "Infinity" ? Infinity : v);

/**
 * Compares the model's prediction for SPEC and FACTS with what the real kubelet did to POD.
 * With SIDECAR_ORDER_CLUSTER_RECORD=DIR the pod is also written to DIR/LABEL.json, for the
 * offline replay in test/model/recorded.test.ts.
 */
export function compareWithModel(pod: ClusterPod, spec: PodSpec, facts: Record<string, ContainerFacts>, label: string, slack = 1.5): Comparison {
  const dir = process.env["SIDECAR_ORDER_CLUSTER_RECORD"];
  if (dir) {
    const { name, workload, phase, events, logLines, deletedAt } = pod;
    const rec: Recording = { label, spec, facts, pod: { name, workload, phase, events, logLines, deletedAt } };
    writeFileSync(join(dir, `${label}.json`), `${JSON.stringify(rec, recordingReplacer, 1)}\n`);
  }
  const model = modelSteps(spec, facts, pod);
  const real = realSteps(pod, spec);
  const realAt = new Map(real.map((s) => [key(s), s.t]));
  const modelKeys = new Set(model.map(key));
  const disagreements: string[] = [];
  for (const s of model) if (!realAt.has(key(s))) disagreements.push(`the model has "${key(s)}" (at ${s.t.toFixed(1)} s); the kubelet did not`);
  for (const s of real) if (!modelKeys.has(key(s))) disagreements.push(`the kubelet did "${key(s)}" (at ${s.t.toFixed(2)} s); the model has no such event`);
  for (let i = 0; i < model.length; i++) {
    for (let j = i + 1; j < model.length; j++) {
      const a = model[i]!;
      const b = model[j]!;
      const ordered =
        a.name === b.name || b.t - a.t >= slack || (a.t === b.t && causes.has(a.what) && effects.has(b.what));
      if (!ordered) continue;
      const ta = realAt.get(key(a));
      const tb = realAt.get(key(b));
      if (ta === undefined || tb === undefined || ta <= tb) continue;
      disagreements.push(`the model has "${key(a)}" (${a.t.toFixed(1)} s) before "${key(b)}" (${b.t.toFixed(1)} s); the kubelet the other way round (${ta.toFixed(2)} s, ${tb.toFixed(2)} s)`);
    }
  }
  const fmt = (s: Step) => `${Number.isFinite(s.t) ? s.t.toFixed(2).padStart(6) : "     -"}  ${key(s)}`;
  const result = { model: model.map(fmt), real: real.map(fmt), disagreements };
  if (process.env["SIDECAR_ORDER_CLUSTER_VERBOSE"]) console.log(`${pod.workload} (${pod.name}):\n${explain(result)}`);
  return result;
}

/** A failure message: both timelines side by side, then what differs. */
export function explain(c: Comparison): string {
  return ["model:", ...c.model, "kubelet:", ...c.real, "disagreements:", ...c.disagreements].join("\n");
}
