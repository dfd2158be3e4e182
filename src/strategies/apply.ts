/**
 * Carry out a plan on an item's YAML nodes. Containers are moved as nodes, so their comments
 * travel with them; new fields are appended after existing ones, so key order is kept.
 */
import { isMap, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import type { ListName, Path } from "../pod/types";
import type { Plan, Target } from "./plan";

export function templateNode(doc: Document, templatePath: readonly string[]): YAMLMap | undefined {
  const node = templatePath.length ? doc.getIn(templatePath, true) : doc.contents;
  return isMap(node) ? node : undefined;
}

export function applyPlan(doc: Document, templatePath: readonly string[], plan: Plan): void {
  const template = templateNode(doc, templatePath);
  if (!template) throw new Error("pod template vanished between planning and applying");
  const spec = template.get("spec", true);
  if (!isMap(spec)) throw new Error("pod spec vanished between planning and applying");

  if (plan.order) reorder(doc, spec, plan.order);
  for (const edit of plan.edits) {
    const base = edit.target === "template" ? template : containerNode(spec, edit.target);
    if (edit.value === undefined) deleteIn(base, edit.path);
    else setIn(doc, base, edit.path, edit.value);
  }
}

function listNode(spec: YAMLMap, list: ListName): YAMLSeq | undefined {
  const node = spec.get(list, true);
  return isSeq(node) ? node : undefined;
}

function reorder(doc: Document, spec: YAMLMap, order: Plan["order"] & object): void {
  const old: Record<ListName, Node[]> = {
    containers: (listNode(spec, "containers")?.items ?? []) as Node[],
    initContainers: (listNode(spec, "initContainers")?.items ?? []) as Node[],
  };
  for (const list of ["initContainers", "containers"] as const) {
    const items = order[list].map((slot) => {
      const node = old[slot.from][slot.index];
      if (!node) throw new Error(`no ${slot.from}[${slot.index}] to move`);
      return node;
    });
    const seq = listNode(spec, list);
    const head = old[list][0];
    if (seq?.commentBefore && head && items[0] !== head) {
      // A comment above the first entry is stored on the list, but it is about that entry.
      head.commentBefore = head.commentBefore ? `${seq.commentBefore}\n${head.commentBefore}` : seq.commentBefore;
      seq.commentBefore = undefined;
    }
    // A blank line that set an entry off from the one above it would open the list now.
    if (items[0] && items[0] !== head && items[0].spaceBefore) items[0].spaceBefore = false;
    if (seq) {
      if (items.length === 0 && list === "initContainers") spec.delete(list);
      else seq.items = items;
    } else if (items.length > 0) {
      const created = doc.createNode([]) as YAMLSeq;
      created.items = items;
      // Init containers read best just before the containers they run ahead of.
      insertBefore(spec, list, created, "containers");
    }
  }
}

function containerNode(spec: YAMLMap, target: Exclude<Target, "template">): YAMLMap {
  const seq = listNode(spec, target.list);
  const node = seq?.items.find((n) => isMap(n) && n.get("name") === target.name);
  if (!isMap(node)) throw new Error(`container "${target.name}" not found in ${target.list}`);
  return node;
}

function insertBefore(map: YAMLMap, key: string, value: Node, beforeKey: string): void {
  const at = map.items.findIndex((p) => keyOf(p) === beforeKey);
  map.set(key, value);
  if (at === -1) return;
  const index = map.items.findIndex((p) => keyOf(p) === key);
  const [moved] = map.items.splice(index, 1);
  map.items.splice(at, 0, moved!);
}

function keyOf(pair: Pair): unknown {
  const k = pair.key as { value?: unknown } | null;
  return k && typeof k === "object" && "value" in k ? k.value : k;
}

/** Set a value, creating maps on the way; `metadata` goes before `spec` when it is created. */
function setIn(doc: Document, base: YAMLMap, path: Path, value: unknown): void {
  let node: YAMLMap = base;
  for (let i = 0; i < path.length - 1; i++) {
    const key = String(path[i]);
    const existing: unknown = node.get(key, true);
    if (isMap(existing)) {
      node = existing;
      continue;
    }
    const created = doc.createNode({}) as YAMLMap;
    if (key === "metadata") insertBefore(node, key, created, "spec");
    else node.set(key, created);
    node = created;
  }
  const last = String(path[path.length - 1]);
  node.set(last, doc.createNode(value, { aliasDuplicateObjects: false }));
}

function deleteIn(base: YAMLMap, path: Path): void {
  let node: unknown = base;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isMap(node)) return;
    node = node.get(String(path[i]), true);
  }
  if (!isMap(node)) return;
  node.delete(String(path[path.length - 1]));
}
