/**
 * How long a sidecar takes to stop once it gets SIGTERM: both shutdown budgets (legacy and native)
 * pay it after the sidecar's preStop. Istio's proxy drains for terminationDrainDuration (5 s, or
 * what the pod's proxy.istio.io/config sets); the other presets stop at once.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig
 */
import { parse } from "yaml";
import type { PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { ISTIO_PROXY_CONFIG } from "../sidecars/injection";

/** Istio's default terminationDrainDuration (the proxy drains this long on SIGTERM). */
const ISTIO_DRAIN_SECONDS = 5;

/** Seconds per unit of a Go duration (time.ParseDuration's units). */
const UNIT_SECONDS = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ns: 1e-9 } as const;

/**
 * Seconds in a Go duration (time.ParseDuration) such as `30s`, `1m30s`, `1.5m`, `500ms`, `.5s`,
 * `+5s`, `0`; undefined when it is not one, or is negative (no drain).
 */
export function durationSeconds(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const unsigned = text.startsWith("+") ? text.slice(1) : text;
  if (unsigned === "0") return 0;
  // Two-letter units first: `ms` is not `m` then `s`. A number has a digit before or after its point.
  const re = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(unsigned); m; m = re.exec(unsigned)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
    matched = re.lastIndex;
  }
  return matched === unsigned.length && matched > 0 ? total : undefined;
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
