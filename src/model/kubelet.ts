/**
 * A small executable model of the kubelet's start and stop rules for one pod: tests check what an
 * ordering really does against it (test/model/recorded.test.ts holds it to timelines recorded on
 * kubelet v1.34.4), and `--explain` predicts a workload's timeline with it (loaded only then).
 * See the project's reference sidecar-semantics.md, sections 1-3. A discrete-event simulation: a
 * pod spec plus a script of facts about each container in, the ordered list of what happened out.
 *
 * Start: init containers in order; a plain one must exit before the next starts; a restartable
 * one (`restartPolicy: Always`, a native sidecar) must be *started*: its startupProbe has
 * succeeded (if it has one; the readinessProbe never counts) and its postStart hook has returned.
 * Then spec.containers one at a time, each postStart hook blocking the next container. A failing
 * postStart hook gets its container killed (FailedPostStartHook); for a regular container the
 * next one still starts (fails open), a native sidecar never counts as started (fails closed).
 * A startupProbe that has not succeeded after initialDelaySeconds + periodSeconds x
 * failureThreshold (defaults 0, 10, 3) gets its container killed too; for a native sidecar the
 * containers after it keep waiting (seen on kubelet 1.34: the sidecar is restarted, the app
 * never starts). No probe runs while a postStart hook does: the kubelet probes a container once
 * the pod's status shows it running, and the status it reads is written before the pass that
 * starts containers: only the next pass shows them. A native sidecar has a pass of its own;
 * spec.containers share one, so none of them is probed until the last of their hooks has returned.
 *
 * Stop (pod deletion; a run-to-completion pod whose app containers all exited only stops its
 * native sidecars, SIGTERM one at a time, with no grace period modelled): regular
 * containers get their preStop hook, then SIGTERM, all together; native sidecars run their
 * preStop at once too, but get SIGTERM only after every regular container has exited, one at a
 * time in reverse order of definition. Each container's stop runs on the grace period as the
 * kubelet counts it (kuberuntime_container.go, killContainer, v1.34.4): the seconds its preStop
 * hook took, then, for a native sidecar, the seconds it waited for its turn, are taken off the
 * grace period, each rounded down to whole seconds; what is left, but never less than 2 s
 * (minimumGracePeriodInSeconds), runs from its SIGTERM to its SIGKILL. A hook still running when
 * the grace period is used up is cut off, and a sidecar whose turn has not come when what is left
 * of it is used up gets SIGTERM then, with the 2 s.
 *
 * Not modelled: restarts (of a killed or exited container, of a sidecar whose probe fails),
 * the probe period's delay between getting ready and counting as started,
 * image pulls beyond `runningAfter`, liveness probes, exit codes.
 */

import { probeSpan, type ProbeTiming } from "../pod/probe-timing";

export interface Container {
  name: string;
  restartPolicy?: string;
  startupProbe?: unknown;
  readinessProbe?: unknown;
  lifecycle?: { postStart?: unknown; preStop?: unknown };
}

export interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  /** Never or OnFailure: the pod completes once its regular containers have exited (a Job's pod). */
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
}

/** What a container's postStart hook does, counted from when the container's process runs. */
export type HookFacts =
  | { returnsAfter: number }
  | { failsAfter: number }
  | { hangs: true }
  /** A wait command: returns once the container is ready, fails at its own timeout (none: waits forever). */
  | { waitsForReady: true; timeoutSeconds?: number };

/** Facts about one container; times in seconds from its `start`. */
export interface ContainerFacts {
  /** When its process runs. Default 0. */
  runningAfter?: number;
  /**
   * When it is ready: its startupProbe and readinessProbe succeed from then on, and a `ready`
   * event is recorded. Default: as soon as it runs (no event); Infinity: never.
   */
  readyAfter?: number;
  /** Only for a container whose spec has a postStart hook. Default: returns at once. */
  postStart?: HookFacts;
  /** When it exits by itself (plain init containers, a Job's app). Default: never. */
  exitsAfter?: number;
  /** How long its preStop hook takes. Default: a sleep action's seconds, else 0. */
  preStopTakes?: number;
  /** How long it takes to exit after SIGTERM. Default 0. */
  stopTakes?: number;
}

export interface Script {
  containers?: Record<string, ContainerFacts>;
  /** When the pod is deleted. Default: never. */
  terminateAt?: number;
}

