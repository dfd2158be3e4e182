/**
 * A plan carried out on an item's own text, for items the `yaml` printer would print exactly as
 * they are written ("canonical": two-space indentation, one list style, one space after a colon
 * or dash, comments where the printer keeps them, scalars it prints back unchanged, ...). There
 * the text can be edited the way strategies/apply.ts edits the YAML nodes, and the result is, byte
 * for byte, what printing the edited nodes would give: containers move as blocks of lines (with
 * the comments they own), new fields are printed after the existing ones, emptied lists go.
 * Anything outside that (another layout, a comment the printer would move, a value it would
 * print differently, an edit this file does not make) returns undefined, and the caller parses
 * and re-prints the item as before. The fast = careful property tests hold the two to each other.
 *
 * Cost: one pass over the item's lines and the edited blocks, against a yaml parse and print of
 * the whole item (most of a first migration's time before).
 */
import type { Plan, Target } from "../strategies/plan";
import type { ItemSource } from "./resource-list";
import { resolvePlain } from "./light-yaml";
import { readsAsOtherIn11, usesWideLists } from "./print";
import { dedent, indent as indentText } from "./text";

class Decline extends Error {}
const DECLINE = new Decline();
const decline = (): never => {
  throw DECLINE;
};

/**
 * The item's new text (to stand where its body stood), the plain data it reads as (`data`, the
 * item's before, with the plan carried out) and whether it is the item's text as it was; or
 * undefined when this file cannot make the edit exactly as the yaml printer would.
 */
export function editItem(item: ItemSource, templatePath: readonly string[], plan: Plan, data: unknown): { replacement: string; data: unknown; same: boolean } | undefined {
  // The item alone, made here rather than taken from item.body, which a big list would keep for every changed item.
  const body = item.raw !== undefined ? dedent(item.raw, item.column) : item.body;
  let out: string;
  try {
    out = new Outline(body).edit(templatePath, plan);
  } catch (e) {
    if (e instanceof Decline || e instanceof RangeError) return undefined;
    throw e;
  }
  if (!body.endsWith("\n")) out = out.replace(/\n$/, "");
  const replacement = indentText(out, item.column);
  // `same`: what the caller's test `replacement === item.body` would say.
  return { replacement, data: planned(data, templatePath, plan), same: replacement === body };
}

