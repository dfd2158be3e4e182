/**
 * Native sidecars (KEP-753): each sidecar becomes an init container with `restartPolicy: Always`.
 * Later init containers and the app containers start once it is *started*: its startupProbe has
 * succeeded (never the readinessProbe) and its postStart hook has returned. It is stopped after the
 * app containers, in reverse order. This fails closed: a sidecar that never starts holds the pod.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
import type { Container, Handler, PodTemplateView, Probe } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { commandText, holdHook, startOrder, type LegacyOptions } from "./legacy";
import { emptyPlan, type Plan, type Slot } from "./plan";

/** Mesh network-setup init containers: they must finish before the proxy exists. */
export const NETWORK_SETUP_INIT_CONTAINERS = ["istio-init", "istio-validation", "linkerd-init", "linkerd-network-validator", "kuma-init"];

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;

export type NativeOptions = LegacyOptions;

export function planNative(template: PodTemplateView, matched: readonly MatchedSidecar[], opts: NativeOptions): Plan {
  const plan = emptyPlan();
  const sidecars = startOrder(matched);
  const toMove = sidecars.filter((s) => s.list === "containers");
  if (toMove.length === 0) return plan; // already native sidecars are left alone

  const { containers, initContainers } = template.spec;
  const before = new Set(NETWORK_SETUP_INIT_CONTAINERS);
  for (const s of toMove) for (const n of s.settings.initContainersBefore) before.add(n);
  for (const s of toMove) for (const n of s.settings.initContainersAfter) before.delete(n);

  // After the network setup and any sidecar that is native already; before every other init container.
  let insertAt = 0;
  initContainers.forEach((c, i) => {
    if (before.has(c.name) || c.restartPolicy === "Always") insertAt = i + 1;
  });
  const moving = new Set(toMove.map((s) => s.index));
  // Init containers that need a sidecar (e.g. vault-agent-init after a mesh proxy) follow it.
  const needers = new Set(toMove.flatMap((s) => s.settings.initContainersAfter));
  const early = initContainers.map((c, index) => ({ c, index })).filter(({ c, index }) => index < insertAt && needers.has(c.name) && c.restartPolicy !== "Always");
  const earlySet = new Set(early.map((e) => e.index));
  const init: Slot[] = [
    ...initContainers.slice(0, insertAt).flatMap((_, index) => (earlySet.has(index) ? [] : [{ from: "initContainers" as const, index }])),
    ...toMove.map((s) => ({ from: "containers" as const, index: s.index })),
    ...early.map(({ index }) => ({ from: "initContainers" as const, index })),
    ...initContainers.slice(insertAt).map((_, i) => ({ from: "initContainers" as const, index: insertAt + i })),
  ];
  plan.order = {
    initContainers: init,
    containers: containers.map((_, index) => ({ from: "containers" as const, index })).filter((s) => !moving.has(s.index)),
  };
  const names = toMove.map((s) => `"${s.container.name}"`).join(", ");
  const many = toMove.length > 1;
  const sidecarWord = many ? "sidecars" : "sidecar";
  plan.remarks.push(
    `moved ${sidecarWord} ${names} to spec.initContainers with restartPolicy: Always (native ${sidecarWord}: started before the app containers${many ? " in this order" : ""}, stopped after them${many ? " in reverse order" : ""})`,
  );

  for (const { c } of early) plan.remarks.push(`moved init container "${c.name}" after ${sidecarWord} ${names}: it needs ${many ? "them" : "the sidecar"}`);
  for (const [i, c] of initContainers.slice(0, insertAt).entries()) {
    if (before.has(c.name) || c.restartPolicy === "Always" || earlySet.has(i)) continue;
    plan.notes.push({
      severity: "warning",
      target: { list: "initContainers", name: c.name },
      message: `init container "${c.name}" (initContainers[${i}]) runs before ${sidecarWord} ${names} ${many ? "start" : "starts"}, so it cannot use ${many ? "them" : "it"}; if it needs ${many ? "them" : "the sidecar"}, move it after the network-setup init containers`,
    });
  }

  for (const s of toMove) {
    const c = s.container;
    const target = { list: "initContainers" as const, name: c.name };
    plan.edits.push({ target, path: ["restartPolicy"], value: "Always", says: "" }); // told by the move
    if (c.resizePolicy !== undefined) {
      // The API server rejects resizePolicy on every init container, native sidecars included.
      plan.edits.push({ target, path: ["resizePolicy"], value: undefined, says: `removed the resizePolicy of "${c.name}" (init containers may not set it)` });
      plan.notes.push({
        severity: "warning",
        target,
        message: `sidecar "${c.name}" cannot keep its resizePolicy as a native sidecar (the API server rejects it on init containers): an in-place resize of its resources then follows the default policy`,
      });
    }
    gate(plan, s, opts);
    shutdown(plan, s);
    if (s.settings.stopAfterAppExplicit && s.settings.stopAfterApp) {
      plan.remarks.push(`stopAfterApp needs no preStop wait for "${c.name}": native sidecars are stopped after the app containers`);
    }
  }
  return plan;
}

