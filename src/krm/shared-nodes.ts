/**
 * YAML anchors, aliases and merge keys where an edit goes. kpt hands them to the function as
 * written (a merge key as `!!merge <<: *x`), and kubectl and kpt honour a plain `<<` too. An edit
 * must change only the place it names, and nothing may be lost:
 * - an alias on an edit's way is replaced by a copy of what it stands for (`own`);
 * - a merge key in a map an edit changes is spelled out, so a key it brought is edited, not
 *   shadowed by a fresh one holding only the new field (`own`);
 * - every other use of a node the edit changed keeps what it meant before (`keepOthers`);
 * - an alias that ends up before its anchor (a moved container) becomes a copy (`keepOthers`).
 * Each of these is said, so the user knows why their alias became text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node, type Pair, type YAMLMap } from "yaml";

/** Copies one item may make while expanding aliases; past it the input is an alias bomb in disguise. */
const MAX_COPIED_NODES = 100_000;

/** A parent's child slot: a map's key or a list's index. */
type Parent = YAMLMap | { items: unknown[] };

export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return (typeof v === "symbol" && v.description === "<<") || (v === "<<" && (key.type === undefined || key.type === "PLAIN"));
}

export function hasMergeKey(map: YAMLMap): boolean {
  return map.items.some((p) => isMergeKey(p.key));
}