/** Whether this file takes `body` (an item alone) for text the yaml printer prints back as it is. */
export function printsAsWritten(body: string): boolean {
  try {
    new Outline(body);
    return true;
  } catch (e) {
    if (e instanceof Decline || e instanceof RangeError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The outline: maps, pairs, lists and entries by their lines, and the lines each one owns.

interface MapNode {
  kind: "map";
  /** Column of its keys. */
  indent: number;
  pairs: PairNode[];
  /** Trailing comment lines at the keys' column after the last pair: [trailFrom, trailTo). */
  trailFrom: number;
  trailTo: number;
  /** Set when the map is an entry's (its first key stands after the entry's `- `). */
  inEntry: boolean;
}

interface SeqNode {
  kind: "seq";
  indent: number;
  entries: EntryNode[];
  trailFrom: number;
  trailTo: number;
}

interface PairNode {
  key: string;
  /** Lines it owns before its key line (blank lines and comments): [leadFrom, keyLine). */
  leadFrom: number;
  keyLine: number;
  /** Just past its last line (its value's, with the value's own trailing comments). */
  to: number;
  value: MapNode | SeqNode | Scalar;
  /** A comment on the key line over a block value (it stays with the key). */
  keyComment: boolean;
}

interface EntryNode {
  leadFrom: number;
  dashLine: number;
  to: number;
  value: MapNode | SeqNode | Scalar;
}

interface Scalar {
  kind: "scalar";
  /** The scalar's value when it is a string (plain or quoted); undefined otherwise. */
  text: string | undefined;
  /** Whether the value line carries a comment (or a block scalar's header does). */
  commented: boolean;
  /** Whether it is a flow collection. */
  flow: boolean;
  /** Whether it is a plain scalar. */
  plain: boolean;
}

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;

class Outline {
  /** Line i is text [starts[i], ends[i]) (without its newline). */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Indentation; -1 for a blank line. */
  private readonly indents: number[] = [];
  /** Whether the line is a comment (first non-space character `#`). */
  private readonly comments: boolean[] = [];
  private readonly n: number;
  private i = 0;
  /** Lists indent their entries past their key (`wide`) or not, in the whole item alike. */
  private readonly wide: boolean;
  readonly root: MapNode;

  constructor(private readonly t: string) {
    // Characters the printer would escape, line breaks other than \n, trailing spaces.
    if (ESCAPED.test(t) || t.includes(" \n") || t.endsWith(" ")) decline();
    for (let pos = 0; pos < t.length; ) {
      let nl = t.indexOf("\n", pos);
      if (nl === -1) nl = t.length;
      let k = pos;
      while (t.charCodeAt(k) === SPACE) k++;
      this.starts.push(pos);
      this.ends.push(nl);
      this.indents.push(k === nl ? -1 : k - pos);
      this.comments.push(t.charCodeAt(k) === HASH);
      pos = nl + 1;
    }
    this.n = this.starts.length;
    this.wide = usesWideLists(t);
    if (this.n === 0 || this.indents[0] !== 0) decline();
    const root = this.block(0);
    if (root.kind !== "map") decline();
    this.root = root as MapNode;
    // Whatever is left (comments at the end of the item) the printer would set off with a blank line.
    if (this.i < this.n) decline();
  }

  private isContent(line: number): boolean {
    return this.indents[line] !== -1 && !this.comments[line]!;
  }

  /** The next content line at or after `from`, or n. */
  private nextContent(from: number): number {
    let k = from;
    while (k < this.n && !this.isContent(k)) k++;
    return k;
  }

  /**
   * A run of blank and comment lines from `this.i`, before the next content line: the lead of
   * a sibling at `indent` (returns true, leaves `this.i` at the run's start), the trail of the
   * collection at `indent` (consumed into [from, to), returns false) or someone else's (returns
   * false, consumes nothing). Layouts the printer would change decline.
   */
  private leadOrTrail(indent: number, sibling: (line: number) => boolean): { lead: boolean; trailFrom: number; trailTo: number } {
    const from = this.i;
    const next = this.nextContent(from);
    let blank = false;
    let commentIndent = -1;
    let lastBlank = false;
    for (let k = from; k < next; k++) {
      if (this.indents[k] === -1) {
        if (lastBlank) decline(); // two blank lines become one
        lastBlank = blank = true;
        continue;
      }
      lastBlank = false;
      if (commentIndent === -1) commentIndent = this.indents[k]!;
      else if (this.indents[k] !== commentIndent) decline(); // comments at two columns are merged
    }
    if (next < this.n && this.indents[next] === indent && sibling(next)) {
      if (commentIndent !== -1 && commentIndent !== indent) decline(); // the printer would move it to the sibling's column
      return { lead: true, trailFrom: from, trailTo: from };
    }
    if (commentIndent === indent) {
      // A trailing comment of this collection: no blank line before it, and not at the very end.
      if (blank || (next >= this.n && indent === 0)) decline();
      // Only comments up to the next blank line or content: the rest is the next node's.
      this.i = next;
      return { lead: false, trailFrom: from, trailTo: next };
    }
    if (commentIndent > indent) decline(); // deeper than any key left: the printer moves it up a line
    return { lead: false, trailFrom: from, trailTo: from };
  }

  /** A block collection whose first line is content at `indent` (this.i points at it, or at its lead). */
  private block(indent: number): MapNode | SeqNode {
    const first = this.firstLead(indent);
    return this.isEntry(first) ? this.seq(indent) : this.map(indent, first, this.starts[first]! + indent, false);
  }

  /**
   * The first content line of a collection at `indent`, from `this.i`; what stands before it
   * (its first node's lead) may only be comments at that column.
   */
  private firstLead(indent: number): number {
    const first = this.nextContent(this.i);
    if (first >= this.n || this.indents[first] !== indent) decline();
    for (let k = this.i; k < first; k++) if (this.indents[k] !== indent) decline();
    return first;
  }

  private isEntry(line: number): boolean {
    const at = this.starts[line]! + this.indents[line]!;
    return this.t.charCodeAt(at) === DASH && (at + 1 === this.ends[line] || this.t.charCodeAt(at + 1) === SPACE);
  }

  /** A block map with keys at `indent`, its first key on line `first` at offset `at`. */
  private map(indent: number, first: number, at: number, inEntry: boolean): MapNode {
    const node: MapNode = { kind: "map", indent, pairs: [], trailFrom: -1, trailTo: -1, inEntry };
    let keyAt = at;
    let keyLine = first;
    let leadFrom = inEntry ? first : this.i;
    for (;;) {
      const pair = this.pair(indent, leadFrom, keyLine, keyAt);
      if (node.pairs.some((p) => p.key === pair.key)) decline();
      node.pairs.push(pair);
      const isKey = (line: number) => !this.isEntry(line);
      const after = this.leadOrTrail(indent, isKey);
      if (!after.lead) {
        node.trailFrom = after.trailFrom;
        node.trailTo = after.trailTo;
        return node;
      }
      leadFrom = this.i;
      keyLine = this.nextContent(this.i);
      keyAt = this.starts[keyLine]! + indent;
    }
  }

  /** One `key: value` pair; the key stands on `keyLine` at offset `at`. */
  private pair(indent: number, leadFrom: number, keyLine: number, at: number): PairNode {
    const t = this.t;
    const end = this.ends[keyLine]!;
    // A plain key the printer writes back as it is.
    let k = at;
    while (k < end && isKeyChar(t.charCodeAt(k))) k++;
    if (k === at || t.charCodeAt(k) !== COLON || !(k + 1 === end || t.charCodeAt(k + 1) === SPACE)) decline();
    const key = t.slice(at, k);
    if (resolvePlain(key) !== key || readsAsOtherIn11(key) || key === "<<" || key === "__proto__") decline();
    this.i = keyLine + 1;
    const keyComment = k + 1 !== end && t.charCodeAt(k + 2) === HASH;
    const node: PairNode = { key, leadFrom, keyLine, to: keyLine + 1, value: SCALAR, keyComment };
    if (k + 1 === end || keyComment) {
      // A block value below (or null). A key-line comment stays on the key line.
      const next = this.nextContent(this.i);
      const nested = next < this.n ? this.indents[next]! : -1;
      if (next < this.n && nested > indent) {
        if (nested !== indent + 2) decline();
        // Comments between the key and its value belong to the value's first node.
        if (this.isEntry(next) && !this.wide) decline();
        node.value = this.block(indent + 2);
      } else if (next < this.n && nested === indent && this.isEntry(next)) {
        if (this.wide) decline();
        this.firstLead(indent);
        node.value = this.seq(indent);
      } else {
        // `key:` alone is null, printed as it is (a comment over nothing: not here).
        if (keyComment) decline();
        node.value = { kind: "scalar", text: undefined, commented: false, flow: false, plain: true };
      }
    } else {
      if (t.charCodeAt(k + 2) === SPACE) decline(); // one space after the colon
      node.value = this.inline(k + 2, end, indent);
    }
    node.to = this.i;
    return node;
  }

  private seq(indent: number): SeqNode {
    const node: SeqNode = { kind: "seq", indent, entries: [], trailFrom: -1, trailTo: -1 };
    let leadFrom = this.i;
    for (;;) {
      const dashLine = this.nextContent(this.i);
      if (dashLine >= this.n || this.indents[dashLine] !== indent || !this.isEntry(dashLine)) decline();
      const t = this.t;
      const at = this.starts[dashLine]! + indent;
      const end = this.ends[dashLine]!;
      // `- value`, one space after the dash; `-` alone or with a comment is printed otherwise.
      if (at + 1 === end || t.charCodeAt(at + 2) === SPACE || t.charCodeAt(at + 2) === HASH) decline();
      const entry: EntryNode = { leadFrom, dashLine, to: dashLine + 1, value: SCALAR };
      this.i = dashLine;
      if (keyAhead(t, at + 2, end)) {
        entry.value = this.map(indent + 2, dashLine, at + 2, true);
      } else {
        this.i = dashLine + 1;
        entry.value = this.inline(at + 2, end, indent);
      }
      entry.to = this.i;
      node.entries.push(entry);
      const after = this.leadOrTrail(indent, (line) => this.isEntry(line));
      if (!after.lead) {
        node.trailFrom = after.trailFrom;
        node.trailTo = after.trailTo;
        return node;
      }
      leadFrom = this.i;
    }
  }

  /** A value on its key's or dash's line, from `at`; block scalars take the lines below. */
  private inline(at: number, end: number, indent: number): Scalar {
    const t = this.t;
    const c = t.charCodeAt(at);
    if (c === 124 /* | */) return this.blockScalar(at, end, indent);
    // > & * ! % @ ` ? , ] } #: folded scalars, anchors, aliases, tags and the rest are not here.
    if (c === 62 || c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96 || c === 63 || c === 44 || c === 93 || c === 125 || c === HASH) decline();
    let k: number;
    let text: string | undefined;
    let flow = false;
    let plain = false;
    if (c === 39 || c === 34) {
      k = quotedEnd(t, at, end);
      text = t.slice(at + 1, k - 1);
      if (c === 39) text = text.replace(/''/g, "'");
      else if (text.includes("\\")) decline();
    } else if (c === 91 || c === 123) {
      k = flowEnd(t, at, end);
      flow = true;
    } else {
      // A plain scalar ends at ` #` or the line's end.
      k = end;
      for (let h = at + 1; h < end; h++) {
        if (t.charCodeAt(h) === HASH && t.charCodeAt(h - 1) === SPACE) {
          k = h - 1;
          break;
        }
      }
      const raw = t.slice(at, k);
      if (!plainPrintsBack(raw)) decline();
      const v = resolvePlain(raw);
      text = typeof v === "string" ? v : undefined;
      plain = true;
    }
    // After the value: nothing, or one space and a comment.
    let commented = false;
    if (k < end) {
      if (t.charCodeAt(k) !== SPACE || t.charCodeAt(k + 1) !== HASH) decline();
      commented = true;
    }
    return { kind: "scalar", text, commented, flow, plain };
  }

  /** `|` or `|-`, maybe a comment; the lines below at exactly two columns past `indent`. */
  private blockScalar(at: number, end: number, indent: number): Scalar {
    const t = this.t;
    let h = at + 1;
    if (t.charCodeAt(h) === DASH) h++;
    let commented = false;
    if (h < end) {
      if (t.charCodeAt(h) !== SPACE || t.charCodeAt(h + 1) !== HASH) decline();
      commented = true;
    }
    const own = indent + 2;
    if (this.i >= this.n || this.indents[this.i] === -1) decline(); // empty, or a blank first line: printed otherwise
    // Its lines: every one indented at least `own` (a `#` there is text, not a comment); the first exactly.
    let last = -1;
    for (let k = this.i; k < this.n; k++) {
      const ind = this.indents[k]!;
      if (ind === -1) continue;
      if (ind < own) break;
      last = k;
    }
    if (last === -1 || this.indents[this.i] !== own) decline();
    this.i = last + 1;
    return { kind: "scalar", text: undefined, commented, flow: false, plain: false };
  }

  // -------------------------------------------------------------------------------------------
  // Edits

  /** The new body: the plan carried out as apply.ts carries it out on nodes. */
  edit(templatePath: readonly string[], plan: Plan): string {
    let template = this.root;
    for (const key of templatePath) template = asMap(this.get(template, key));
    const spec = asMap(this.get(template, "spec"));
    const lists: Record<ListName, SeqNode | undefined> = { containers: this.listOf(spec, "containers"), initContainers: this.listOf(spec, "initContainers") };
    const entries: Record<ListName, EntryNode[]> = { containers: lists.containers?.entries ?? [], initContainers: lists.initContainers?.entries ?? [] };

    // The lists after the plan's moves: entries by where they end up.
    const final: Record<ListName, EntryNode[]> = { containers: [...entries.containers], initContainers: [...entries.initContainers] };
    if (plan.order) for (const list of ["initContainers", "containers"] as const) final[list] = plan.order[list].map((slot) => entries[slot.from][slot.index] ?? decline());

    // The field edits, in order, on the maps they reach (a container by its final place).
    const overlays = new Map<MapNode, Overlay>();
    for (const e of plan.edits) {
      if (e.target === "template") this.editMap(overlays, template, e.path, e.value, undefined, template);
      else {
        const entry = this.find(final, e.target);
        this.editMap(overlays, asMap(entry.value), e.path, e.value, entry, undefined);
      }
    }
    const splices = this.splicesOf(overlays);

    // Each list that changes is written anew from its entries (each with its own splices).
    const listSplices: Splice[] = [];
    const used = new Set<Splice>();
    for (const list of ["initContainers", "containers"] as const) {
      const seq = lists[list];
      const now = final[list];
      const reordered = now.length !== entries[list].length || now.some((e, i) => e !== entries[list][i]);
      const own = (e: EntryNode) => splices.filter((sp) => sp.entry === e);
      if (!reordered && !now.some((e) => own(e).length > 0)) continue;
      if (reordered) this.checkMovable(now, entries[list]);
      const text = now
        .map((e) => {
          const mine = own(e);
          for (const sp of mine) used.add(sp);
          return this.entryText(e, mine);
        })
        .join("");
      if (seq) {
        const pair = spec.pairs.find((p) => p.key === list)!;
        if (now.length === 0) {
          // The emptied list goes, with what it owns (a comment after it could be the next key's: not here).
          if (list !== "initContainers" || seq.trailTo > seq.trailFrom) decline();
          listSplices.push({ from: this.starts[pair.leadFrom]!, to: this.lineStart(pair.to), text: "" });
        } else {
          const last = seq.entries[seq.entries.length - 1]!;
          listSplices.push({ from: this.starts[seq.entries[0]!.leadFrom]!, to: this.lineStart(last.to), text });
        }
      } else if (now.length > 0) {
        // A new list, just before the containers (before what the containers' key owns).
        const at = this.insertionBefore(spec.pairs.find((p) => p.key === "containers") ?? decline());
        listSplices.push({ from: at, to: at, text: `${" ".repeat(spec.indent)}${list}:\n${text}` });
      }
    }
    if (splices.some((sp) => sp.entry !== undefined && !used.has(sp))) decline();
    return applySplices(this.t, [...splices.filter((sp) => sp.entry === undefined), ...listSplices]);
  }

  /** Offset where line `line` starts (the text's end past the last line). */
  private lineStart(line: number): number {
    return line < this.n ? this.starts[line]! : this.t.length + (this.t.endsWith("\n") ? 0 : 1);
  }

  private get(map: MapNode, key: string): MapNode | SeqNode | Scalar | undefined {
    return map.pairs.find((p) => p.key === key)?.value;
  }

  private listOf(spec: MapNode, key: string): SeqNode | undefined {
    const v = this.get(spec, key);
    if (v === undefined) return undefined;
    if (v.kind !== "seq") decline();
    return v as SeqNode;
  }

  private nameOf(entry: EntryNode): string {
    if (entry.value.kind !== "map") decline();
    const name = (entry.value as MapNode).pairs.find((p) => p.key === "name")?.value;
    if (!name || name.kind !== "scalar" || (name as Scalar).text === undefined) decline();
    return (name as Scalar).text!;
  }

  /**
   * Where a new pair goes just before `pair`: before the lines it owns. A comment right above
   * could be the end of the previous value or the pair's own: not decided here.
   */
  private insertionBefore(pair: PairNode): number {
    if (pair.leadFrom > 0 && this.comments[pair.leadFrom - 1]) decline();
    return this.starts[pair.leadFrom]!;
  }

  private find(final: Record<ListName, EntryNode[]>, target: Exclude<Target, "template">): EntryNode {
    const found = final[target.list].filter((e) => this.nameOf(e) === target.name);
    if (found.length !== 1) decline();
    return found[0]!;
  }

  /** Entries that move must own exactly their lines: no blank line in a lead (the printer drops the one before a new first entry). */
  private checkMovable(now: readonly EntryNode[], before: readonly EntryNode[]): void {
    for (const e of [...now, ...before]) {
      for (let k = e.leadFrom; k < e.dashLine; k++) if (this.indents[k] === -1) decline();
      this.nameOf(e);
    }
  }

  /** An entry's text in its new place, with its own splices. */
  private entryText(e: EntryNode, splices: readonly Splice[]): string {
    const from = this.starts[e.leadFrom]!;
    const to = this.lineStart(e.to);
    let text = this.t.slice(from, to);
    if (!text.endsWith("\n")) text += "\n";
    if (splices.length === 0) return text;
    return applySplices(text, splices.map((sp) => ({ ...sp, from: sp.from - from, to: sp.to - from })));
  }

  /**
   * One setIn/deleteIn of apply.ts, recorded on the maps it reaches: through existing block maps
   * as long as the path finds them; from the first key it does not (or one an earlier edit
   * made or replaced), on plain data that is printed at the end.
   */
  private editMap(overlays: Map<MapNode, Overlay>, base: MapNode, path: readonly (string | number)[], value: unknown, entry: EntryNode | undefined, template: MapNode | undefined): void {
    let node = base;
    for (let i = 0; i < path.length; i++) {
      const key = String(path[i]);
      const last = i === path.length - 1;
      let ov = overlays.get(node);
      if (!ov) overlays.set(node, (ov = { entry, add: new Map(), replace: new Map(), remove: new Set(), template: node === template }));
      const made = ov.add.has(key) ? ov.add : ov.replace.has(key) ? ov.replace : undefined;
      if (made) {
        if (last) {
          if (value !== undefined) made.set(key, value);
          else if (made === ov.add) ov.add.delete(key);
          else {
            ov.replace.delete(key);
            ov.remove.add(key);
          }
          return;
        }
        let obj = made.get(key);
        if (!isObject(obj)) {
          if (value === undefined) return;
          made.set(key, (obj = {}));
        }
        setPlain(obj as Record<string, unknown>, path.slice(i + 1), value);
        return;
      }
      const pair = ov.remove.has(key) ? undefined : node.pairs.find((p) => p.key === key);
      // A flow map on the way would be edited in its own style by the printer: not here.
      if (!last && pair && pair.value.kind === "scalar" && (pair.value as Scalar).flow) decline();
      if (!last && pair && pair.value.kind === "map") {
        node = pair.value as MapNode;
        continue;
      }
      if (value === undefined) {
        if (last && pair) ov.remove.add(key);
        return;
      }
      const v = last ? value : nest(path.slice(i + 1), value);
      if (pair) ov.replace.set(key, v);
      else ov.add.set(key, v);
      return;
    }
  }

  /** The recorded edits as text splices, each tagged with the entry it falls in (if any). */
  private splicesOf(overlays: Map<MapNode, Overlay>): Splice[] {
    const out: Splice[] = [];
    for (const [node, ov] of overlays) {
      const entry = ov.entry;
      for (const key of ov.remove) {
        if (ov.add.has(key)) continue;
        const pair = node.pairs.find((p) => p.key === key)!;
        // The pair goes with its lines; one that owns comments, or opens an entry, is not removed here.
        if (node.pairs.length - ov.remove.size < 1 || (node.inEntry && pair === node.pairs[0])) decline();
        if (pair.leadFrom < pair.keyLine || this.hasComment(pair)) decline();
        out.push({ from: this.starts[pair.leadFrom]!, to: this.lineStart(pair.to), text: "", entry, depth: node.indent });
      }
      for (const [key, v] of ov.replace) {
        const pair = node.pairs.find((p) => p.key === key)!;
        // The key line keeps its place; the value goes (with any comment of its own: not here).
        if (this.hasComment(pair) || (node.inEntry && pair === node.pairs[0])) decline();
        const at = this.starts[pair.keyLine]! + node.indent;
        out.push({ from: at, to: this.lineStart(pair.to), text: pairText(key, v, node.indent, this.wide).slice(node.indent), entry, depth: node.indent });
      }
      let appended = "";
      for (const [key, v] of ov.add) {
        if (ov.template && key === "metadata") {
          // metadata is made before spec.
          const at = this.insertionBefore(node.pairs.find((p) => p.key === "spec") ?? decline());
          out.push({ from: at, to: at, text: pairText(key, v, node.indent, this.wide), entry, depth: node.indent });
          continue;
        }
        if (node.pairs.some((p) => p.key === key) && !ov.remove.has(key)) decline();
        appended += pairText(key, v, node.indent, this.wide);
      }
      if (appended) {
        const at = this.lineStart(node.pairs[node.pairs.length - 1]!.to);
        out.push({ from: at, to: at, text: appended, entry, depth: node.indent });
      }
    }
    return out;
  }

  /** Whether a pair holds a comment anywhere past its lead (a replaced value's comments are not kept here). */
  private hasComment(pair: PairNode): boolean {
    if (pair.keyComment || (pair.value.kind === "scalar" && (pair.value as Scalar).commented)) return true;
    for (let k = pair.keyLine + 1; k < pair.to; k++) if (this.comments[k]) return true;
    return false;
  }
}

type ListName = "containers" | "initContainers";

type Obj = Record<string, unknown>;

/**
 * The item's data with the plan carried out as apply.ts carries it out on the nodes (what the
 * edited text reads as), made from the data before without touching it: maps and lists on the
 * way to an edit are copied.
 */
function planned(data: unknown, templatePath: readonly string[], plan: Plan): unknown {
  const root = { ...(data as Obj) };
  let template = root;
  for (const key of templatePath) template = template[key] = { ...(template[key] as Obj) };
  const spec = (template["spec"] = { ...(template["spec"] as Obj) });
  const list = (name: ListName): unknown[] => (Array.isArray(spec[name]) ? (spec[name] as unknown[]) : []);
  if (plan.order) {
    const old = { containers: list("containers"), initContainers: list("initContainers") };
    for (const name of ["initContainers", "containers"] as const) {
      const items = plan.order[name].map((slot) => old[slot.from][slot.index]);
      if (name in spec) {
        if (items.length === 0 && name === "initContainers" && old.initContainers.length > 0) delete spec[name];
        else spec[name] = items;
      } else if (items.length > 0) {
        // Made just before the containers, as apply.ts's insertBefore makes it.
        const entries = Object.entries(spec);
        const at = entries.findIndex(([k]) => k === "containers");
        entries.splice(at === -1 ? entries.length : at, 0, [name, items]);
        for (const k of Object.keys(spec)) delete spec[k];
        Object.assign(spec, Object.fromEntries(entries));
      }
    }
  }
  for (const e of plan.edits) {
    let base: Obj;
    if (e.target === "template") base = template;
    else {
      const items = [...list(e.target.list)];
      const at = items.findIndex((c) => isObject(c) && (c as Obj)["name"] === (e.target as { name: string }).name);
      if (at === -1) continue;
      base = items[at] = { ...(items[at] as Obj) };
      spec[e.target.list] = items;
    }
    setCopying(base, e.path, e.value);
  }
  return root;
}

/** setIn/deleteIn on plain data, copying the maps on the way (they may be the data before's). */
function setCopying(base: Obj, path: readonly (string | number)[], value: unknown): void {
  let node = base;
  for (let i = 0; i < path.length - 1; i++) {
    const key = String(path[i]);
    const next = node[key];
    if (isObject(next)) {
      node = node[key] = { ...(next as Obj) };
      continue;
    }
    if (value === undefined) return;
    node = node[key] = {};
  }
  const last = String(path[path.length - 1]);
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** What the edits do to one map: keys added (in order), values replaced, pairs removed. */
interface Overlay {
  entry: EntryNode | undefined;
  add: Map<string, unknown>;
  replace: Map<string, unknown>;
  remove: Set<string>;
  /** The pod template itself: a new `metadata` goes before `spec`. */
  template: boolean;
}

function isObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `value` under the keys of `path`, as new maps. */
function nest(path: readonly (string | number)[], value: unknown): unknown {
  let v = value;
  for (let j = path.length - 1; j >= 0; j--) v = { [String(path[j])]: v };
  return v;
}

/** setIn/deleteIn on plain data an earlier edit made: maps made on the way, a non-map replaced by one. */
function setPlain(obj: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const key = String(path[i]);
    const next = node[key];
    if (isObject(next)) {
      node = next as Record<string, unknown>;
      continue;
    }
    if (value === undefined) return;
    node = node[key] = {};
  }
  const last = String(path[path.length - 1]);
  if (value === undefined) delete node[last];
  else node[last] = asYamlReads(value);
}

/** A value as yaml makes nodes of it and reads them back: undefined fields left out, undefined list items null. */
function asYamlReads(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : asYamlReads(x)));
  if (isObject(v)) return Object.fromEntries(Object.entries(v as Obj).filter(([, x]) => x !== undefined).map(([k, x]) => [k, asYamlReads(x)]));
  return v;
}

const ESCAPED = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;

const SCALAR: Scalar = { kind: "scalar", text: undefined, commented: false, flow: false, plain: false };

function asMap(v: MapNode | SeqNode | Scalar | undefined): MapNode {
  if (!v || v.kind !== "map") decline();
  return v as MapNode;
}

interface Splice {
  from: number;
  to: number;
  text: string;
  /** The container entry it falls in, if any. */
  entry?: EntryNode | undefined;
  /** The column of the map it edits: at one offset, what goes into a deeper map comes first. */
  depth?: number;
}

function applySplices(t: string, splices: Splice[]): string {
  if (splices.length === 0) return t;
  const sorted = [...splices].sort((a, b) => a.from - b.from || a.to - b.to || (b.depth ?? 0) - (a.depth ?? 0));
  let out = "";
  let at = 0;
  for (const s of sorted) {
    if (s.from < at) decline(); // overlapping edits
    out += t.slice(at, s.from) + s.text;
    at = Math.max(at, s.to);
  }
  const rest = t.slice(Math.min(at, t.length));
  return out + rest;
}

/** Characters of a key this file writes back as it is. */
function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === DASH;
}

