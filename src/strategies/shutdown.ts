/**
 * Legacy "stop last": without native sidecars every container gets preStop, then SIGTERM, at the
 * same moment. A sidecar outlives the app's shutdown only if its own preStop waits. The grace
 * period clock runs through preStop, so the wait must fit in terminationGracePeriodSeconds.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 */
import type { Container, Handler, PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { drainSeconds, noteDrainProblems } from "./drain";
import { judgePreStop } from "./prestop";
import { sameValue, type Plan } from "./plan";

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

export interface ShutdownOptions {
  appSeconds: number;
  marginSeconds: number;
  raiseGracePeriod: boolean;
  /** Whether the kubelets have the preStop sleep action (1.30+). */
  sleepAction: boolean;
  onConflict: "keep" | "replace" | "error";
}

/** Seconds an app container's own preStop sleeps before it even gets SIGTERM. */
export function preStopSleepSeconds(c: Container): number {
  const h = c.lifecycle?.preStop;
  if (!h) return 0;
  if (typeof h.sleep?.seconds === "number") return h.sleep.seconds;
  const cmd = h.exec?.command;
  if (!Array.isArray(cmd)) return 0;
  const text = cmd.join(" ");
  const m = /(?:^|[\s/])sleep\s+(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : 0;
}

export function planLegacyShutdown(plan: Plan, template: PodTemplateView, sidecars: readonly MatchedSidecar[], opts: ShutdownOptions): void {
  const stopping = sidecars.filter((s) => s.settings.stopAfterApp);
  if (stopping.length === 0) return;
  const sidecarNames = new Set(sidecars.map((s) => s.container.name));
  const apps = template.spec.containers.filter((c) => !sidecarNames.has(c.name));
  if (apps.length === 0) return;

  const grace = template.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const appPreStop = Math.max(0, ...apps.map(preStopSleepSeconds));
  const wanted = appPreStop + opts.appSeconds;
  // After its preStop wait, a sidecar gets SIGTERM and still drains (Istio's terminationDrainDuration).
  const drains = stopping.map((s) => ({ name: s.container.name, ...drainSeconds(s, template) }));
  noteDrainProblems(plan, drains);
  const longest = drains.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const drain = Math.ceil(longest.seconds);
  const needed = wanted + drain + opts.marginSeconds;
  const sum = `the app's ${appPreStop ? `${appPreStop} s preStop + ` : ""}${opts.appSeconds} s stop (shutdown.appSeconds)${drain > 0 ? `, then "${longest.name}" ${longest.why}` : ""}, plus a ${opts.marginSeconds} s margin`;
  let delay = wanted;
  if (needed > grace) {
    if (opts.raiseGracePeriod) {
      plan.edits.push({
        target: "template",
        path: ["spec", "terminationGracePeriodSeconds"],
        value: needed,
        says: `raised terminationGracePeriodSeconds from ${grace} to ${needed} s so the sidecars can outlive the app's shutdown: ${sum}`,
      });
    } else {
      // The app's shutdown comes first: a drain cut short after the app has gone costs less than
      // a sidecar gone while the app still stops.
      delay = Math.min(wanted, Math.max(0, grace - opts.marginSeconds));
      // After its SIGTERM a sidecar has what is left of the grace period, but at least 2 s (the kubelet's minimum).
      const killedAt = delay + Math.max(grace - delay, 2);
      const cut =
        delay < wanted
          ? `the sidecars wait only ${delay} s and may stop before the app`
          : delay + longest.seconds > killedAt
            ? `"${longest.name}" is killed before its drain ends`
            : `the shutdown leaves less than the ${opts.marginSeconds} s margin`;
      plan.notes.push({
        severity: "warning",
        target: "template",
        path: ["spec", "terminationGracePeriodSeconds"],
        proposedValue: needed,
        message: `terminationGracePeriodSeconds (${grace} s) cannot hold ${sum} (${needed} s), so ${cut}; raise terminationGracePeriodSeconds to ${needed}, or set shutdown.raiseGracePeriod: true`,
      });
    }
  }
  if (delay <= 0) return;

  for (const s of stopping) {
    const c = s.container;
    const target = { list: "containers" as const, name: c.name };
    const handler: Handler | undefined = opts.sleepAction
      ? { sleep: { seconds: delay } }
      : s.settings.sleepBinary
        ? { exec: { command: [s.settings.sleepBinary, String(delay)] } }
        : undefined;
    if (!handler) {
      plan.notes.push({
        severity: "warning",
        target,
        path: ["lifecycle", "preStop"],
        message: `sidecar "${c.name}" cannot be kept running until the app has stopped: its image has no sleep and the preStop sleep action needs Kubernetes 1.30 (set kubernetesVersion); use the sidecar's own drain setting, or native sidecars`,
      });
      continue;
    }
    const existing = c.lifecycle?.preStop;
    if (existing && sameValue(existing, handler)) continue;
    const verdict = existing ? judgePreStop(existing) : undefined;
    const harmless = verdict?.kind === "harmless";
    // A sleep at least as long already keeps the sidecar up long enough: never cut a longer drain.
    // (A sleep action only sleeps where the kubelets have it: elsewhere it counts for nothing.)
    const sleeps = existing?.sleep === undefined || opts.sleepAction;
    if (harmless && sleeps && preStopSleepSeconds(c) >= delay) continue;
    // A sleep we (or the user) put there earlier is ours to resize; any other hook is the user's.
    if (existing && !(harmless && opts.onConflict !== "error") && opts.onConflict !== "replace") {
      plan.notes.push({
        severity: opts.onConflict === "error" ? "error" : "warning",
        target,
        path: ["lifecycle", "preStop"],
        proposedValue: handler,
        message: `sidecar "${c.name}" already has a preStop hook, so sidecar-order did not add one that keeps it running ${delay} s into the app's shutdown; set onConflict: replace to use it`,
      });
      continue;
    }
    const how = `keeps it running ${delay} s into the app's shutdown (${handler.sleep ? "sleep action" : `${s.settings.sleepBinary} ${delay}`})`;
    plan.edits.push({
      target,
      path: ["lifecycle", "preStop"],
      value: handler,
      says: existing ? `replaced the preStop hook of "${c.name}" (${verdict!.what}) with one that ${how}` : `added a preStop hook to "${c.name}" that ${how}`,
    });
  }
}
