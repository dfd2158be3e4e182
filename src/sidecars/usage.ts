/**
 * No silent no-op: which configured sidecars entries matched a container somewhere in the
 * package, so that an entry that matched none (a typo, a wrong image glob) is said, with the
 * container names and images that were there.
 */
import { nearest } from "../config/load";
import type { PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "./match";
import type { Preset } from "./presets";
import type { SidecarRule } from "./rules";

export interface Usage {
  /** Entries that matched a sidecar, or whose preset's mesh is injected, in some workload. */
  used: Set<SidecarRule>;
  names: Set<string>;
  images: Set<string>;
  /** Objects with a pod template read (transform counts them: one object may have several). */
  workloads: number;
  /** Pod templates read. */
  templates: number;
  /** Sidecars and injected meshes found, by any means (a rule, the annotation, a mesh switch). */
  found: number;
}

export function newUsage(): Usage {
  return { used: new Set(), names: new Set(), images: new Set(), workloads: 0, templates: 0, found: 0 };
}

export function recordUsage(u: Usage, view: PodTemplateView, sidecars: readonly MatchedSidecar[], meshes: readonly Preset[], rules: readonly SidecarRule[], plainInit: readonly { rule: SidecarRule }[] = []): void {
  // Workloads are counted by the caller: an object with several pod templates (a JobSet) is one.
  u.templates++;
  for (const c of [...view.spec.initContainers, ...view.spec.containers]) {
    u.names.add(c.name);
    if (typeof c.image === "string") u.images.add(c.image);
  }
  u.found += sidecars.length + meshes.length;
  for (const s of sidecars) if (s.rule) u.used.add(s.rule);
  // A rule that found its sidecar among the plain init containers is said of there, not as unused.
  for (const s of plainInit) u.used.add(s.rule);
  for (const p of meshes) for (const r of rules) if (r.preset === p && r.spec.name === undefined && r.spec.image === undefined) u.used.add(r);
}

const MAX_LISTED = 12;

/** A warning for each configured entry that matched nothing, while there were workloads to match. */
export function unusedRules(rules: readonly SidecarRule[], u: Usage): { path: string; message: string }[] {
  if (u.workloads === 0) return [];
  const names = [...u.names].sort();
  const images = [...u.images].sort();
  const list = (xs: string[]) => (xs.length > MAX_LISTED ? `${xs.slice(0, MAX_LISTED).map((x) => `"${x}"`).join(", ")} and ${xs.length - MAX_LISTED} more` : xs.map((x) => `"${x}"`).join(", "));
  const out: { path: string; message: string }[] = [];
  for (const r of [...rules].sort((a, b) => a.index - b.index)) {
    if (r.index < 0 || u.used.has(r)) continue;
    const { name, image, preset } = r.spec;
    let what: string;
    let hint = "";
    if (name !== undefined) {
      what = `name "${name}"${image !== undefined ? ` and image "${image}"` : ""}`;
      const near = nearest(name, names.filter((n) => n !== name));
      if (near) hint = `; did you mean "${near}"?`;
    } else if (image !== undefined) {
      what = `image "${image}"`;
    } else {
      what = `the ${preset} preset`;
    }
    const seen = image !== undefined && name === undefined ? `the images in the package are ${list(images)}` : `the containers in the package are named ${list(names)}`;
    out.push({
      path: `sidecars[${r.index}]`,
      message: `sidecars[${r.index}] (${what}) matches no container in any of the ${u.workloads} workload${u.workloads > 1 ? "s" : ""}, so it changes nothing; ${seen}${hint}`,
    });
  }
  return out;
}
