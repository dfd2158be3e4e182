/**
 * The fast way into a ResourceList: find the items by their lines, without building a YAML tree
 * of the whole list. It only answers for the block-style shape kpt writes; for anything else it
 * returns undefined and the careful path (a full parse) takes over. Both paths locate items with
 * the same text rules (`locateEntry`), so they agree byte for byte.
 */
import { lightParse, lightReadIf, readTrusted } from "./light-yaml";
import { isPlain, type Plain } from "../plain";
import type { ItemSource, ResultsSlot } from "./resource-list";
import { dedent, lineEnd, lineStart } from "./text";

/** Thrown when an item the fast scanner found is not in the light reader's subset after all. */
export class FastPathDeclined extends Error {
  override name = "FastPathDeclined";
}

/** A fast-path item's plain data, read in place; throws FastPathDeclined when the light reader declines. */
export function lightItemData(item: ItemSource): Plain {
  const data = item.raw !== undefined ? readTrusted(item.raw, item.column) : lightParse(item.body);
  if (!isPlain(data)) throw new FastPathDeclined(`items[${item.index}]`);
  return data;
}

/**
 * A fast-path item's plain data when `wanted` says its apiVersion and kind (and its text, as it
 * stands in the list) make it worth reading;
 * otherwise undefined, once the light reader has checked (building nothing) that it would accept
 * the item. Throws FastPathDeclined when it would not. An item whose apiVersion or kind is not
 * a plain string is always read.
 */
export function lightItemDataIf(item: ItemSource, wanted: (apiVersion: string, kind: string, text: string) => boolean): Plain | undefined {
  const raw = item.raw;
  if (raw === undefined) return lightItemData(item);
  // One pass: checking until apiVersion and kind are known, then building if they are wanted.
  const read = lightReadIf(raw, item.column, (apiVersion, kind) => wanted(apiVersion, kind, raw));
  if (read === undefined || (read.data !== undefined && !isPlain(read.data))) throw new FastPathDeclined(`items[${item.index}]`);
  return read.data as Plain | undefined;
}

export interface FastList {
  items: ItemSource[];
  functionConfig: unknown;
  resultsSlot: ResultsSlot;
  apiVersion: unknown;
  kind: unknown;
}

const TOP_KEY = /^([A-Za-z_][\w.\-/]*):(?:[ ]+(.*))?$/;

/**
 * An item from its entry in `items`: the line with its `-` up to where the next entry (or the
 * next top-level key) starts. The item's node begins at the first content after the dash; it
 * ends at its last line that is neither blank nor a comment indented less than the node, so
 * comments between items stay between items.
 */
export function locateEntry(text: string, dashStart: number, entryEnd: number, index: number, keepChompingAt?: readonly number[]): ItemSource {
  const dashLineEnd = lineEnd(text, dashStart);
  let bodyStart = text.indexOf("-", dashStart) + 1;
  while (text[bodyStart] === " ") bodyStart++;
  if (bodyStart >= dashLineEnd - 1 || text[bodyStart] === "#" || text[bodyStart] === "\n") {
    // `-` alone (or with a head comment): the node starts on a later line.
    bodyStart = dashLineEnd;
    for (;;) {
      if (bodyStart >= entryEnd) break;
      const le = lineEnd(text, bodyStart);
      let k = bodyStart;
      while (text[k] === " ") k++;
      if (k < le - 1 && text[k] !== "#" && text[k] !== "\n") {
        bodyStart = k;
        break;
      }
      bodyStart = le;
    }
  }
  const column = bodyStart - lineStart(text, bodyStart);
  let end = Math.max(entryEnd, bodyStart);
  // Blank lines after a keep-chomped block scalar (`|+`) are part of its value.
  const keeps = keepChompingAt ? anyWithin(keepChompingAt, bodyStart, end) : KEEP_CHOMPING.test(text.slice(bodyStart, end));
  while (end > bodyStart) {
    const ls = lineStart(text, end - 1);
    if (ls <= lineStart(text, bodyStart)) break;
    const line = text.slice(ls, end);
    const trimmed = line.trimStart();
    const indentation = line.length - trimmed.length;
    if ((trimmed.trim() === "" && !keeps) || (trimmed[0] === "#" && indentation < column)) end = ls;
    else break;
  }
  if (bodyStart >= entryEnd) return { index, start: dashStart, bodyStart: entryEnd, end: entryEnd, column: 0, body: "", raw: "", frozen: "the item is empty" };
  return new ListedItem(index, dashStart, bodyStart, end, column, text.slice(bodyStart, end));
}

