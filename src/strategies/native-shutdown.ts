/**
 * The shutdown budget of native sidecars. On termination the kubelet runs every preStop hook at
 * once, the sidecars' alongside the app's, and stops the app containers; only once they have
 * exited does it send SIGTERM to the native sidecars, one at a time in reverse order, each then
 * draining. All of it is paid from one clock, terminationGracePeriodSeconds: what does not fit
 * is SIGKILLed. (Seen on kubelet v1.34.4 by test/cluster's shutdown scenario.)
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#sidecar-containers-and-pod-lifecycle
 * @see https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers#termination-of-sidecar-containers
 */
import type { Container, Handler, PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { drainSeconds, noteDrainProblems } from "./drain";
import { editAt, type Plan } from "./plan";
import { DEFAULT_GRACE_SECONDS, preStopSleepSeconds, type ShutdownOptions } from "./shutdown";

/**
 * Native sidecars: the app's preStop plus its own stop time, then each sidecar's drain, must fit in
 * terminationGracePeriodSeconds (with the margin). Warns with the numbers, or raises the grace
 * period when shutdown.raiseGracePeriod is set.
 */
export function planNativeShutdown(plan: Plan, template: PodTemplateView, sidecars: readonly MatchedSidecar[], opts: Pick<ShutdownOptions, "appSeconds" | "marginSeconds" | "raiseGracePeriod">): void {
  if (sidecars.length === 0) return;
  const names = new Set(sidecars.map((s) => s.container.name));
  const apps = template.spec.containers.filter((c) => !names.has(c.name));
  if (apps.length === 0) return;
  const grace = template.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const appPreStop = Math.max(0, ...apps.map(preStopSleepSeconds));
  // Sidecars' preStop hooks run beside the app's: only one longer than the app's whole stop counts.
  const sidecarPreStop = Math.max(0, ...sidecars.map((s) => preStopSleepSeconds(plannedPreStop(plan, s.container as Container))));
  const first = Math.max(appPreStop + opts.appSeconds, sidecarPreStop);
  const drains = sidecars.map((s) => ({ name: s.container.name, ...drainSeconds(s, template) }));
  noteDrainProblems(plan, drains);
  const total = first + drains.reduce((n, d) => n + d.seconds, 0);
  const needed = Math.ceil(total + opts.marginSeconds);
  if (needed <= grace) return;
  const app = `the app's ${appPreStop ? `${appPreStop} s preStop + ` : ""}${opts.appSeconds} s stop (shutdown.appSeconds)`;
  const parts = [
    sidecarPreStop > appPreStop + opts.appSeconds ? `the sidecars' ${sidecarPreStop} s preStop (longer than ${app})` : app,
    ...drains.filter((d) => d.seconds > 0).map((d) => `"${d.name}" ${d.why}`),
  ];
  const sum = `${parts.join(", then ")}, plus a ${opts.marginSeconds} s margin, come to ${needed} s`;
  if (opts.raiseGracePeriod) {
    plan.edits.push({
      target: "template",
      path: ["spec", "terminationGracePeriodSeconds"],
      value: needed,
      says: `raised terminationGracePeriodSeconds from ${grace} to ${needed} s: native sidecars stop after the app, one after another, on the same clock (${sum})`,
    });
    return;
  }
  plan.notes.push({
    severity: "warning",
    target: "template",
    path: ["spec", "terminationGracePeriodSeconds"],
    proposedValue: needed,
    message: `terminationGracePeriodSeconds (${grace} s) is too short for the shutdown: native sidecars stop after the app, one after another, on the same clock, and ${sum}; what does not fit is killed. Raise terminationGracePeriodSeconds to ${needed}, or set shutdown.raiseGracePeriod: true`,
  });
}

/** The container with the preStop hook the plan leaves it (one the plan replaces or removes no longer counts). */
function plannedPreStop(plan: Plan, c: Container): Container {
  // A removed preStop may have become the removal of the whole lifecycle (collapseLifecycle).
  const edit = editAt(plan, c.name, "lifecycle.preStop") ?? editAt(plan, c.name, "lifecycle");
  if (!edit) return c;
  const preStop = (edit.path.length === 1 ? (edit.value as Container["lifecycle"] | undefined)?.preStop : edit.value) as Handler | undefined;
  const { preStop: _replaced, ...rest } = c.lifecycle ?? {};
  return { ...c, lifecycle: preStop ? { ...rest, preStop } : rest };
}
