/** Read a pod template's plain data into a PodTemplateView, or say why it cannot be used. */
import type { Container, PodTemplateView } from "./types";

import { isPlain, stringEntries } from "../plain";

export type TemplateRead = { ok: true; view: PodTemplateView } | { ok: false; field: string; problem: string };

/** `where` is the template's field path, for messages (e.g. "spec.template"). */
export function readTemplate(template: unknown, where: string): TemplateRead {
  const at = (p: string) => (where ? `${where}.${p}` : p);
  if (!isPlain(template)) return { ok: false, field: where || ".", problem: `${where || "the object"} is not an object` };
  const spec = template["spec"];
  if (!isPlain(spec)) return { ok: false, field: at("spec"), problem: `${at("spec")} is missing or not an object` };
  const containers = readList(spec["containers"], at("spec.containers"), true);
  if (!containers.ok) return containers;
  const initContainers = readList(spec["initContainers"], at("spec.initContainers"), false);
  if (!initContainers.ok) return initContainers;
  const seen = new Set<string>();
  for (const c of [...initContainers.list, ...containers.list]) {
    if (seen.has(c.name)) {
      return { ok: false, field: at("spec"), problem: `two containers are named "${c.name}"; container names must be unique across initContainers and containers` };
    }
    seen.add(c.name);
  }
  const meta = template["metadata"];
  // What the plan may write into (annotations) or read (the grace period): a value of another
  // shape would be overwritten or misread, and the API server refuses it anyway.
  const odd =
    oddShape(meta, "a map", at("metadata")) ??
    (isPlain(meta) ? (oddShape(meta["annotations"], "a map", at("metadata.annotations")) ?? oddShape(meta["labels"], "a map", at("metadata.labels"))) : undefined) ??
    oddShape(spec["terminationGracePeriodSeconds"], "a whole number", at("spec.terminationGracePeriodSeconds")) ??
    oddShape(spec["restartPolicy"], "a string", at("spec.restartPolicy"));
  if (odd) return { ok: false, ...odd };
  const view: PodTemplateView = {
    annotations: stringEntries(isPlain(meta) ? meta["annotations"] : undefined),
    labels: stringEntries(isPlain(meta) ? meta["labels"] : undefined),
    spec: { containers: containers.list, initContainers: initContainers.list },
  };
  if (typeof spec["restartPolicy"] === "string") view.spec.restartPolicy = spec["restartPolicy"];
  if (typeof spec["terminationGracePeriodSeconds"] === "number") view.spec.terminationGracePeriodSeconds = spec["terminationGracePeriodSeconds"];
  return { ok: true, view };
}

function oddShape(v: unknown, want: "a map" | "a string" | "a whole number", field: string): { field: string; problem: string } | undefined {
  if (v === undefined || v === null) return undefined;
  const fits = want === "a map" ? isPlain(v) : want === "a string" ? typeof v === "string" : Number.isInteger(v);
  return fits ? undefined : { field, problem: `${field} is ${describeValue(v)}, where Kubernetes takes ${want}` };
}

const describeValue = (v: unknown) => (Array.isArray(v) ? "a list" : isPlain(v) ? "a map" : typeof v === "number" && !Number.isFinite(v) ? String(v) : JSON.stringify(v));

function readList(
  value: unknown,
  field: string,
  required: boolean,
): { ok: true; list: Container[] } | { ok: false; field: string; problem: string } {
  if (value === undefined || value === null) {
    return required ? { ok: false, field, problem: `${field} is missing; a pod needs at least one container` } : { ok: true, list: [] };
  }
  if (!Array.isArray(value)) return { ok: false, field, problem: `${field} is not a list` };
  if (required && value.length === 0) return { ok: false, field, problem: `${field} is empty; a pod needs at least one container` };
  const list: Container[] = [];
  for (const [i, c] of value.entries()) {
    if (!isPlain(c)) return { ok: false, field: `${field}[${i}]`, problem: `${field}[${i}] is not an object` };
    if (typeof c["name"] !== "string" || c["name"] === "") return { ok: false, field: `${field}[${i}].name`, problem: `${field}[${i}] has no name` };
    const wrong = wrongShape(c);
    if (wrong) return { ok: false, field: `${field}[${i}].${wrong.path}`, problem: `${field}[${i}].${wrong.path} is ${wrong.is}, where Kubernetes takes ${wrong.want}` };
    list.push(c as Container);
  }
  return { ok: true, list };
}

/**
 * The fields sidecar-order reads, moves or fills in on a container, with the shape Kubernetes
 * gives them: one of another shape (a string for `lifecycle`) would be overwritten or misread, and
 * the API server refuses it anyway. `null` is absent to Kubernetes and here.
 */
/** The probe timings sidecar-order reads, derives a startupProbe from, or models (--explain). */
const PROBE_NUMBERS = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold"] as const;

const SHAPES: readonly { path: readonly string[]; want: "a map" | "a list" | "a string" | "a whole number" }[] = [
  { path: ["lifecycle"], want: "a map" },
  { path: ["lifecycle", "postStart"], want: "a map" },
  { path: ["lifecycle", "preStop"], want: "a map" },
  { path: ["startupProbe"], want: "a map" },
  { path: ["readinessProbe"], want: "a map" },
  { path: ["livenessProbe"], want: "a map" },
  { path: ["restartPolicy"], want: "a string" },
  { path: ["command"], want: "a list" },
  { path: ["args"], want: "a list" },
  ...(["startupProbe", "readinessProbe"] as const).flatMap((probe) => PROBE_NUMBERS.map((n) => ({ path: [probe, n], want: "a whole number" as const }))),
];

function wrongShape(c: Record<string, unknown>): { path: string; is: string; want: string } | undefined {
  for (const { path, want } of SHAPES) {
    let v: unknown = c;
    for (const k of path) v = isPlain(v) ? v[k] : undefined;
    if (v === undefined || v === null) continue;
    const fits = want === "a map" ? isPlain(v) : want === "a list" ? Array.isArray(v) : want === "a whole number" ? Number.isSafeInteger(v) : typeof v === "string";
    if (!fits) return { path: path.join("."), is: describeValue(v), want };
  }
  return undefined;
}
