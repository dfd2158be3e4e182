/**
 * What a conversion costs the scheduler, said per workload: the effective requests and limits
 * before and after (resources.ts), a warning when a figure grows (an init container now runs
 * beside the native sidecars ahead of it) with what would avoid it, and a warning for each
 * sidecar without a memory request. Injectors say none of this; users find out from OutOfcpu,
 * quota rejections and OOM kills (kubernetes#127868, kueue#2099, karpenter#479, autoscaler#6691).
 */
import { isPlain, type Plain } from "../plain";
import { describe, formatQuantity, grown, podResources, type Amounts, type PodResources } from "./resources";
import type { Path } from "./types";

export interface ResourceNote {
  severity: "info" | "warning";
  message: string;
  /** Below the pod template. */
  path: Path;
  currentValue?: unknown;
  proposedValue?: unknown;
}

const list = (spec: Plain, key: string): Plain[] => (Array.isArray(spec[key]) ? (spec[key] as unknown[]).filter(isPlain) : []);

function figures(r: PodResources): Record<string, Record<string, string>> {
  const one = (a: Amounts) => Object.fromEntries([...a].map(([k, v]) => [k, formatQuantity(v, r.binary.has(k))]));
  return { requests: one(r.requests), limits: one(r.limits) };
}

/** `cpu 600m → 1100m, memory 384Mi` */
function change(before: Amounts, after: Amounts, binary: ReadonlySet<string>): string {
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const order = (k: string) => (k === "cpu" ? "0" : k === "memory" ? "1" : `2${k}`);
  return keys
    .sort((x, y) => (order(x) < order(y) ? -1 : 1))
    .map((k) => {
      const b = before.get(k);
      const a = after.get(k);
      const f = (v: bigint | undefined) => (v === undefined ? "none" : formatQuantity(v, binary.has(k)));
      return b === a ? `${k} ${f(a)}` : `${k} ${f(b)} → ${f(a)}`;
    })
    .join(", ");
}

/** Plain init containers that now run beside native sidecars and set a grown figure. */
function besideSidecars(spec: Plain, resources: readonly string[]): { init: string; sidecars: string[] }[] {
  const out: { init: string; sidecars: string[] }[] = [];
  const running: string[] = [];
  for (const c of list(spec, "initContainers")) {
    const name = String(c["name"]);
    if (c["restartPolicy"] === "Always") {
      running.push(name);
      continue;
    }
    if (running.length === 0) continue;
    const own = podResources({ containers: [c] });
    if (resources.some((r) => own.requests.has(r) || own.limits.has(r))) out.push({ init: name, sidecars: [...running] });
  }
  return out;
}

/**
 * Notes for one changed workload. `before` and `after` are its pod specs as plain data; `moved`
 * names the sidecars the plan orders; `check`: nothing was changed, the figures are proposed.
 */
export function resourceNotes(before: Plain, after: Plain, sidecars: readonly string[], check: boolean): ResourceNote[] {
  const notes: ResourceNote[] = [];
  const was = podResources(before);
  const now = podResources(after);
  const binary = new Set([...was.binary, ...now.binary]);
  if (was.requests.size + was.limits.size + now.requests.size + now.limits.size > 0) {
    const same = describe(was.requests, binary) === describe(now.requests, binary) && describe(was.limits, binary) === describe(now.limits, binary);
    const text = `requests ${change(was.requests, now.requests, binary) || "none"}; limits ${change(was.limits, now.limits, binary) || "none"}`;
    notes.push({
      severity: "info",
      path: ["spec"],
      message: same
        ? `effective pod resources (what the scheduler reserves) are unchanged: ${text}`
        : `${check ? "would change the" : "changed the"} effective pod resources (what the scheduler reserves): ${text}`,
      ...(check && !same ? { currentValue: figures(was), proposedValue: figures(now) } : {}),
    });
    const up = [...new Set([...grown(was.requests, now.requests), ...grown(was.limits, now.limits)])];
    if (up.length > 0) {
      const causes = besideSidecars(after, up);
      const why = causes.length
        ? causes.map((c) => `init container "${c.init}" now runs beside native sidecar${c.sidecars.length > 1 ? "s" : ""} ${c.sidecars.map((s) => `"${s}"`).join(", ")}`).join("; ")
        : "native sidecars now count beside the init containers after them";
      const fix = causes.length
        ? `; to avoid it, let ${causes.map((c) => `"${c.init}"`).join(", ")} run before the sidecars (initContainersBefore in the sidecar's entry), or lower ${causes.length > 1 ? "their" : "its"} requests`
        : "";
      notes.push({
        severity: "warning",
        path: ["spec", "initContainers"],
        message: `the pod's effective ${up.join(", ")} ${check ? "would grow" : "grew"}: ${why}, so the scheduler reserves both at once (${describe(was.requests, binary) || "none"} → ${describe(now.requests, binary)} requested)${fix}`,
      });
    }
  }
  // Only where the pod asks for memory at all: in a pod with no requests every container is killed
  // alike, so the warning would say nothing about the sidecar.
  if (!now.requests.has("memory")) return notes;
  const all = [...list(after, "initContainers"), ...list(after, "containers")];
  all.forEach((c) => {
    const name = String(c["name"]);
    if (!sidecars.includes(name)) return;
    const own = podResources({ containers: [c] });
    if (own.requests.has("memory")) return;
    const inInit = list(after, "initContainers").includes(c);
    const index = (inInit ? list(after, "initContainers") : list(after, "containers")).indexOf(c);
    notes.push({
      severity: "warning",
      path: ["spec", inInit ? "initContainers" : "containers", index, "resources", "requests", "memory"],
      message: `sidecar "${name}" has no memory request while the pod's other containers have one: under memory pressure it is the first the kernel kills, and the app loses its sidecar; give it resources.requests.memory`,
    });
  });
  return notes;
}
