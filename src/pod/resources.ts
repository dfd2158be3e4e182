/**
 * A pod's effective requests and limits, as the scheduler and the kubelet's admission count them
 * with native sidecars. Moving a sidecar into initContainers changes the figure: a plain init
 * container after it now runs beside it.
 *
 * The formula of k8s.io/component-helpers/resource (v0.34, `PodRequests`, `PodLimits`,
 * `AggregateContainerRequests`), from KEP-753 "Resources calculation for scheduling and pod
 * admission":
 * - the sum of the app containers and every native sidecar;
 * - at least, for each init container i, its own figure plus every native sidecar before it (a
 *   native sidecar's own entry is the running sum of the sidecars up to it);
 * - pod-level `resources` (cpu, memory, hugepages-*) replace the containers' figure where set;
 * - `overhead` is added to requests, and to limits that are set and not zero.
 * A container with limits but no requests gets requests equal to its limits (API defaulting,
 * which happens before the scheduler sees the pod).
 * @see https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers#resources-calculation-for-scheduling-and-pod-admission
 * @see https://github.com/kubernetes/kubernetes/blob/v1.34.4/staging/src/k8s.io/component-helpers/resource/helpers.go
 */
import { isPlain, type Plain } from "../plain";

/** Amounts in nano-units, exact (quantities have at most nine decimal places). */
export type Amounts = Map<string, bigint>;

export interface PodResources {
  requests: Amounts;
  limits: Amounts;
  /** Per resource, whether the user wrote it with binary suffixes (Mi, Gi), for printing it back. */
  binary: Set<string>;
}

const NANO = 1_000_000_000n;
const DECIMAL: Record<string, bigint> = { n: 1n, u: 1_000n, m: 1_000_000n, "": NANO, k: NANO * 1_000n, M: NANO * 1_000_000n, G: NANO * 10n ** 9n, T: NANO * 10n ** 12n, P: NANO * 10n ** 15n, E: NANO * 10n ** 18n };
const BINARY: Record<string, bigint> = { Ki: NANO * 1024n, Mi: NANO * 1024n ** 2n, Gi: NANO * 1024n ** 3n, Ti: NANO * 1024n ** 4n, Pi: NANO * 1024n ** 5n, Ei: NANO * 1024n ** 6n };
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** A Kubernetes quantity (`100m`, `1.5`, `128Mi`, `1e3`) in nano-units; undefined when it is not one. */
export function parseQuantity(raw: unknown): { nanos: bigint; binary: boolean } | undefined {
  const text = typeof raw === "number" ? String(raw) : raw;
  if (typeof text !== "string") return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const [, sign, whole, frac = "", exp, suffix = ""] = m;
  const digits = BigInt(`${whole || "0"}${frac}`);
  let nanos: bigint;
  if (exp) {
    const e = Number(exp.slice(1)) - frac.length + 9;
    nanos = e >= 0 ? digits * 10n ** BigInt(e) : digits / 10n ** BigInt(-e);
  } else {
    const unit = BINARY[suffix] ?? DECIMAL[suffix]!;
    nanos = (digits * unit) / 10n ** BigInt(frac.length);
  }
  return { nanos: sign === "-" ? -nanos : nanos, binary: suffix in BINARY };
}

/** A figure in Kubernetes quantity notation: `1200m`, `2`, `640Mi`, `1500M`. */
export function formatQuantity(nanos: bigint, binary: boolean): string {
  if (nanos === 0n) return "0";
  if (binary && nanos % BINARY["Ki"]! === 0n) {
    for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
      const unit = BINARY[suffix]!;
      if (nanos % unit === 0n) return `${nanos / unit}${suffix}`;
    }
  }
  for (const suffix of ["E", "P", "T", "G", "M", "k", "", "m", "u", "n"]) {
    const unit = DECIMAL[suffix]!;
    if (nanos % unit === 0n) return `${nanos / unit}${suffix}`;
  }
  return `${nanos}n`;
}

function add(into: Amounts, from: Amounts): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0n) + v);
}

function max(into: Amounts, from: Amounts): void {
  for (const [k, v] of from) if (!into.has(k) || into.get(k)! < v) into.set(k, v);
}

function amounts(list: unknown, binary: Set<string>): Amounts {
  const out: Amounts = new Map();
  if (!isPlain(list)) return out;
  for (const [k, v] of Object.entries(list)) {
    const q = parseQuantity(v);
    if (!q) continue;
    out.set(k, q.nanos);
    if (q.binary) binary.add(k);
  }
  return out;
}

function containerFigures(c: unknown, binary: Set<string>): { requests: Amounts; limits: Amounts } {
  const res = isPlain(c) && isPlain(c["resources"]) ? c["resources"] : {};
  const limits = amounts(res["limits"], binary);
  const requests = amounts(res["requests"], binary);
  // API defaulting: a limit without a request is the request too.
  for (const [k, v] of limits) if (!requests.has(k)) requests.set(k, v);
  return { requests, limits };
}

const POD_LEVEL = (name: string) => name === "cpu" || name === "memory" || name.startsWith("hugepages-");

/** The effective figures of a pod spec (plain data), as component-helpers computes them. */
export function podResources(spec: Plain): PodResources {
  const binary = new Set<string>();
  const list = (key: string) => (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []);
  const total = (which: "requests" | "limits"): Amounts => {
    const sum: Amounts = new Map();
    for (const c of list("containers")) add(sum, containerFigures(c, binary)[which]);
    const sidecars: Amounts = new Map();
    const init: Amounts = new Map();
    for (const c of list("initContainers")) {
      const own = containerFigures(c, binary)[which];
      if (isPlain(c) && c["restartPolicy"] === "Always") {
        add(sum, own);
        add(sidecars, own);
        max(init, sidecars);
      } else {
        const running: Amounts = new Map(own);
        add(running, sidecars);
        max(init, running);
      }
    }
    max(sum, init);
    return sum;
  };
  const requests = total("requests");
  const limits = total("limits");
  const pod = isPlain(spec["resources"]) ? spec["resources"] : {};
  const podRequests = amounts(pod["requests"], binary);
  const podLimits = amounts(pod["limits"], binary);
  const levelSet = [...podRequests.keys(), ...podLimits.keys()].some(POD_LEVEL);
  for (const [k, v] of podRequests) if (POD_LEVEL(k)) requests.set(k, v);
  if (levelSet) for (const [k, v] of podLimits) if (POD_LEVEL(k)) limits.set(k, v);
  const overhead = amounts(spec["overhead"], binary);
  add(requests, overhead);
  for (const [k, v] of overhead) if (limits.has(k) && limits.get(k) !== 0n) limits.set(k, limits.get(k)! + v);
  return { requests, limits, binary };
}

/** `cpu 1200m, memory 640Mi` (resources in a stable order: cpu, memory, then by name). */
export function describe(a: Amounts, binary: ReadonlySet<string>): string {
  const order = (k: string) => (k === "cpu" ? "0" : k === "memory" ? "1" : `2${k}`);
  return [...a.entries()]
    .sort(([x], [y]) => (order(x) < order(y) ? -1 : 1))
    .map(([k, v]) => `${k} ${formatQuantity(v, binary.has(k))}`)
    .join(", ");
}

/** Resources whose figure grew from `before` to `after` (a resource that appears counts as grown). */
export function grown(before: Amounts, after: Amounts): string[] {
  return [...after.keys()].filter((k) => after.get(k)! > (before.get(k) ?? 0n));
}
