/**
 * Carry out a plan on an item's YAML nodes. Containers are moved as nodes, so their comments
 * travel with them; new fields are appended after existing ones, so key order is kept. Anchors,
 * aliases and merge keys on the way are handled by shared-nodes.ts: an edit changes only its place.
 */
import { isMap, isNode, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { Unsharer, resolved } from "../krm/shared-nodes";
import { pathText, type ListName, type Path } from "../pod/types";
import type { Plan, Target } from "./plan";

/** How an edit reaches a child node: plainly, or through the Unsharer when the item shares nodes. */
interface Walk {
  doc: Document;
  shared: Unsharer | undefined;
}

function child(w: Walk, parent: YAMLMap, key: string, where: readonly (string | number)[]): unknown {
  return w.shared ? w.shared.own(parent, key, pathText(where)) : parent.get(key, true);
}

/** The pod template at `templatePath` (a number steps to a list entry). */
export function templateNode(doc: Document, templatePath: readonly (string | number)[], shared?: Unsharer): YAMLMap | undefined {
  let node: unknown = doc.contents;
  if (shared && isMap(node)) shared.spellOutMerges(node, "the object");
  for (let i = 0; i < templatePath.length; i++) {
    const key = templatePath[i]!;
    const where = templatePath.slice(0, i + 1);
    if (typeof key === "number") {
      if (!isSeq(node)) return undefined;
      node = shared ? shared.own(node, key, pathText(where)) : node.get(key, true);
      continue;
    }
    if (!isMap(node)) return undefined;
    node = child({ doc, shared }, node, key, where);
  }
  return isMap(node) ? node : undefined;
}

/** Carries out the plan; returns what it had to say about shared nodes (aliases spelled out). */
export function applyPlan(doc: Document, templatePath: readonly (string | number)[], plan: Plan): string[] {
  const w: Walk = { doc, shared: Unsharer.needed(doc) ? new Unsharer(doc) : undefined };
  const template = templateNode(doc, templatePath, w.shared);
  if (!template) throw new Error("pod template vanished between planning and applying");
  const at = (...p: (string | number)[]) => [...templatePath, ...p];
  const spec = child(w, template, "spec", at("spec"));
  if (!isMap(spec)) throw new Error("pod spec vanished between planning and applying");

  // A container an edit changes is made its own before any move: a merge key or alias in it
  // still resolves to what it meant where it stood.
  if (w.shared) {
    for (const list of ["containers", "initContainers"] as const) {
      const seq = listNode(w, spec, list, at("spec"));
      seq?.items.forEach((n, i) => {
        const name = nameOf(doc, n);
        if (plan.edits.some((e) => e.target !== "template" && e.target.name === name)) w.shared!.own(seq, i, pathText(at("spec", list, i)));
      });
    }
  }
  if (plan.order) reorder(w, spec, plan.order, at("spec"));
  for (const edit of plan.edits) {
    let base = template;
    let where = at();
    if (edit.target !== "template") {
      const found = containerNode(w, spec, edit.target, at("spec", edit.target.list));
      base = found.node;
      where = at("spec", edit.target.list, found.index);
    }
    if (edit.value === undefined) deleteIn(w, base, edit.path, where);
    else setIn(w, base, edit.path, edit.value, where);
  }
  w.shared?.keepOthers();
  return w.shared?.said ?? [];
}

function listNode(w: Walk, spec: YAMLMap, list: ListName, where: readonly (string | number)[]): YAMLSeq | undefined {
  const node = child(w, spec, list, [...where, list]);
  return isSeq(node) ? node : undefined;
}

function reorder(w: Walk, spec: YAMLMap, order: Plan["order"] & object, where: readonly (string | number)[]): void {
  const { doc } = w;
  const old: Record<ListName, Node[]> = {
    containers: (listNode(w, spec, "containers", where)?.items ?? []) as Node[],
    initContainers: (listNode(w, spec, "initContainers", where)?.items ?? []) as Node[],
  };
  for (const list of ["initContainers", "containers"] as const) {
    const items = order[list].map((slot) => {
      const node = old[slot.from][slot.index];
      if (!node) throw new Error(`no ${slot.from}[${slot.index}] to move`);
      return node;
    });
    const seq = listNode(w, spec, list, where);
    const head = old[list][0];
    if (seq?.commentBefore && head && items[0] !== head) {
      // A comment above the first entry is stored on the list, but it is about that entry.
      head.commentBefore = head.commentBefore ? `${seq.commentBefore}\n${head.commentBefore}` : seq.commentBefore;
      seq.commentBefore = undefined;
    }
    // A blank line that set an entry off from the one above it would open the list now.
    if (items[0] && items[0] !== head && items[0].spaceBefore) items[0].spaceBefore = false;
    if (seq) {
      // A list the move emptied goes; one that was empty before (`initContainers: []`) stays.
      if (items.length === 0 && list === "initContainers" && old.initContainers.length > 0) spec.delete(list);
      else seq.items = items;
    } else if (items.length > 0) {
      const created = doc.createNode([]) as YAMLSeq;
      created.items = items;
      // Init containers read best just before the containers they run ahead of; `initContainers:`
      // over nothing (null) is filled where it stands, its comments kept.
      insertBefore(spec, list, created, "containers");
    }
  }
}

function containerNode(w: Walk, spec: YAMLMap, target: Exclude<Target, "template">, where: readonly (string | number)[]): { node: YAMLMap; index: number } {
  const seq = listNode(w, spec, target.list, where.slice(0, -1));
  // A container, or its name, may be an alias or come from a merge key: compare what it means.
  const index = seq ? seq.items.findIndex((n) => nameOf(w.doc, n) === target.name) : -1;
  const node = seq && index !== -1 ? (w.shared ? w.shared.own(seq, index, pathText([...where, index])) : seq.items[index]) : undefined;
  if (!isMap(node)) throw new Error(`container "${target.name}" not found in ${target.list}`);
  return { node, index };
}

function nameOf(doc: Document, node: unknown): unknown {
  const map = resolved(doc, node);
  if (!isMap(map)) return undefined;
  const name = resolved(doc, map.get("name", true));
  if (name !== undefined) return (name as { value?: unknown }).value;
  return ((map as YAMLMap).toJS(doc) as Record<string, unknown> | null)?.["name"];
}

/** Set `key` to `value`: a key already there keeps its place, and the comments its old value held; a new one goes before `beforeKey`. */
function insertBefore(map: YAMLMap, key: string, value: Node, beforeKey: string): void {
  const had = map.items.find((p) => keyOf(p) === key);
  if (had) {
    // `metadata:` over nothing (a null the plan fills): the comment lines under it stay there, above
    // what fills it (one on the key's line is the key's already: keepNullValueComments).
    const old = had.value as Node | null;
    const below = isNode(old) ? [old.commentBefore, old.comment].filter((c) => c).join("\n") : "";
    if (below) value.commentBefore = below;
    had.value = value;
    return;
  }
  map.set(key, value);
  const at = map.items.findIndex((p) => keyOf(p) === beforeKey);
  if (at === -1) return;
  const [moved] = map.items.splice(map.items.length - 1, 1);
  map.items.splice(at, 0, moved!);
  // yaml keeps the comment above a map's first key as the map's: it is that key's, and stays above
  // it when a key comes in ahead (as the text edit of krm/edit.ts keeps it).
  const next = map.items[at + 1]?.key;
  if (at === 0 && map.commentBefore && isNode(next)) {
    next.commentBefore = next.commentBefore ? `${map.commentBefore}\n${next.commentBefore}` : map.commentBefore;
    map.commentBefore = undefined;
  }
}

function keyOf(pair: Pair): unknown {
  const k = pair.key as { value?: unknown } | null;
  return k && typeof k === "object" && "value" in k ? k.value : k;
}

/** Set a value, creating maps on the way; `metadata` goes before `spec` when it is created. */
function setIn(w: Walk, base: YAMLMap, path: Path, value: unknown, where: readonly (string | number)[]): void {
  const { doc } = w;
  let node: YAMLMap = base;
  for (let i = 0; i < path.length - 1; i++) {
    const key = String(path[i]);
    const existing: unknown = child(w, node, key, [...where, ...path.slice(0, i + 1)]);
    if (isMap(existing)) {
      node = existing;
      continue;
    }
    const created = doc.createNode({}) as YAMLMap;
    if (key === "metadata") insertBefore(node, key, created, "spec");
    else insertBefore(node, key, created, "");
    node = created;
  }
  const last = String(path[path.length - 1]);
  node.set(last, doc.createNode(value, { aliasDuplicateObjects: false }));
}

function deleteIn(w: Walk, base: YAMLMap, path: Path, where: readonly (string | number)[]): void {
  let node: unknown = base;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isMap(node)) return;
    node = child(w, node, String(path[i]), [...where, ...path.slice(0, i + 1)]);
  }
  if (!isMap(node)) return;
  node.delete(String(path[path.length - 1]));
}
