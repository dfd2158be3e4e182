/**
 * `--explain`: a workload's predicted timeline in plain text, from the kubelet model
 * (src/model/kubelet.ts, held to timelines recorded on a real kubelet). The start order and what
 * holds each container, what happens when a sidecar never gets ready, and the shutdown order and
 * budget all come from simulating the pod, not from restating the rules here. It imports nothing
 * but the model: the executable loads the two only when explaining (src/explain/load.ts).
 */
import { probeBudget, probePeriod } from "../pod/probe-timing";
import { simulate, type ContainerFacts, type PodEvent, type PodSpec as ModelSpec, type Script } from "../model/kubelet";
import type { Container, Handler, PodSpec, Probe } from "../pod/types";
import { waitLimitSeconds } from "../strategies/legacy";

export interface Workload {
  /** How the text names it, e.g. `Deployment shop/api`. */
  title: string;
  /** The pod spec as sidecar-order leaves it. */
  spec: PodSpec;
  /** A Job's, a CronJob's or a pod that does not restart: it completes once its app containers exit. */
  runsToCompletion: boolean;
  /** Sidecars in spec.containers (legacy); native ones are init containers with restartPolicy: Always. */
  legacySidecars: readonly string[];
  /** Seconds a sidecar takes to exit after SIGTERM, and why (Istio drains for terminationDrainDuration). */
  sidecarStop: ReadonlyMap<string, { seconds: number; why: string }>;
  /** terminationGracePeriodSeconds, or its default. */
  graceSeconds: number;
  /** How long each container's preStop hook takes (a sleep's seconds). */
  preStopSeconds: ReadonlyMap<string, number>;
  /** shutdown.appSeconds and shutdown.marginSeconds. */
  appSeconds: number;
  marginSeconds: number;
  /** What sidecar-order changed, in a few words; undefined when it changed nothing. */
  changed?: string;
}

/** A delay that shows whether one container holds another back (any length would do). */
const PROBE_DELAY = 10;
/** When the simulated pod is deleted: long after everything has started. */
const DELETE_AT = 1000;

export function explain(w: Workload): string {
  const spec = modelSpec(w.spec);
  const inits = w.spec.initContainers;
  const all = [...inits, ...w.spec.containers];
  const sidecars = new Set([...inits.filter(isNative).map((c) => c.name), ...w.legacySidecars]);
  const lines: string[] = [w.title];
  lines.push(`  ${w.changed ? `sidecar-order changed: ${w.changed}` : "sidecar-order changed nothing here"}.`);
  const kinds = [inits.some(isNative) ? "native (init containers with restartPolicy: Always)" : "", w.legacySidecars.length ? "legacy (in spec.containers)" : ""].filter(Boolean);
  lines.push(sidecars.size ? `  Sidecars: ${[...sidecars].map((n) => `"${n}"`).join(", ")}, ${kinds.join(" and ")}.` : "  No sidecars: the containers start in the order written.");

  // Start: the model's order; a container holds another back when delaying it delays the other.
  const base = simulate(spec, { containers: baseFacts(w.spec) });
  const started = base.filter((e) => e.what === "start").map((e) => e.name);
  const byName = new Map(all.map((c) => [c.name, c]));
  const holders = new Map(started.map((name, i) => [name, started.slice(0, i).filter((h) => holds(spec, w.spec, h, name))]));
  lines.push("", "  Start, in order:");
  started.forEach((name, i) => {
    const c = byName.get(name)!;
    // Only the containers it waits on directly: not those that already hold one of them back.
    const mine = holders.get(name) ?? [];
    const direct = mine.filter((h) => !mine.some((h2) => holders.get(h2)?.includes(h)));
    const after = direct.length ? `, after ${direct.map((h) => `${h} ${isPlainInit(byName.get(h)!, w.spec) ? "has exited" : "is started"}`).join(" and ")}` : i > 0 ? ", at once (nothing holds it back)" : "";
    const holdsNext = started.slice(i + 1).some((n) => holders.get(n)?.includes(name));
    lines.push(`    ${i + 1}. ${name}, ${role(c, w.spec, sidecars)}${after}${holdsNext ? `: ${gateOf(c, w.spec)}` : ""}`);
  });
  const neverStarted = all.filter((c) => !started.includes(c.name));
  if (neverStarted.length) lines.push(`    Never starts, even when everything is ready: ${neverStarted.map((c) => c.name).join(", ")}.`);

  // A sidecar that never gets ready: does what follows start anyway (fails open) or wait (fails closed)?
  const order = all.filter((c) => sidecars.has(c.name));
  if (order.length) {
    lines.push("", "  If a sidecar never gets ready:");
    for (const c of order) lines.push(`    ${c.name}: ${neverReady(spec, w.spec, c, started)}`);
  }

  if (w.runsToCompletion) lines.push("", `  When the app exits: ${completion(spec, w.spec, sidecars)}`);
  lines.push("", ...shutdown(spec, w, sidecars));
  return lines.join("\n");
}

function isNative(c: Container): boolean {
  return c.restartPolicy === "Always";
}