/** A block scalar header that keeps trailing line breaks: `|+`, `>+`, `|2+`, `|+2`. */
export const KEEP_CHOMPING = /[|>](?:[1-9]?\+|\+[1-9])[ \t]*(?:#.*)?$/m;

/**
 * An item as it stands in its list. The dedented copy is made only when something reads it (most
 * items are only light-read); a class rather than a literal with a getter, because a big list
 * keeps every item alive through the run, and each literal would carry a closure of its own.
 */
class ListedItem implements ItemSource {
  private dedented: string | undefined;
  light?: boolean;
  constructor(
    readonly index: number,
    readonly start: number,
    readonly bodyStart: number,
    readonly end: number,
    readonly column: number,
    readonly raw: string,
  ) {}
  get body(): string {
    return (this.dedented ??= dedent(this.raw, this.column));
  }
}

const SPACE = 32;
const NL = 10;
const HASH = 35;
const DASH = 45;

/**
 * Where the next line from `from` (a line start) that is indented at most `most` spaces, and not
 * blank, starts; -1 when none. A deeper line costs at most `most` + 1 character reads and a
 * native search for its end (a multiline regex tries every position of a 10 MB list).
 */
function lineIndentedAtMost(text: string, from: number, most: number): number {
  const n = text.length;
  for (let ls = from; ls < n; ) {
    const limit = ls + most;
    let k = ls;
    while (k <= limit && text.charCodeAt(k) === SPACE) k++;
    if (k <= limit && k < n && text.charCodeAt(k) !== NL) return ls;
    const nl = text.indexOf("\n", k);
    if (nl === -1) return -1;
    ls = nl + 1;
  }
  return -1;
}

/** Whether a sorted list holds a number in [from, to). */
function anyWithin(sorted: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! < to;
}

/**
 * Where a keep-chomping block scalar header stands in `text`, in order: one pass of the regex,
 * which finds the first on each line (a line holds at most one that ends it).
 */
function keepChompingAt(text: string): number[] {
  if (!text.includes("+")) return [];
  const out: number[] = [];
  const all = new RegExp(KEEP_CHOMPING.source, "gm");
  for (let m = all.exec(text); m; m = all.exec(text)) out.push(m.index);
  return out;
}

/**
 * One pass over the lines: the top-level keys (lines at column 0 that are not comments) and the
 * entries of `items` (the `-` lines at the column of its first line). Lines inside an item are
 * only looked at for their indentation here; the light reader reads them when the transform gets
 * to the item.
 */
export function scanResourceList(text: string): FastList | undefined {
  // Tabs and lone carriage returns (CRLF is gone by now): the careful path judges those.
  if (text.includes("\t") || text.includes("\r")) return undefined;
  const keys: { key: string; value: string; start: number; next: number }[] = [];
  const n = text.length;
  if (text.charCodeAt(0) === SPACE) return undefined;
  let inItems = false;
  let column = -1;
  const dashes: number[] = [];
  // Only lines indented at most as far as matters are visited: column 0 outside `items`, the
  // items' column inside it (any, until its first line is found); the rest are skipped unread.
  for (let pos = 0; ; ) {
    const ls = lineIndentedAtMost(text, pos, !inItems ? 0 : column === -1 ? Infinity : column);
    if (ls === -1) break;
    const nl = text.indexOf("\n", ls);
    const le = nl === -1 ? n : nl + 1;
    pos = le;
    let k = ls;
    while (text.charCodeAt(k) === SPACE) k++;
    const ch = text.charCodeAt(k);
    if (ch === HASH) continue; // a comment
    const indentation = k - ls;
    const dash = ch === DASH && (text.charCodeAt(k + 1) === SPACE || text.charCodeAt(k + 1) === NL);
    if (indentation > 0) {
      // Inside `items`: its entries, or a line indented too little.
      if (column === -1) column = indentation;
      if (indentation === column && dash) dashes.push(ls);
      else if (indentation <= column) return undefined;
    } else if (dash && keys.length > 0) {
      // A `-` at column 0 is an entry of the list under the previous key (kpt's compact style).
      if (inItems) {
        if (column === -1) column = 0;
        if (column === 0) dashes.push(ls);
        else return undefined;
      }
    } else {
      const line = text.slice(ls, nl === -1 ? n : nl);
      const m = TOP_KEY.exec(line);
      if (!m) return undefined; // `---`, `...`, directives, flow, complex keys: careful path
      if (keys.some((x) => x.key === m[1])) return undefined;
      const value = (m[2] ?? "").replace(/\s+#.*$/, "").trim();
      keys.push({ key: m[1]!, value, start: ls, next: le });
      inItems = m[1] === "items" && value === "";
    }
  }
  keys.forEach((k, i) => (k.next = keys[i + 1]?.start ?? text.length));
  const field = (key: string) => keys.find((k) => k.key === key);
  const scalar = (key: string): unknown => {
    const k = field(key);
    if (!k) return undefined;
    const parsed = lightParse(`v: ${k.value}\n`) as { v?: unknown } | undefined;
    return parsed?.v;
  };
  const apiVersion = scalar("apiVersion");
  const kind = scalar("kind");
  if (kind !== "ResourceList" || typeof apiVersion !== "string") return undefined;

  const items: ItemSource[] = [];
  const itemsKey = field("items");
  if (itemsKey && itemsKey.value !== "" && itemsKey.value !== "[]") return undefined;
  if (itemsKey && itemsKey.value === "") {
    // `items:` with nothing under it is null: an empty package.
    const keeps = keepChompingAt(text);
    for (const [i, d] of dashes.entries()) {
      const item = locateEntry(text, d, dashes[i + 1] ?? itemsKey.next, i, keeps);
      if (item.frozen) return undefined;
      // Each item is read by the light reader when the transform gets to it (one at a time, so the
      // plain data of a big list never lives all at once); if it declines, or finds a line of the
      // item indented less than the item itself, the run starts over on the careful path.
      item.light = true;
      items.push(item);
    }
  }

  let functionConfig: unknown;
  const fc = field("functionConfig");
  if (fc) {
    if (fc.value !== "") return undefined;
    const block = text.slice(lineEnd(text, fc.start), fc.next);
    const first = /^( *)\S/m.exec(block);
    if (!first) return undefined;
    functionConfig = lightParse(dedent("\n" + block, first[1]!.length).slice(1));
    if (functionConfig === undefined) return undefined;
  }

  let resultsSlot: ResultsSlot;
  const res = field("results");
  if (!res) {
    resultsSlot = { kind: "new", offset: text.length };
  } else if (res.value === "[]") {
    const at = text.indexOf(":", res.start);
    resultsSlot = { kind: "replace", from: at, to: text.indexOf("]", at) + 1 };
  } else if (res.value === "") {
    let end = res.next;
    while (end > res.start && text.slice(lineStart(text, end - 1), end).trim() === "") end = lineStart(text, end - 1);
    const first = /^( *)- /m.exec(text.slice(lineEnd(text, res.start), res.next));
    if (!first) return undefined;
    // Existing results must be plain data we understand, or the careful path judges them.
    const block = text.slice(lineEnd(text, res.start), res.next);
    if (lightParse(dedent("\n" + block, first[1]!.length).slice(1)) === undefined) return undefined;
    resultsSlot = { kind: "append", offset: end, column: first[1]!.length };
  } else {
    return undefined;
  }
  return { items, functionConfig, resultsSlot, apiVersion, kind };
}