/** Whether a `- ` entry's content opens a map (`- key: value`). */
function keyAhead(t: string, at: number, end: number): boolean {
  let k = at;
  while (k < end && isKeyChar(t.charCodeAt(k))) k++;
  return k > at && t.charCodeAt(k) === COLON && (k + 1 === end || t.charCodeAt(k + 1) === SPACE);
}

/** Past the closing quote of a one-line quoted scalar from `at`. */
function quotedEnd(t: string, at: number, end: number): number {
  const q = t[at]!;
  for (let k = at + 1; k < end; k++) {
    if (t[k] === q) {
      if (q === "'" && t[k + 1] === "'") {
        k++;
        continue;
      }
      return k + 1;
    }
    if (q === '"' && t[k] === "\\") k++;
  }
  return decline();
}

/**
 * Past a one-line flow collection from `at`, laid out as the printer lays it out: `[a, b]`,
 * `{k: v}`, no padding, items set off by `, `, scalars that print back as they are.
 */
function flowEnd(t: string, at: number, end: number): number {
  const open = t[at]!;
  const close = open === "[" ? "]" : "}";
  let k = at + 1;
  if (t[k] === close) return k + 1;
  for (;;) {
    if (open === "{") {
      const s = k;
      while (k < end && isKeyChar(t.charCodeAt(k))) k++;
      const key = t.slice(s, k);
      if (k === s || t[k] !== ":" || t[k + 1] !== " " || resolvePlain(key) !== key || readsAsOtherIn11(key)) decline();
      k += 2;
    }
    const c = t[k];
    if (c === "[" || c === "{") k = flowEnd(t, k, end);
    else if (c === "'" || c === '"') {
      const e = quotedEnd(t, k, end);
      if (c === '"' && t.slice(k, e).includes("\\")) decline();
      k = e;
    } else {
      const s = k;
      while (k < end && !",[]{}#".includes(t[k]!)) k++;
      const v = t.slice(s, k);
      if (v === "" || v !== v.trim() || v.includes(": ") || v.endsWith(":") || !plainPrintsBack(v)) decline();
    }
    if (t[k] === close) return k + 1;
    if (t[k] !== "," || t[k + 1] !== " ") decline();
    k += 2;
  }
}