function modelSpec(spec: PodSpec): ModelSpec {
  const out: ModelSpec = { containers: spec.containers, initContainers: spec.initContainers };
  if (spec.restartPolicy === "Always" || spec.restartPolicy === "OnFailure" || spec.restartPolicy === "Never") out.restartPolicy = spec.restartPolicy;
  if (spec.terminationGracePeriodSeconds !== undefined) out.terminationGracePeriodSeconds = spec.terminationGracePeriodSeconds;
  return out;
}

/** Everything ready at once; plain init containers exit at once; hooks return at once. */
function baseFacts(spec: PodSpec): Record<string, ContainerFacts> {
  const facts: Record<string, ContainerFacts> = {};
  for (const c of spec.initContainers) if (!isNative(c)) facts[c.name] = { exitsAfter: 0 };
  return facts;
}

/** Whether `later`'s start waits on `earlier`: delay `earlier`'s exit, readiness and hook, and see. */
function holds(spec: ModelSpec, pod: PodSpec, earlier: string, later: string): boolean {
  const facts = baseFacts(pod);
  const c = [...pod.initContainers, ...pod.containers].find((x) => x.name === earlier)!;
  facts[earlier] = pod.initContainers.includes(c) && !isNative(c) ? { exitsAfter: PROBE_DELAY } : { runningAfter: PROBE_DELAY, readyAfter: PROBE_DELAY, ...(c.lifecycle?.postStart ? { postStart: { returnsAfter: 0 } } : {}) };
  const start = simulate(spec, { containers: facts }).find((e) => e.what === "start" && e.name === later);
  return start !== undefined && start.t >= PROBE_DELAY;
}

function role(c: Container, pod: PodSpec, sidecars: ReadonlySet<string>): string {
  if (pod.initContainers.includes(c)) return isNative(c) ? "native sidecar" : "init container";
  return sidecars.has(c.name) ? "legacy sidecar" : "app container";
}

function isPlainInit(c: Container, pod: PodSpec): boolean {
  return pod.initContainers.includes(c) && !isNative(c);
}

/** What the containers after `c` wait for. */
function gateOf(c: Container, pod: PodSpec): string {
  if (isPlainInit(c, pod)) return "runs to completion; the next waits for it to exit";
  const parts: string[] = [];
  if (c.startupProbe && isNative(c)) parts.push(`its startupProbe (${probeText(c.startupProbe)}) succeeds`);
  if (c.lifecycle?.postStart) parts.push(`its postStart hook (${handlerText(c.lifecycle.postStart)}) returns`);
  return parts.length ? `started once ${parts.join(" and ")}` : "started as soon as its process runs, ready or not";
}

function probeText(p: Probe): string {
  return `${handlerText(p)}, every ${probePeriod(p)} s, up to ${probeBudget(p)} s`;
}

function handlerText(h: Handler): string {
  if (h.exec?.command) return clip(h.exec.command.join(" "));
  if (h.httpGet) return `GET ${String(h.httpGet["path"] ?? "/")} on port ${String(h.httpGet["port"])}`;
  if (h.tcpSocket) return `TCP port ${String(h.tcpSocket["port"])}`;
  if (h.sleep) return `sleep ${h.sleep.seconds ?? 0} s`;
  if (h["grpc"]) return "gRPC health check";
  return "a handler";
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Seconds a wait command gives up after, read from a timeout-like flag; undefined when none. */
function waitTimeout(h: Handler | undefined): number | undefined {
  const command = h?.exec?.command;
  return Array.isArray(command) ? waitLimitSeconds(command.filter((a): a is string => typeof a === "string")) : undefined;
}

function neverReady(spec: ModelSpec, pod: PodSpec, c: Container, started: readonly string[]): string {
  const facts = baseFacts(pod);
  const timeout = waitTimeout(c.lifecycle?.postStart);
  facts[c.name] = { readyAfter: Infinity, ...(c.lifecycle?.postStart ? { postStart: { waitsForReady: true, ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) } } : {}) };
  const events = simulate(spec, { containers: facts });
  const after = started.slice(started.indexOf(c.name) + 1);
  const missing = after.filter((n) => !events.some((e) => e.what === "start" && e.name === n));
  const failed = events.find((e) => e.name === c.name && (e.what === "startupProbe-failed" || e.what === "postStart-failed"));
  const why = failed?.what === "startupProbe-failed" ? `its startupProbe gives up after ${failed.t} s and the kubelet kills it (and restarts it, again and again)` : failed ? `its postStart wait gives up after ${failed.t} s and the kubelet kills it (FailedPostStartHook)` : undefined;
  if (missing.length) {
    const closed = `fails closed: ${missing.join(", ")} never start${missing.length === 1 ? "s" : ""}`;
    return why ? `${why}; ${closed}.` : `${c.lifecycle?.postStart ? "its postStart hook never returns" : "nothing gives up"}; ${closed} (the pod waits forever).`;
  }
  if (after.length === 0) return why ? `${why}; nothing else waits for it.` : "nothing waits for it.";
  const open = `fails open: ${after.join(", ")} start${after.length === 1 ? "s" : ""} anyway, without it`;
  return why ? `${why}; ${open}.` : `fails open: nothing waits for it to be ready (no startupProbe, no postStart wait), so ${after.join(", ")} start${after.length === 1 ? "s" : ""} regardless.`;
}

