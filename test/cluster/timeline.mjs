// One pod's container events, merged from the run's sources into one list ordered by time.
//
// type            source          when
// created         containerd      /containers/create (the CRI's CreateContainer)
// started         containerd      /tasks/start: the container's process runs
// postStartDone   containerd      exec hooks only: exit of the hook's exec process (exitCode is
//                                 the hook's). The kubelet logs nothing when a postStart hook
//                                 returns, so an httpGet or sleep postStart hook has no event
//                                 (the pod gets a note saying so). The exec is told from probes
//                                 by containerd's debug log: the kubelet runs hooks with timeout
//                                 0, probes with timeoutSeconds >= 1.
// startupProbeSucceeded kubelet   the kubelet's "Probe succeeded" probeType=Startup line (--v=3):
//                                 from here the kubelet counts the container as started and
//                                 starts the next container after a sidecar
// ready           kubelet/derived with a readinessProbe: the successThreshold-th consecutive
//                                 "Probe succeeded" probeType=Readiness line. Without one the
//                                 kubelet reports the container ready once it runs and is
//                                 started, in the status of the sync after the one that started
//                                 it, i.e. after its postStart hook: so the latest of `started`,
//                                 the startupProbe's success and an exec postStart hook's
//                                 successful return (source "derived"); none after a failed
//                                 hook or an httpGet/sleep postStart (unobservable). Not for init
//                                 containers that run to completion.
// preStop         kubelet         "Running preStop hook": the kubelet begins the hook
// preStopDone     kubelet         "PreStop hook completed" (or not completed in grace period)
// stopping        kubelet         "Killing container with a grace period": after any preStop
//                                 hook (and, for sidecars, the wait for the containers after
//                                 them), the kubelet asks the runtime to stop it (SIGTERM)
// exited          containerd      /tasks/exit of the container's own process, with exitCode
import { containerSpecs } from "./pods.mjs";

const order = ["created", "started", "postStartDone", "startupProbeSucceeded", "ready", "preStop", "preStopDone", "stopping", "exited"];

const reExecRequest = /^ExecSync for "([0-9a-f]+)" with command \[(.*)\] and timeout (\d+) \(s\)$/s;
const reExecId = /^Generated exec id "([0-9a-f]+)" for container "([0-9a-f]+)"$/;
const reExecFailed = /^ExecSync for "([0-9a-f]+)" failed$/;

/** Exec hook requests of containerd's debug log: exec id → {container, command, timeout, t}. */
export function execRequests(containerdLines) {
  const pending = new Map();
  const byExec = new Map();
  for (const l of containerdLines) {
    let m;
    if ((m = reExecRequest.exec(l.msg))) {
      if (!pending.has(m[1])) pending.set(m[1], []);
      pending.get(m[1]).push({ container: m[1], command: m[2], timeout: Number(m[3]), t: l.t });
    } else if ((m = reExecId.exec(l.msg))) {
      const req = pending.get(m[2])?.shift();
      if (req) byExec.set(m[1], req);
    } else if ((m = reExecFailed.exec(l.msg))) {
      // A request that failed before it made an exec (e.g. the container had stopped) leaves a
      // pending entry; drop the oldest so later pairs stay in step.
      const q = pending.get(m[1]);
      if (q?.length) q.shift();
    }
  }
  return byExec;
}

/**
 * The events of one pod. POD is the static pod as written; IDS the containerd ids of its
 * containers (id → container name); T0 and DELETEDAT are ns since the epoch (BigInt).
 */