export type EventKind =
  | "start"
  | "ready"
  | "started"
  | "postStart-failed"
  | "startupProbe-failed"
  | "kill"
  | "preStop"
  | "stop"
  | "exited"
  | "completed";

export interface PodEvent {
  t: number;
  what: EventKind;
  /** A container's name; "pod" for `completed`. */
  name: string;
}

interface State {
  alive: boolean;
  /** SIGTERM sent, or being killed. */
  stopping: boolean;
  preStopDone: boolean;
  /** Terminating: when its preStop hook ended (when the pod began to terminate, without one). */
  preStopEnd?: number;
}

const SIGKILL_AFTER_SECONDS = 2;

/** Whole seconds, rounded down as the kubelet's int64() does (past float error). */
const wholeSeconds = (t: number) => Math.floor(t + 1e-9);

export function simulate(spec: PodSpec, script: Script = {}): PodEvent[] {
  const inits = spec.initContainers ?? [];
  const apps = spec.containers;
  const all = [...inits, ...apps];
  const isSidecar = (c: Container) => inits.includes(c) && c.restartPolicy === "Always";
  const facts = (c: Container): ContainerFacts => script.containers?.[c.name] ?? {};
  check(spec, script);

  const queue: { t: number; seq: number; run: () => void }[] = [];
  const events: PodEvent[] = [];
  let now = 0;
  let seq = 0;
  const at = (t: number, run: () => void) => {
    if (Number.isFinite(t)) queue.push({ t: Math.max(t, now), seq: seq++, run });
  };
  const emit = (what: EventKind, name: string) => events.push({ t: now, what, name });
  const state = new Map<string, State>();
  const alive = (c: Container) => state.get(c.name)?.alive === true;
  let terminating = false;
  /** When the pod began to terminate, and its terminationGracePeriodSeconds. */
  let termination: { at: number; grace: number } | undefined;
  let completed = false;
  const runsToCompletion = spec.restartPolicy === "Never" || spec.restartPolicy === "OnFailure";

  function exit(c: Container): void {
    const st = state.get(c.name)!;
    if (!st.alive) return;
    st.alive = false;
    emit("exited", c.name);
    stopSidecars();
    if (runsToCompletion && !terminating && !completed && apps.every((a) => state.has(a.name)) && !all.some(alive)) {
      completed = true;
      emit("completed", "pod");
    }
  }

  function sigterm(c: Container): void {
    const st = state.get(c.name);
    if (!st?.alive || st.stopping) return;
    st.stopping = true;
    emit("stop", c.name);
    at(now + (facts(c).stopTakes ?? 0), () => exit(c));
    if (termination && st.preStopEnd !== undefined) {
      // What is left of the grace period after the hook and (a sidecar) the wait for its turn, in whole seconds.
      let left = termination.grace - wholeSeconds(st.preStopEnd - termination.at);
      if (isSidecar(c) && left > 0) left -= wholeSeconds(now - st.preStopEnd);
      at(now + Math.max(left, SIGKILL_AFTER_SECONDS), () => alive(c) && kill(c));
    }
  }

  function kill(c: Container): void {
    state.get(c.name)!.stopping = true;
    emit("kill", c.name);
    exit(c);
  }

  /** SIGTERM to the last native sidecar still running, once no other container runs. */
  function stopSidecars(): void {
    const appsDone = runsToCompletion && apps.every((a) => state.has(a.name));
    if (!terminating && !appsDone) return;
    if (all.some((c) => !isSidecar(c) && alive(c))) return;
    const last = inits.filter((c) => isSidecar(c) && alive(c)).pop();
    if (last && state.get(last.name)!.preStopDone) sigterm(last);
  }

  /**
   * The containers of spec.containers with a startupProbe that the kubelet's one pass started:
   * none is probed before the pass ends (see passEnded).
   */
  const pass: { c: Container; st: State; running: number; ready: number }[] = [];

  /** Start `c`; call `proceed` when the next container may start. */
  function launch(c: Container, proceed: () => void): void {
    const f = facts(c);
    const st: State = { alive: true, stopping: false, preStopDone: true };
    state.set(c.name, st);
    emit("start", c.name);
    const running = now + (f.runningAfter ?? 0);
    const ready = Math.max(running, now + (f.readyAfter ?? 0));
    if (f.readyAfter !== undefined) at(ready, () => st.alive && emit("ready", c.name));
    if (f.exitsAfter !== undefined) at(now + f.exitsAfter, () => !st.stopping && exit(c));
    if (inits.includes(c) && !isSidecar(c)) {
      // A plain init container: the next one starts once it has exited.
      if (f.exitsAfter !== undefined) at(now + f.exitsAfter, () => !st.alive && proceed());
      return;
    }
    const hook = hookOutcome(c, f, running, ready);
    if (isSidecar(c)) {
      // A native sidecar is started in a pass of its own, and probed once its hook has returned;
      // one whose hook fails never counts as started (fails closed).
      if (hook?.ok) probe(c, st, hook.t, running, ready, proceed);
      else if (hook) at(hook.t, () => st.alive && hookFailed(c));
      return;
    }
    if (c.startupProbe) pass.push({ c, st, running, ready });
    if (!hook) return; // a hook that never returns holds every container after it, and the pass
    at(hook.t, () => {
      if (!st.alive) return;
      if (!hook.ok) hookFailed(c);
      else if (!c.startupProbe) emit("started", c.name);
      proceed(); // fails open: the next container starts even when the hook failed
    });
  }

  function hookFailed(c: Container): void {
    emit("postStart-failed", c.name);
    kill(c);
  }

  /**
   * The startupProbe of `c` (if it has one), tried from `probedFrom`: it succeeds once `c` is
   * ready, or gives up and gets `c` killed. Then `c` counts as started and `proceed` is called.
   */
  function probe(c: Container, st: State, probedFrom: number, running: number, ready: number, proceed: () => void): void {
    const giveUp = c.startupProbe ? Math.max(probedFrom, running + startupProbeDelay(c.startupProbe)) + startupProbeSpan(c.startupProbe) : Infinity;
    if (ready > giveUp) {
      at(giveUp, () => {
        if (!st.alive || st.stopping) return;
        emit("startupProbe-failed", c.name);
        kill(c);
      });
      return;
    }
    at(Math.max(probedFrom, c.startupProbe ? ready : running), () => {
      if (!st.alive) return;
      emit("started", c.name);
      proceed();
    });
  }

  /**
   * The kubelet starts spec.containers in one pass, each postStart hook blocking the next, and
   * writes the pod's status before the pass, not after it; its prober reads that status and
   * probes only a container it shows running (pkg/kubelet/prober/worker.go doProbe; kubelet.go
   * SyncPod, the same in 1.29, 1.31 and 1.34). So no container of the pass is probed before the
   * last hook has returned (kubelet 1.34 in test/cluster/hooks.cluster.test.ts); a hook that never
   * returns leaves them all unprobed.
   */
  function passEnded(): void {
    for (const { c, st, running, ready } of pass) if (st.alive && !st.stopping) probe(c, st, now, running, ready, () => {});
  }

  /** When the postStart hook returns (ok) or fails; undefined when it never does. */
  function hookOutcome(c: Container, f: ContainerFacts, running: number, ready: number): { t: number; ok: boolean } | undefined {
    if (!c.lifecycle?.postStart) return { t: running, ok: true };
    const h = f.postStart ?? { returnsAfter: 0 };
    if ("returnsAfter" in h) return { t: running + h.returnsAfter, ok: true };
    if ("failsAfter" in h) return { t: running + h.failsAfter, ok: false };
    if ("waitsForReady" in h) {
      const limit = running + (h.timeoutSeconds ?? Infinity);
      if (ready <= limit) return { t: ready, ok: true };
      return Number.isFinite(limit) ? { t: limit, ok: false } : undefined;
    }
    return undefined; // hangs
  }

  /** Start the containers from position i of init containers then containers. */
  function startFrom(i: number): void {
    if (terminating) return;
    const c = all[i];
    if (c) launch(c, () => startFrom(i + 1));
    else passEnded();
  }

  function terminate(): void {
    terminating = true;
    const t = (termination = { at: now, grace: spec.terminationGracePeriodSeconds ?? 30 });
    // After its hook: a regular container gets SIGTERM; a sidecar waits for its turn, at most for
    // what is left of the grace period, and gets SIGTERM then if its turn has not come.
    const hookEnded = (c: Container, st: State) => {
      st.preStopDone = true;
      st.preStopEnd = now;
      if (!isSidecar(c)) return sigterm(c);
      at(now + t.grace - wholeSeconds(now - t.at), () => alive(c) && sigterm(c));
      stopSidecars();
    };
    for (const c of all) {
      const st = state.get(c.name);
      if (!st?.alive) continue;
      if (c.lifecycle?.preStop) {
        st.preStopDone = false;
        emit("preStop", c.name);
        // A hook that outlasts the grace period is cut off at its end.
        at(now + Math.min(facts(c).preStopTakes ?? sleepSeconds(c.lifecycle.preStop), t.grace), () => hookEnded(c, st));
      } else hookEnded(c, st);
    }
    stopSidecars();
  }

  if (script.terminateAt !== undefined) at(script.terminateAt, terminate);
  startFrom(0);
  while (queue.length > 0) {
    queue.sort((a, b) => a.t - b.t || a.seq - b.seq);
    const next = queue.shift()!;
    now = next.t;
    next.run();
  }
  return events;
}