/** Make sure the sidecar only counts as started once it is ready. */
function gate(plan: Plan, s: MatchedSidecar, opts: NativeOptions): void {
  const c = s.container;
  const target = { list: "initContainers" as const, name: c.name };
  const hold = c.lifecycle?.postStart;
  if (c.startupProbe) {
    if (c.startupProbe.successThreshold !== undefined && c.startupProbe.successThreshold !== 1) {
      plan.edits.push({ target, path: ["startupProbe", "successThreshold"], value: 1, says: `set the startupProbe successThreshold of "${c.name}" to 1 (the only value the API server accepts)` });
    }
  } else if (s.settings.startupProbe) {
    plan.edits.push({ target, path: ["startupProbe"], value: s.settings.startupProbe, says: `added a startupProbe to "${c.name}" so the containers after it wait until it is ready` });
  } else if (c.readinessProbe && handlerOf(c.readinessProbe)) {
    const probe = deriveStartupProbe(c.readinessProbe, s.settings.timeoutSeconds);
    plan.edits.push({
      target,
      path: ["startupProbe"],
      value: probe,
      says: `added a startupProbe to "${c.name}" derived from its readinessProbe (checked every second for up to ${probe.failureThreshold} s), because native sidecars gate on the startupProbe, never the readinessProbe`,
    });
  } else if (s.settings.wait) {
    // No probe to gate on: the wait command blocks as a postStart hook here too.
    holdHook(plan, c, s.settings.wait, opts, "initContainers");
  } else if (!hold) {
    plan.notes.push({
      severity: "warning",
      target,
      path: ["startupProbe"],
      message: `native sidecar "${c.name}" has no startupProbe, readinessProbe or wait command, so the containers after it start as soon as its process runs, not when it is ready; give it a startupProbe (or startupProbe/wait.exec in its sidecars entry)`,
    });
  }
  const hookEdited = plan.edits.some((e) => e.target !== "template" && e.target.name === c.name && e.path.join(".") === "lifecycle.postStart");
  if (hold && !hookEdited) {
    // Typically the hold hook of an earlier legacy run: native sidecars wait for postStart too.
    plan.remarks.push(`the postStart hook of "${c.name}" stays and still holds the containers after it`);
  }
}

export function handlerOf(probe: Probe): Handler | undefined {
  for (const h of HANDLERS) if (probe[h] !== undefined) return { [h]: probe[h] } as Handler;
  return undefined;
}

/** Same check as the readinessProbe, every second, for as long as the sidecar may take. */
export function deriveStartupProbe(readiness: Probe, timeoutSeconds: number): Probe {
  const probe: Probe = { ...handlerOf(readiness) };
  if (readiness.timeoutSeconds !== undefined) probe.timeoutSeconds = readiness.timeoutSeconds;
  probe.periodSeconds = 1;
  probe.failureThreshold = Math.max(1, Math.ceil(timeoutSeconds));
  probe.successThreshold = 1;
  return probe;
}

