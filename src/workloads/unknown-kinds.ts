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

/** Paths (through maps, and lists: a number is an index) to objects with a `containers` list of named containers. */
export function podSpecPaths(data: Plain): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (node: Plain, path: (string | number)[]) => {
    const list = node["containers"];
    if (Array.isArray(list) && list.length > 0 && list.every((c) => isPlain(c) && typeof c["name"] === "string")) {
      out.push(path);
      return;
    }
    if (path.length >= MAX_DEPTH) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "metadata" || k === "status") continue;
      if (isPlain(v)) walk(v, [...path, k]);
      // Pod templates kept in a list (Ray's worker groups, a workflow's steps) are found too.
      else if (Array.isArray(v)) v.forEach((e, i) => isPlain(e) && walk(e, [...path, k, i]));
    }
  };
  walk(data, []);
  return out;
}

/** The first container under a pod spec of `data` (at any of podSpecPaths) that a rule matches. */
function sidecarIn(data: Plain, rules: readonly SidecarRule[]): { path: (string | number)[]; container: Container; rule: SidecarRule } | undefined {
  for (const path of podSpecPaths(data)) {
    let spec: unknown = data;
    for (const k of path) spec = (spec as Plain)[k as string];
    const containers = [...((spec as Plain)["containers"] as Container[]), ...(Array.isArray((spec as Plain)["initContainers"]) ? ((spec as Plain)["initContainers"] as Container[]) : [])];
    for (const c of containers) {
      if (!isPlain(c) || typeof c.name !== "string") continue;
      const rule = rules.find((r) => ruleMatches(r, c));
      if (rule) return { path, container: c, rule };
    }
  }
  return undefined;
}

/** A path as a field path: spec.groups[0].template.spec. */
const fieldPath = (path: readonly (string | number)[]) => path.map((k, i) => (typeof k === "number" ? `[${k}]` : i > 0 ? `.${k}` : k)).join("");
const containersAt = (path: readonly (string | number)[]) => (path.length > 0 ? `${fieldPath(path)}.containers` : "containers");
const ruleName = (rule: SidecarRule) => (rule.index >= 0 ? `sidecars[${rule.index}]` : `the ${rule.key} preset`);

/**
 * The warning for an object of an unknown kind that holds a sidecar, if it does; and for a
 * ResourceList read as a plain manifest, or a List (`kubectl get -o yaml`), whose items hold one:
 * they are not looked into, and saying so beats leaving them in silence.
 */
export function unknownKindNote(data: Plain, rules: readonly SidecarRule[]): { message: string; path: string } | undefined {
  const apiVersion = typeof data["apiVersion"] === "string" ? data["apiVersion"] : "";
  const kind = typeof data["kind"] === "string" ? data["kind"] : "";
  if (!kind) return undefined;
  const items = data["items"];
  if (Array.isArray(items) && (kind === "ResourceList" || kind.endsWith("List"))) {
    for (const [i, item] of items.entries()) {
      if (!isPlain(item)) continue;
      const found = sidecarIn(item, rules);
      if (!found) continue;
      const meta = isPlain(item["metadata"]) ? item["metadata"] : {};
      const what = `sidecar "${found.container.name}" (${ruleName(found.rule)}) in items[${i}] (${String(item["kind"] ?? "an object")} ${String(meta["name"] ?? "")})`.replace(/ \)$/, ")");
      const where = `items[${i}].${containersAt(found.path)}`;
      return kind === "ResourceList" && apiVersion.startsWith("config.kubernetes.io/")
        ? { path: where, message: `this ResourceList (kpt's wire format) was read as a plain manifest, so the ${what} was left where it is; to run sidecar-order on its items, pipe it in with no PATH (sidecar-order < FILE) or run it through kpt` }
        : { path: where, message: `${kind} (${apiVersion}) holds its objects in items, which sidecar-order does not look into, so the ${what} was left where it is; write the objects as documents of their own (kubectl get -o yaml wraps them in a List)` };
    }
  }
  const found = sidecarIn(data, rules);
  if (!found) return undefined;
  const { path, container: c, rule } = found;
  const where = containersAt(path);
  // A path through a list is written without the index: it reaches every entry, as kustomize's fieldSpecs do.
  const fix =
    path[path.length - 1] === "spec"
      ? `to have it ordered, add {group: "${groupOf(apiVersion)}", kind: "${kind}", path: "${path.filter((k) => typeof k === "string").join("/")}"} to podTemplatePaths`
      : "podTemplatePaths can only name a pod spec at a path ending in `spec`, so sidecar-order cannot order it";
  return {
    path: where,
    message: `${kind} (${apiVersion}) is not a kind sidecar-order knows, but ${where} holds sidecar "${c.name}" (${ruleName(rule)}), so it was left as it is; ${fix}`,
  };
}