/** How long a `sleep` lifecycle handler takes; 0 for other handlers (their time is a fact). */
function sleepSeconds(handler: unknown): number {
  return (handler as { sleep?: { seconds?: number } } | undefined)?.sleep?.seconds ?? 0;
}

/** How long after the container's start the startupProbe's first try comes. */
function startupProbeDelay(probe: unknown): number {
  return ((probe ?? {}) as ProbeTiming).initialDelaySeconds ?? 0;
}

/** How long the startupProbe keeps trying once it tries. */
function startupProbeSpan(probe: unknown): number {
  return probeSpan((probe ?? {}) as ProbeTiming);
}

/** Specs the API server rejects, and facts that do not fit the spec, are mistakes in a test. */
function check(spec: PodSpec, script: Script): void {
  const inits = spec.initContainers ?? [];
  const names = new Set<string>();
  for (const c of [...inits, ...spec.containers]) {
    if (names.has(c.name)) throw new Error(`two containers are named "${c.name}"`);
    names.add(c.name);
  }
  for (const c of inits) {
    if (c.restartPolicy === "Always") continue;
    if (c.lifecycle || c.startupProbe || c.readinessProbe) throw new Error(`init container "${c.name}" has hooks or probes but no restartPolicy: Always`);
  }
  for (const c of spec.containers) if (c.restartPolicy !== undefined) throw new Error(`container "${c.name}" sets restartPolicy`);
  const byName = new Map([...inits, ...spec.containers].map((c) => [c.name, c]));
  for (const [name, f] of Object.entries(script.containers ?? {})) {
    const c = byName.get(name);
    if (!c) throw new Error(`facts for "${name}", which is not in the pod`);
    if (f.postStart && !c.lifecycle?.postStart) throw new Error(`facts about the postStart hook of "${name}", which has none`);
    if (f.exitsAfter !== undefined && c.restartPolicy === "Always") throw new Error(`native sidecar "${name}" would be restarted after exiting; not modelled`);
  }
}