/** The scalar value of a map key (or the key itself). */
export function keyValue(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/** What an alias stands for (following aliases to aliases). */
export function resolved(doc: Document, node: unknown): unknown {
  let n = node;
  for (let hops = 0; isAlias(n) && hops < 64; hops++) n = n.resolve(doc);
  return n;
}

/** Records what was spelled out, for the item's info result. */
export class Unsharer {
  readonly said: string[] = [];
  private copied = 0;
  /** Aliases in the item before any edit, with what they meant then. */
  private readonly before: { alias: Alias; meant: Node | undefined; json: string }[] = [];

  constructor(private readonly doc: Document) {
    // Only items that use aliases pay for this.
    visit(doc, {
      Alias: (_, alias) => {
        const target = resolved(doc, alias) as Node | undefined;
        this.before.push({ alias, meant: target ? this.copy(target) : undefined, json: jsonOf(doc, target) });
      },
    });
  }

  /** Whether the item has anything shared at all (most do not: then nothing here runs). */
  static needed(doc: Document): boolean {
    let found = false;
    visit(doc, {
      Alias: () => ((found = true), visit.BREAK),
      Pair: (_, p) => (isMergeKey(p.key) ? ((found = true), visit.BREAK) : undefined),
    });
    return found;
  }

  /**
   * The node at `parent[key]`, made this place's own: an alias there becomes a copy of its
   * target, and a map's merge keys are spelled out. `where` names the place for the message.
   */
  own(parent: Parent, key: string | number, where: string): unknown {
    const node = isMap(parent) ? parent.get(key, true) : parent.items[key as number];
    if (isAlias(node)) {
      const target = this.meaning(node);
      if (!target) return undefined;
      const copy = this.copy(target);
      if (isMap(parent)) parent.set(key, copy);
      else parent.items[key as number] = copy;
      this.said.push(`spelled out the YAML alias *${node.source} at ${where} so that only this place changes`);
      if (isMap(copy)) this.spellOutMerges(copy, where);
      return copy;
    }
    if (isMap(node)) this.spellOutMerges(node, where);
    return node;
  }

  /** A map's own merge keys, spelled out in place: merged keys come in where the `<<` stood. */
  spellOutMerges(map: YAMLMap, where: string, say = true): void {
    const at = map.items.findIndex((p) => isMergeKey(p.key));
    if (at === -1) return;
    const seen = new Set(map.items.filter((p) => !isMergeKey(p.key)).map((p) => keyValue(p.key)));
    const merged: Pair[] = [];
    const names: string[] = [];
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const value = isAlias(pair.value) ? this.meaning(pair.value) : pair.value;
      // Earlier sources win over later ones, and the map's own keys over all of them.
      const sources = isSeq(value) ? value.items : [pair.value];
      for (const source of sources) {
        if (isAlias(source)) names.push(`*${source.source}`);
        const target = isAlias(source) ? this.meaning(source) : source;
        if (!isMap(target)) throw new Error(`a merge key (<<) in ${where} does not point at a mapping`);
        const copy = this.copy(target) as YAMLMap;
        this.spellOutMerges(copy, where);
        for (const p of copy.items) {
          const k = keyValue(p.key);
          if (seen.has(k)) continue;
          seen.add(k);
          merged.push(p as Pair);
        }
      }
    }
    const rest = map.items.filter((p) => !isMergeKey(p.key));
    rest.splice(Math.min(at, rest.length), 0, ...merged);
    map.items = rest;
    if (say) this.said.push(`spelled out the merge key (<<${names.length ? `: ${names.join(", ")}` : ""}) at ${where} so that only this place changes`);
  }

  /**
   * After the edits: every alias that now means something else (its target changed, or it moved
   * before its anchor) gets a copy of what it meant before.
   */
  keepOthers(): void {
    const anchored = new Set<string>();
    const replace = new Map<Alias, Node>();
    const merging = new Set<YAMLMap>();
    visit(this.doc, {
      Node: (_, node) => {
        if (isAlias(node)) return;
        if ((node as Node).anchor) anchored.add((node as Node).anchor!);
      },
      Alias: (_, alias, path) => {
        const was = this.before.find((b) => b.alias === alias);
        if (!was?.meant) return;
        const defined = anchored.has(alias.source);
        if (defined && jsonOf(this.doc, resolved(this.doc, alias)) === was.json) return;
        replace.set(alias, this.copy(was.meant));
        // A merge source is spelled out into its map, which reads better than `<<:` over a copy.
        const pair = path[path.length - 1];
        const owner = isSeq(pair) ? path[path.length - 3] : path[path.length - 2];
        const mergePair = isSeq(pair) ? path[path.length - 2] : pair;
        if (isPair(mergePair) && isMergeKey(mergePair.key) && isMap(owner)) merging.add(owner);
        this.said.push(
          defined
            ? `spelled out the YAML alias *${alias.source} elsewhere in the item so that it keeps what it meant before the edit`
            : `spelled out the YAML alias *${alias.source}, which the move put before its anchor`,
        );
      },
    });
    if (replace.size === 0) return;
    visit(this.doc, { Alias: (_, alias) => replace.get(alias) });
    for (const map of merging) this.spellOutMerges(map, "the map that merged it", false);
  }

  /** What an alias meant before any edit (a move may since have put it before its anchor). */
  private meaning(alias: Alias): Node | undefined {
    const was = this.before.find((b) => b.alias === alias);
    return was ? was.meant : (resolved(this.doc, alias) as Node | undefined);
  }

  /** A deep copy with aliases expanded and no anchors: it stands in one place only. */
  private copy(node: Node, depth = 0): Node {
    if (++this.copied > MAX_COPIED_NODES || depth > 200) throw new RangeError("aliases expand to too many nodes");
    if (isAlias(node)) {
      const target = resolved(this.doc, node) as Node | undefined;
      if (!target) throw new Error(`the YAML alias *${node.source} has no anchor`);
      return this.copy(target, depth + 1);
    }
    // The descriptors carry yaml's node-type symbol, which Object.assign would leave behind.
    const out = Object.create(Object.getPrototypeOf(node) as object, Object.getOwnPropertyDescriptors(node)) as Node;
    delete out.anchor;
    if (isMap(out) || isSeq(out)) {
      out.items = (node as YAMLMap).items.map((item: unknown) => {
        if (isPair(item)) {
          const key = item.key && typeof item.key === "object" ? this.copy(item.key as Node, depth + 1) : item.key;
          const value = item.value && typeof item.value === "object" ? this.copy(item.value as Node, depth + 1) : item.value;
          return this.doc.createPair(key, value);
        }
        return item && typeof item === "object" ? this.copy(item as Node, depth + 1) : item;
      }) as typeof out.items;
    }
    return out;
  }
}

function jsonOf(doc: Document, node: unknown): string {
  if (node === undefined || node === null) return "null";
  try {
    return JSON.stringify((node as Node).toJS(doc, { maxAliasCount: MAX_COPIED_NODES }));
  } catch {
    return "?";
  }
}
