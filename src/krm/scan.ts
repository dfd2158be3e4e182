/**
 * The fast way into a ResourceList: find the items by their lines, without building a YAML tree
 * of the whole list. It only answers for the block-style shape kpt writes; for anything else it
 * returns undefined and the careful path (a full parse) takes over. Both paths locate items with
 * the same text rules (`locateEntry`), so they agree byte for byte.
 */
import { lightParse } from "./light-yaml";
import { isPlain, type Plain } from "../plain";
import type { ItemSource, ResultsSlot } from "./resource-list";
import { dedent, lineEnd, lineStart } from "./text";

/** Thrown when an item the fast scanner found is not in the light reader's subset after all. */
export class FastPathDeclined extends Error {
  override name = "FastPathDeclined";
}

/** A fast-path item's plain data, read in place; throws FastPathDeclined when the light reader declines. */
export function lightItemData(item: ItemSource): Plain {
  const data = item.raw !== undefined ? lightParse(item.raw, item.column) : lightParse(item.body);
  if (!isPlain(data)) throw new FastPathDeclined(`items[${item.index}]`);
  return data;
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
export function locateEntry(text: string, dashStart: number, entryEnd: number, index: number): ItemSource {
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
  const keeps = KEEP_CHOMPING.test(text.slice(bodyStart, end));
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

/** Every content line after the first is indented at least `column` (else dedenting would lie). */
function indentedEnough(text: string, item: ItemSource): boolean {
  let pos = lineEnd(text, item.bodyStart);
  while (pos < item.end) {
    const le = lineEnd(text, pos);
    let k = pos;
    while (text[k] === " ") k++;
    if (k < le && text[k] !== "\n" && text[k] !== "#" && k - pos < item.column) return false;
    pos = le;
  }
  return true;
}

export function scanResourceList(text: string): FastList | undefined {
  if (text.includes("\t")) return undefined;
  // Top-level keys: lines at column 0 that are not comments.
  const keys: { key: string; value: string; start: number; next: number }[] = [];
  let pos = 0;
  while (pos < text.length) {
    const le = lineEnd(text, pos);
    const c = text[pos];
    // A `-` at column 0 is an entry of the list under the previous key (kpt's compact style).
    const entry = c === "-" && (text[pos + 1] === " " || text[pos + 1] === "\n") && keys.length > 0;
    if (c !== " " && c !== "#" && c !== "\n" && !entry) {
      const line = text.slice(pos, le).replace(/\n$/, "");
      const m = TOP_KEY.exec(line);
      if (!m) return undefined; // `---`, `...`, directives, flow, complex keys: careful path
      if (keys.some((k) => k.key === m[1])) return undefined;
      keys.push({ key: m[1]!, value: (m[2] ?? "").replace(/\s+#.*$/, "").trim(), start: pos, next: le });
    } else if (pos === 0 && c === " ") {
      return undefined;
    }
    pos = le;
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
    const from = lineEnd(text, itemsKey.start);
    const dashes: number[] = [];
    let column = -1;
    for (let p = from; p < itemsKey.next; p = lineEnd(text, p)) {
      let k = p;
      while (text[k] === " ") k++;
      const ch = text[k];
      if (ch === "\n" || ch === "#" || k >= itemsKey.next) continue;
      const indentation = k - p;
      if (column === -1) column = indentation;
      if (indentation === column && ch === "-" && (text[k + 1] === " " || text[k + 1] === "\n")) dashes.push(p);
      else if (indentation <= column) return undefined;
    }
    if (column === -1 && dashes.length === 0) {
      // `items:` with nothing under it is null: an empty package.
    }
    for (const [i, d] of dashes.entries()) {
      const item = locateEntry(text, d, dashes[i + 1] ?? itemsKey.next, i);
      if (item.frozen || !indentedEnough(text, item)) return undefined;
      // Each item is read by the light reader when the transform gets to it (one at a time, so the
      // plain data of a big list never lives all at once); if it declines, the run starts over on
      // the careful path.
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