/** A run-to-completion pod: does it complete once the app has exited, and in what order do sidecars stop? */
function completion(spec: ModelSpec, pod: PodSpec, sidecars: ReadonlySet<string>): string {
  const facts = baseFacts(pod);
  const apps = pod.containers.filter((c) => !sidecars.has(c.name));
  for (const c of apps) facts[c.name] = { exitsAfter: PROBE_DELAY };
  const events = simulate({ ...spec, restartPolicy: spec.restartPolicy === "OnFailure" ? "OnFailure" : "Never" }, { containers: facts });
  const stops = events.filter((e) => e.what === "stop").map((e) => e.name);
  if (events.some((e) => e.what === "completed")) {
    return stops.length ? `the kubelet stops the native sidecars (${stops.join(", then ")}) and the pod completes.` : "the pod completes.";
  }
  const left = [...pod.initContainers, ...pod.containers].filter((c) => events.some((e) => e.what === "start" && e.name === c.name) && !events.some((e) => e.what === "exited" && e.name === c.name));
  return `${left.map((c) => c.name).join(", ")} keep${left.length === 1 ? "s" : ""} running, so the pod never completes (legacy sidecars are not stopped for the app; the app must stop them).`;
}

/** Delete the pod once everything runs: who gets preStop, SIGTERM and SIGKILL when, against the grace period. */
function shutdown(spec: ModelSpec, w: Workload, sidecars: ReadonlySet<string>): string[] {
  const pod = w.spec;
  const grace = w.graceSeconds;
  const facts = baseFacts(pod);
  const all = [...pod.initContainers, ...pod.containers];
  for (const c of all) {
    if (pod.initContainers.includes(c) && !isNative(c)) continue;
    const stop = sidecars.has(c.name) ? (w.sidecarStop.get(c.name)?.seconds ?? 0) : w.appSeconds;
    facts[c.name] = { ...facts[c.name], preStopTakes: w.preStopSeconds.get(c.name) ?? 0, stopTakes: stop };
  }
  const script: Script = { containers: facts, terminateAt: DELETE_AT };
  const events = simulate(spec, script).filter((e) => e.t >= DELETE_AT && e.name !== "pod");
  const lines = [`  Shutdown (pod deleted; terminationGracePeriodSeconds ${grace}${pod.terminationGracePeriodSeconds === undefined ? ", the default" : ""}; the app taken to stop ${w.appSeconds} s after SIGTERM, shutdown.appSeconds):`];
  const said = {};
  for (const e of events) lines.push(`    ${pad(`${e.t - DELETE_AT} s`)} ${eventText(e, all, w, sidecars, said)}`);
  const killed = events.filter((e) => e.what === "kill").map((e) => e.name);
  const end = Math.max(0, ...events.map((e) => e.t - DELETE_AT));
  if (killed.length) {
    lines.push(`    Over budget: the shutdown needs more than the ${grace} s grace period, and ${killed.join(", ")} ${killed.length === 1 ? "is" : "are"} killed.`);
  } else if (end > grace) {
    // Nothing killed, yet past the grace period: the kubelet's 2 s minimum after a late SIGTERM.
    lines.push(`    Over budget: done after ${end} s, ${Math.round((end - grace) * 1000) / 1000} s past the ${grace} s grace period; it ends in time only because the kubelet gives a container at least 2 s after its SIGTERM.`);
  } else {
    const spare = grace - end;
    const tight = spare < w.marginSeconds ? ` (less than the ${w.marginSeconds} s margin, shutdown.marginSeconds)` : "";
    lines.push(`    Budget: done after ${end} s of the ${grace} s grace period, ${spare} s to spare${tight}.`);
  }
  return lines;
}

function eventText(e: PodEvent, all: readonly Container[], w: Workload, sidecars: ReadonlySet<string>, said: { native?: boolean }): string {
  const c = all.find((x) => x.name === e.name);
  switch (e.what) {
    case "preStop":
      return `${e.name}: preStop hook (${c?.lifecycle?.preStop ? handlerText(c.lifecycle.preStop) : "none"})`;
    case "stop": {
      const first = sidecars.has(e.name) && c && isNative(c) && !said.native;
      if (first) said.native = true;
      const why = first ? " (native sidecars stop after the app, last started first)" : "";
      const takes = sidecars.has(e.name) ? w.sidecarStop.get(e.name) : undefined;
      return `${e.name}: SIGTERM${why}${takes && takes.seconds > 0 ? `; exits after ${takes.why}` : ""}`;
    }
    case "exited":
      return `${e.name}: exited`;
    case "kill":
      return `${e.name}: SIGKILL (out of grace period)`;
    default:
      return `${e.name}: ${e.what}`;
  }
}

function pad(s: string): string {
  return s.padEnd(6);
}