export function podTimeline({ pod, kubeletPod, ids, ctrEvents, kubeletLines, containerdLines, t0, deletedAt }) {
  const specs = containerSpecs(pod);
  const events = [];
  const notes = [];
  const add = (t, container, type, source, extra = {}) => {
    if (t == null) return;
    events.push({ t, container, type, ...extra, source });
  };

  const hookExecs = execRequests(containerdLines);
  const klines = kubeletLines.filter((l) => l.kv.pod === kubeletPod);
  const instances = [];

  for (const [id, name] of ids) {
    const inst = { id, name };
    for (const ev of ctrEvents) {
      const p = ev.payload;
      if (ev.topic === "/containers/create" && p.id === id) inst.created = ev.t;
      else if (ev.topic === "/tasks/start" && p.container_id === id) inst.started = ev.t;
      else if (ev.topic === "/tasks/exit" && p.container_id === id && (!p.id || p.id === id)) {
        inst.exited = ev.exitedAt;
        inst.exitCode = p.exit_status ?? 0;
      }
    }
    instances.push(inst);
  }
  instances.sort((a, b) => (a.created ?? 0n) < (b.created ?? 0n) ? -1 : 1);
  const restarts = new Map();

  for (const inst of instances) {
    const spec = specs.get(inst.name) ?? {};
    const restart = restarts.get(inst.name) ?? 0;
    restarts.set(inst.name, restart + 1);
    const extra = restart ? { restart } : {};
    const ev = (t, type, source, more = {}) => add(t, inst.name, type, source, { ...more, ...extra });
    ev(inst.created, "created", "containerd");
    ev(inst.started, "started", "containerd");
    if (inst.exited != null) ev(inst.exited, "exited", "containerd", { exitCode: inst.exitCode });

    // postStart (and exec preStop) hooks from the exec processes.
    const postStart = spec.lifecycle?.postStart;
    let postStartDone = null; // {t, exitCode} once observed
    if (postStart?.exec) {
      const want = (postStart.exec.command ?? []).join(" ");
      let found = false;
      for (const [execId, req] of hookExecs) {
        if (req.container !== inst.id || req.timeout !== 0 || req.command !== want) continue;
        if (deletedAt != null && req.t >= deletedAt && spec.lifecycle?.preStop?.exec) continue; // the preStop's
        const exit = ctrEvents.find((e) => e.topic === "/tasks/exit" && e.payload.id === execId);
        if (exit) {
          postStartDone = { t: exit.exitedAt, exitCode: exit.payload.exit_status ?? 0 };
          ev(postStartDone.t, "postStartDone", "containerd", { exitCode: postStartDone.exitCode });
          found = true;
        }
        break;
      }
      if (!found && inst.started != null) notes.push(`${inst.name}: no record of its postStart exec hook returning`);
    } else if (postStart && restart === 0) {
      const kind = Object.keys(postStart)[0];
      notes.push(`${inst.name}: its postStart ${kind} hook's completion is not observable (no runtime or kubelet record); no postStartDone event`);
    }

    // The kubelet's lines about this container instance.
    const end = inst.exited ?? null;
    const within = (l) => inst.started != null && l.t >= inst.started && (end == null || l.t <= end);
    const mine = klines.filter((l) => l.kv.containerName === inst.name);
    let startup = null;
    if (spec.startupProbe) {
      startup = mine.find((l) => l.msg === "Probe succeeded" && l.kv.probeType === "Startup" && within(l));
      if (startup) ev(startup.t, "startupProbeSucceeded", "kubelet");
    }
    if (!spec.init || spec.sidecar) {
      if (spec.readinessProbe) {
        const need = spec.readinessProbe.successThreshold ?? 1;
        let run = 0;
        for (const l of mine) {
          if (l.kv.probeType !== "Readiness" || !within(l)) continue;
          if (l.msg === "Probe succeeded") run += 1;
          else if (l.msg === "Probe failed") run = 0;
          if (run >= need) {
            ev(l.t, "ready", "kubelet");
            break;
          }
        }
      } else {
        // No readinessProbe: ready once running and started, as the kubelet reports it after
        // the sync that started it, i.e. after its postStart hook returned (a failed hook kills
        // it: never ready; an httpGet/sleep hook leaves the moment unknown: no event).
        const since = [inst.started];
        if (spec.startupProbe) since.push(startup?.t);
        if (postStart) since.push(postStart.exec && postStartDone?.exitCode === 0 ? postStartDone.t : undefined);
        if (since.every((t) => t != null)) ev(since.reduce((a, b) => (b > a ? b : a)), "ready", "derived");
      }
    }
    const idLine = (msg) => klines.find((l) => l.msg === msg && l.kv.containerID === `containerd://${inst.id}`);
    const pre = idLine("Running preStop hook");
    if (pre) ev(pre.t, "preStop", "kubelet");
    const preDone = idLine("PreStop hook completed") ?? idLine("PreStop hook not completed in grace period");
    if (preDone) ev(preDone.t, "preStopDone", "kubelet", preDone.msg.includes("not completed") ? { timedOut: true } : {});
    const stopping = idLine("Killing container with a grace period");
    if (stopping) ev(stopping.t, "stopping", "kubelet", { gracePeriod: Number(stopping.kv.gracePeriod) });
  }

  events.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : order.indexOf(a.type) - order.indexOf(b.type)));
  return { events: events.map((e) => ({ ...e, t: Number(e.t - t0) })), notes };
}
