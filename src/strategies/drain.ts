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
import type { Plan } from "./plan";

/** Istio's default terminationDrainDuration (the proxy drains this long on SIGTERM). */
const ISTIO_DRAIN_SECONDS = 5;

/** Seconds per unit of a Go duration (time.ParseDuration's units). */
const UNIT_SECONDS = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ns: 1e-9 } as const;

/**
 * Seconds in a Go duration (time.ParseDuration) such as `30s`, `1m30s`, `1.5m`, `500ms`, `.5s`,
 * `+5s`, `-5s`, `0`; undefined when it is not one.
 */
export function durationSeconds(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const sign = text.startsWith("-") ? -1 : 1;
  const unsigned = text.startsWith("+") || text.startsWith("-") ? text.slice(1) : text;
  if (unsigned === "0") return 0;
  // Two-letter units first: `ms` is not `m` then `s`. A number has a digit before or after its point.
  const re = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(unsigned); m; m = re.exec(unsigned)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
    matched = re.lastIndex;
  }
  return matched === unsigned.length && matched > 0 ? sign * total || 0 : undefined;
}

/** A sidecar's stop time after SIGTERM, and why; `problem` when the pod's config for it is one its sidecar refuses. */
export interface Drain {
  seconds: number;
  why: string;
  problem?: string;
}

/** Drains by proxy config text: the same annotation on many workloads is read once. */
const drains = new Map<string, { seconds: number; problem?: string }>();

/**
 * terminationDrainDuration from Istio's proxy config, else Istio's default. Istio reads the
 * annotation as YAML, then as a ProxyConfig by the legacy jsonpb, whose Duration is a JSON string
 * in time.ParseDuration's form; anything else fails the whole config ("could not parse proxy
 * config"), in the injector and in pilot-agent alike.
 * @see https://github.com/istio/istio/blob/master/pkg/config/mesh/mesh.go (MergeProxyConfig)
 * @see https://github.com/golang/protobuf/blob/v1.5.4/jsonpb/decode.go (Duration)
 */
function configuredDrain(config: string): { seconds: number; problem?: string } {
  let known = drains.get(config);
  if (known !== undefined) return known;
  const refused = (what: string) =>
    `${what}, so Istio refuses the whole proxy config ("could not parse proxy config"): the injector rejects the pod, and an injected proxy does not start. The shutdown budget assumed Istio's ${ISTIO_DRAIN_SECONDS} s drain`;
  let parsed: unknown;
  try {
    parsed = parse(config);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    known = { seconds: ISTIO_DRAIN_SECONDS, problem: refused(`${ISTIO_PROXY_CONFIG} is not a YAML map`) + "; write it as one, such as terminationDrainDuration: 5s" };
  } else {
    const value = (parsed as Record<string, unknown>)["terminationDrainDuration"];
    const d = value === undefined ? ISTIO_DRAIN_SECONDS : durationSeconds(value);
    known =
      d === undefined
        ? { seconds: ISTIO_DRAIN_SECONDS, problem: refused(`terminationDrainDuration in ${ISTIO_PROXY_CONFIG} is ${JSON.stringify(value)}, not a duration Istio reads`) + `; write a Go duration string such as "5s" or "1m30s"` }
        : { seconds: Math.max(0, d) }; // a negative drain ends at once
  }
  drains.set(config, known);
  return known;
}

/** How long a sidecar takes to stop once it gets SIGTERM (its preStop runs earlier, beside the app's). */
export function drainSeconds(s: MatchedSidecar, template: PodTemplateView): Drain {
  if (s.settings.preset?.name === "istio") {
    const config = template.annotations[ISTIO_PROXY_CONFIG];
    // Most pods have no proxy config, and a cold process should not load a YAML parser for nothing.
    const drain = config === undefined ? { seconds: ISTIO_DRAIN_SECONDS } : configuredDrain(config);
    return { ...drain, why: `${drain.seconds} s terminationDrainDuration` };
  }
  return { seconds: 0, why: "0 s" };
}

/** A warning for each sidecar whose drain the pod configures in a form the sidecar refuses (once per pod). */
export function noteDrainProblems(plan: Plan, drains: readonly Drain[]): void {
  const problem = drains.find((d) => d.problem)?.problem;
  if (problem === undefined || plan.notes.some((n) => n.message === problem)) return;
  plan.notes.push({ severity: "warning", target: "template", path: ["metadata", "annotations", ISTIO_PROXY_CONFIG], message: problem });
}
