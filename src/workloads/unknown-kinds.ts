/**
 * Objects of a kind sidecar-order does not know that still hold a pod spec with a sidecar in it
 * (a CRD's workload): they are left alone, and said, with the podTemplatePaths entry that would
 * have them ordered.
 */
import { isPlain, type Plain } from "../plain";
import type { Container } from "../pod/types";
import { ruleMatches, type SidecarRule } from "../sidecars/rules";
import { groupOf } from "./pod-templates";

/** Cheap test on the item's text before any parsing: no "containers", no pod spec. */
export function mayHoldPodSpec(body: string): boolean {
  return body.includes("containers");
}

const MAX_DEPTH = 8;

/** Paths (through maps only) to objects with a `containers` list of named containers. */
export function podSpecPaths(data: Plain): string[][] {
  const out: string[][] = [];
  const walk = (node: Plain, path: string[]) => {
    const list = node["containers"];
    if (Array.isArray(list) && list.length > 0 && list.every((c) => isPlain(c) && typeof c["name"] === "string")) {
      out.push(path);
      return;
    }
    if (path.length >= MAX_DEPTH) return;
    for (const [k, v] of Object.entries(node)) if (isPlain(v) && k !== "metadata" && k !== "status") walk(v, [...path, k]);
  };
  walk(data, []);
  return out;
}

/** The warning for an object of an unknown kind that holds a sidecar, if it does. */
export function unknownKindNote(data: Plain, rules: readonly SidecarRule[]): { message: string; path: string } | undefined {
  const apiVersion = typeof data["apiVersion"] === "string" ? data["apiVersion"] : "";
  const kind = typeof data["kind"] === "string" ? data["kind"] : "";
  if (!kind) return undefined;
  for (const path of podSpecPaths(data)) {
    let spec: unknown = data;
    for (const k of path) spec = (spec as Plain)[k];
    const containers = [...((spec as Plain)["containers"] as Container[]), ...(Array.isArray((spec as Plain)["initContainers"]) ? ((spec as Plain)["initContainers"] as Container[]) : [])];
    for (const c of containers) {
      if (!isPlain(c) || typeof c.name !== "string") continue;
      const rule = rules.find((r) => ruleMatches(r, c));
      if (!rule) continue;
      const at = path.join(".");
      const where = at ? `${at}.containers` : "containers";
      const fix =
        path[path.length - 1] === "spec"
          ? `to have it ordered, add {group: "${groupOf(apiVersion)}", kind: "${kind}", path: "${path.join("/")}"} to podTemplatePaths`
          : "podTemplatePaths can only name a pod spec at a path ending in `spec`, so sidecar-order cannot order it";
      return {
        path: where,
        message: `${kind} (${apiVersion}) is not a kind sidecar-order knows, but ${where} holds sidecar "${c.name}" (${rule.index >= 0 ? `sidecars[${rule.index}]` : `the ${rule.key} preset`}), so it was left as it is; ${fix}`,
      };
    }
  }
  return undefined;
}
