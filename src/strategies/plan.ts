/**
 * What a strategy decides for one pod template, as data: the new order of the container lists,
 * the field edits, and notes (risks and refusals). Strategies return plans; apply.ts carries
 * them out on YAML nodes; transform.ts turns them into results. A plan with no order change and
 * no edits leaves the workload byte-identical.
 */
import type { Severity } from "../krm/results";
import type { ListName, Path, PodTemplateView } from "../pod/types";

/** A container by where it ends up; or the pod template itself (for metadata). */
export type Target = { list: ListName; name: string } | "template";

/** Where a container of the new order comes from. */
export interface Slot {
  from: ListName;
  index: number;
}

export interface Edit {
  target: Target;
  /** Path below the target (a container, or the pod template). */
  path: Path;
  /** The new value; `undefined` removes the field. */
  value: unknown;
  /** What the change is, for the info result, e.g. `added a postStart hook that waits for "proxy"`. */
  says: string;
}

export interface Note {
  severity: Severity;
  message: string;
  target?: Target;
  path?: Path;
  proposedValue?: unknown;
}

export interface Plan {
  /** The new lists; undefined when no container moves. */
  order?: Record<ListName, Slot[]>;
  /** What the plan does besides its edits (moves, what stays), for the info result. */
  remarks: string[];
  edits: Edit[];
  notes: Note[];
}

export function emptyPlan(): Plan {
  return { remarks: [], edits: [], notes: [] };
}

/** The last edit the plan makes to container `name` at `path` (dotted: `lifecycle.preStop`); container names are unique across both lists. */
export function editAt(plan: Plan, name: string, path: string): Edit | undefined {
  for (let i = plan.edits.length - 1; i >= 0; i--) {
    const e = plan.edits[i]!;
    if (e.target !== "template" && e.target.name === name && e.path.join(".") === path) return e;
  }
  return undefined;
}

export function refused(plan: Plan): boolean {
  return plan.notes.some((n) => n.severity === "error");
}

export function changes(plan: Plan): boolean {
  return plan.order !== undefined || plan.edits.length > 0;
}

/** The list and index a container has once the plan's order is applied. */
export function finalIndex(template: PodTemplateView, plan: Plan, list: ListName, name: string): number {
  if (!plan.order) return template.spec[list].findIndex((c) => c.name === name);
  return plan.order[list].findIndex((slot) => template.spec[slot.from][slot.index]?.name === name);
}

/** A target's path below the pod template, with final indexes. */
export function targetPath(template: PodTemplateView, plan: Plan, target: Target, path: Path = []): Path {
  if (target === "template") return path;
  return ["spec", target.list, finalIndex(template, plan, target.list, target.name), ...path];
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