const BOOL_OR_NULL = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/** Whether the printer writes a plain scalar back as it is: strings, integers in their own form, bool and null words. */
function plainPrintsBack(s: string): boolean {
  const v = resolvePlain(s);
  if (typeof v === "string") return true;
  if (typeof v === "number") return Number.isSafeInteger(v) && String(v) === s;
  return BOOL_OR_NULL.test(s);
}

// ---------------------------------------------------------------------------------------------
// New values, printed as the yaml printer prints nodes it made from plain data (with print.ts's
// toText: strings a YAML 1.1 reader would misread are double-quoted).

/** `key: value` at `indent`, as lines. */
function pairText(key: string, value: unknown, indent: number, wide: boolean): string {
  const pad = " ".repeat(indent);
  return `${pad}${keyText(key)}:${valueText(value, indent, wide)}`;
}

function keyText(key: string): string {
  const s = stringText(key);
  return s;
}

/** What follows `key:` (or `-`): ` scalar\n`, or `\n` and a block. */
function valueText(v: unknown, indent: number, wide: boolean): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return " []\n";
    const at = wide ? indent + 2 : indent;
    return "\n" + v.map((x) => entryText(x, at, wide)).join("");
  }
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return " {}\n";
    return "\n" + entries.map(([k, x]) => pairText(k, x, indent + 2, wide)).join("");
  }
  return ` ${scalarText(v)}\n`;
}

/** `- value` at `indent`; a map's first pair on the dash's line. */
function entryText(v: unknown, indent: number, wide: boolean): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(v)) return v.length === 0 ? `${pad}- []\n` : decline();
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return `${pad}- {}\n`;
    const lines = entries.map(([k, x]) => pairText(k, x, indent + 2, wide)).join("");
    return `${pad}- ${lines.slice(indent + 2)}`;
  }
  return `${pad}- ${scalarText(v)}\n`;
}

function scalarText(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : decline();
  if (typeof v === "string") return stringText(v);
  return decline();
}

/** yaml's choice for a string it made (plain where it can, else quoted), then toText's. */
function stringText(v: string): string {
  if (/[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]/.test(v)) decline();
  if (readsAsOtherIn11(v)) return JSON.stringify(v);
  const plainOk =
    v !== "" &&
    !/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(v) &&
    resolvePlain(v) === v &&
    !/^(?:---|\.\.\.)/.test(v);
  if (plainOk) return v;
  if (v.includes('"') && !v.includes("'")) return `'${v}'`;
  return JSON.stringify(v);
}
