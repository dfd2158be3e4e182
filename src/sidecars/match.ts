/**
 * Which containers of a pod template are sidecars: those the config describes (by name and/or
 * image glob) and those the pod template names in its `sidecar-order.dev/sidecars` annotation.
 */
import type { SidecarSpec } from "../config/schema";
import type { Container, ListName, PodTemplateView } from "../pod/types";
import { settingsOf, type SidecarSettings } from "./settings";

export const SIDECARS_ANNOTATION = "sidecar-order.dev/sidecars";

export interface MatchedSidecar {
  list: ListName;
  /** Index in its list, as found. */
  index: number;
  container: Container;
  /** The config entry that describes it; undefined when only the annotation names it. */
  spec: SidecarSpec | undefined;
  /** What to do with it, resolved from the entry (defaults when only the annotation names it). */
  settings: SidecarSettings;
  /** Position of the describing entry (config order first, then annotation order). */
  rank: number;
}

export interface MatchOutcome {
  sidecars: MatchedSidecar[];
  /** Names in the annotation that no container has. */
  unknownNames: string[];
}

/** `*` matches any run of characters (`/` included), `?` one character; the rest is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

const globCache = new Map<string, RegExp>();
function globMatch(glob: string, value: string): boolean {
  let re = globCache.get(glob);
  if (!re) globCache.set(glob, (re = globToRegExp(glob)));
  return re.test(value);
}

export function matchesSpec(spec: SidecarSpec, c: Container): boolean {
  if (spec.name !== undefined && spec.name !== c.name) return false;
  if (spec.image !== undefined && (typeof c.image !== "string" || !globMatch(spec.image, c.image))) return false;
  return true;
}

export function annotatedNames(annotations: Record<string, string>): string[] {
  const raw = annotations[SIDECARS_ANNOTATION];
  if (typeof raw !== "string") return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Sidecars among spec.containers and spec.initContainers, in rank order (stable). */
export function matchSidecars(template: PodTemplateView, specs: readonly SidecarSpec[]): MatchOutcome {
  const named = annotatedNames(template.annotations);
  const found: MatchedSidecar[] = [];
  const lists: ListName[] = ["initContainers", "containers"];
  for (const list of lists) {
    template.spec[list].forEach((container, index) => {
      // Plain init containers run to completion before the app: they are never sidecars.
      if (list === "initContainers" && container.restartPolicy !== "Always") return;
      const specIndex = specs.findIndex((s) => matchesSpec(s, container));
      const nameIndex = named.indexOf(container.name);
      if (specIndex === -1 && nameIndex === -1) return;
      found.push({
        list,
        index,
        container,
        spec: specIndex === -1 ? undefined : specs[specIndex],
        settings: settingsOf(specIndex === -1 ? undefined : specs[specIndex]),
        rank: specIndex === -1 ? specs.length + nameIndex : specIndex,
      });
    });
  }
  const present = new Set([...template.spec.containers, ...template.spec.initContainers].map((c) => c.name));
  return { sidecars: found, unknownNames: named.filter((n) => !present.has(n)) };
}