/** The events as `what name` lines, e.g. "start app". */
export function steps(events: readonly PodEvent[]): string[] {
  return events.map((e) => `${e.what} ${e.name}`);
}

/** Position of the first `what name` event, or -1. */
export function indexOf(events: readonly PodEvent[], what: EventKind, name: string): number {
  return events.findIndex((e) => e.what === what && e.name === name);
}

/** Time of the first `what name` event, or undefined. */
export function timeOf(events: readonly PodEvent[], what: EventKind, name: string): number | undefined {
  return events[indexOf(events, what, name)]?.t;
}

/** Both start, and `a` starts first. */
export function startsBefore(events: readonly PodEvent[], a: string, b: string): boolean {
  const i = indexOf(events, "start", a);
  const j = indexOf(events, "start", b);
  return i >= 0 && j >= 0 && i < j;
}

/** `later` starts, and only once `earlier` is started (its startupProbe and postStart hook are done). */
export function waitsFor(events: readonly PodEvent[], later: string, earlier: string): boolean {
  const i = indexOf(events, "started", earlier);
  const j = indexOf(events, "start", later);
  return i >= 0 && j >= 0 && i < j;
}

/** Both are stopped, and `a` gets its SIGTERM only after `b` has exited. */
export function stopsAfter(events: readonly PodEvent[], a: string, b: string): boolean {
  const i = indexOf(events, "stop", a);
  const j = indexOf(events, "exited", b);
  return i >= 0 && j >= 0 && j < i;
}