/**
 * A native sidecar is stopped after the app anyway; a preStop hook that makes it exit now only
 * gets it restarted. Remove the ones we recognise; warn about hooks we cannot judge.
 */
function shutdown(plan: Plan, s: MatchedSidecar): void {
  const c = s.container;
  const target = { list: "initContainers" as const, name: c.name };
  const drain = s.settings.nativePreStop;
  const preStop = c.lifecycle?.preStop;
  if (!preStop) {
    if (drain) addDrain(plan, c, drain);
    return;
  }
  const verdict = judgePreStop(preStop);
  if (drain && verdict.kind !== "unknown") {
    // An exiting hook would get the sidecar restarted; a sleep (typically the legacy "stop last"
    // wait) is pointless now. Either way the preset's drain is what it should do on termination.
    const why = verdict.kind === "exits" ? ": a native sidecar that exits is restarted" : "; native sidecars are stopped after the app anyway";
    plan.edits.push({ target, path: ["lifecycle", "preStop"], value: drain, says: `replaced the preStop hook of "${c.name}" (${verdict.what}) with ${s.settings.preset?.title ?? "its"} drain (${commandText(drain.exec?.command ?? [])})${why}` });
    return;
  }
  if (verdict.kind === "exits") {
    const onlyHook = Object.keys(c.lifecycle ?? {}).length === 1 && !plan.edits.some((e) => e.target !== "template" && e.target.name === c.name && e.path[0] === "lifecycle");
    plan.edits.push({
      target,
      path: onlyHook ? ["lifecycle"] : ["lifecycle", "preStop"],
      value: undefined,
      says: `removed the preStop hook of "${c.name}" (${verdict.what}): a native sidecar that exits is restarted, and it is stopped after the app containers anyway`,
    });
  } else if (verdict.kind === "unknown") {
    plan.notes.push({
      severity: "warning",
      target,
      path: ["lifecycle", "preStop"],
      message: `sidecar "${c.name}" keeps its preStop hook (${verdict.what}); if that hook makes it exit, the kubelet restarts it, since native sidecars are restarted until the app containers have stopped`,
    });
  }
}

function addDrain(plan: Plan, c: Container, drain: Handler): void {
  plan.edits.push({
    target: { list: "initContainers", name: c.name },
    path: ["lifecycle", "preStop"],
    value: drain,
    says: `added a preStop hook to "${c.name}" that drains it without exiting (${commandText(drain.exec?.command ?? [])})`,
  });
}

type PreStopVerdict = { kind: "exits" | "harmless" | "unknown"; what: string };

const EXITS = /quitquitquit|\/shutdown\b|\bshutdown\b|\b(kill|pkill|killall)\b|\/quit\b/;

export function judgePreStop(h: Handler): PreStopVerdict {
  if (h.sleep) return { kind: "harmless", what: "a sleep" };
  const command = h.exec?.command;
  if (Array.isArray(command)) {
    const text = commandText(command);
    if (EXITS.test(text)) return { kind: "exits", what: `it runs "${text}"` };
    const plain = command.length === 2 && /(^|\/)sleep$/.test(command[0] ?? "");
    const shell = command.length === 3 && /(^|\/)(ba)?sh$/.test(command[0] ?? "") && /^\s*sleep\s+\d+\s*$/.test(command[2] ?? "");
    if (plain || shell) return { kind: "harmless", what: `it runs "${text}"` };
    return { kind: "unknown", what: `it runs "${text}"` };
  }
  const path = h.httpGet?.["path"];
  if (typeof path === "string") {
    if (EXITS.test(path)) return { kind: "exits", what: `it calls ${path}` };
    return { kind: "unknown", what: `it calls ${path}` };
  }
  return { kind: "unknown", what: "a hook sidecar-order cannot judge" };
}
