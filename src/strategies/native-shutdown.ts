/**
 * The shutdown budget of native sidecars. On termination the kubelet runs every preStop hook at
 * once, the sidecars' alongside the app's, and stops the app containers; only once they have
 * exited does it send SIGTERM to the native sidecars, one at a time in reverse order, each then
 * draining. All of it is paid from one clock, terminationGracePeriodSeconds: what does not fit
 * is SIGKILLed. (Seen on kubelet v1.34.4 by test/cluster's shutdown scenario.)
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#sidecar-containers-and-pod-lifecycle
 * @see https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers#termination-of-sidecar-containers
 */
import { parse } from "yaml";
import type { Container, PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { ISTIO_PROXY_CONFIG } from "../sidecars/injection";
import type { Plan } from "./plan";
import { DEFAULT_GRACE_SECONDS, preStopSleepSeconds, type ShutdownOptions } from "./shutdown";

/** Istio's default terminationDrainDuration (the proxy drains this long on SIGTERM). */
const ISTIO_DRAIN_SECONDS = 5;

/** Seconds in a Go duration such as `30s`, `1m30s`, `1.5m`; undefined when it is not one. */
export function durationSeconds(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as "h" | "m" | "s" | "ms"];
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** Drain seconds by proxy config text: the same annotation on many workloads is parsed once. */
const drains = new Map<string, number>();

/** terminationDrainDuration from Istio's proxy config, else Istio's default. */
function configuredDrain(config: string): number {
  let drain = drains.get(config);
  if (drain !== undefined) return drain;
  drain = ISTIO_DRAIN_SECONDS;
  try {
    const d = durationSeconds((parse(config) as Record<string, unknown> | null)?.["terminationDrainDuration"]);
    if (d !== undefined) drain = d;
  } catch {
    // An unreadable proxy config keeps Istio's default; the injection checks say so.
  }
  drains.set(config, drain);
  return drain;
}

/** How long a sidecar takes to stop once it gets SIGTERM (its preStop runs earlier, beside the app's). */
export function drainSeconds(s: MatchedSidecar, template: PodTemplateView): { seconds: number; why: string } {
  if (s.settings.preset?.name === "istio") {
    const config = template.annotations[ISTIO_PROXY_CONFIG];
    // Most pods have no proxy config, and a cold process should not load a YAML parser for nothing.
    const drain = config === undefined ? ISTIO_DRAIN_SECONDS : configuredDrain(config);
    return { seconds: drain, why: `${drain} s terminationDrainDuration` };
  }
  return { seconds: 0, why: "0 s" };
}

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
  const sidecarPreStop = Math.max(0, ...sidecars.map((s) => preStopSleepSeconds(s.container as Container)));
  const first = Math.max(appPreStop + opts.appSeconds, sidecarPreStop);
  const drains = sidecars.map((s) => ({ name: s.container.name, ...drainSeconds(s, template) }));
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
