/** YAML printing for what the function writes: block style, no re-wrapping, kpt's compact lists. */
import { Document, isAlias, isMap, isNode, isScalar, isSeq, parse, parseDocument, visit, type Node, type Scalar, type ScalarTag, type Tags, type ToStringOptions } from "yaml";
import type { Result } from "./results";
import { MAX_ALIAS_COUNT } from "./limits";
import { indent } from "./text";
import { resolvePlain } from "./light-yaml";
import type { ItemSource } from "./resource-list";

/** Block style, no re-wrapping, compact lists and flow collections as kpt writes them. */
export const PRINT_OPTIONS: ToStringOptions = { indentSeq: false, lineWidth: 0, flowCollectionPadding: false };
const BASE = PRINT_OPTIONS;

/**
 * A number prints as it was written while it still holds the value it was read as. yaml would
 * print `0400` as `400` (and `0x1F`, `1e3`, `+5`, `.5` in its own forms), and Kubernetes' YAML
 * readers take `0400` as octal: re-printing a changed workload would turn a secret's
 * `defaultMode: 0400` (256) into 400.
 */
function keepNumberSource(tag: Tags[number]): Tags[number] {
  if (typeof tag !== "object" || !("resolve" in tag) || "collection" in tag && tag.collection) return tag;
  const scalarTag = tag as ScalarTag;
  if (!scalarTag.stringify) return tag;
  const own = scalarTag.stringify.bind(scalarTag);
  return {
    ...scalarTag,
    stringify(item, ctx, onComment, onChompKeep) {
      const node = item as Scalar;
      if (node.type === "PLAIN" && typeof node.source === "string" && typeof node.value === "number" && Object.is(resolvePlain(node.source), node.value)) return node.source;
      return own(item, ctx, onComment, onChompKeep);
    },
  };
}

/**
 * The merge key as yaml has it, but known by the key alone: yaml's own also claims the string
 * "<<", so a quoted `"<<":` key (a plain string to every reader) would be re-printed as a plain
 * `<<:`, a merge key to kubectl and kpt.
 */
function mergeKeyOnly(): ScalarTag {
  const merge = new Document(null, { merge: true }).schema.tags.find((t) => t.tag === "tag:yaml.org,2002:merge") as ScalarTag;
  return { ...merge, identify: (v: unknown) => typeof v === "symbol" && v.description === "<<" };
}

let itemParse: { prettyErrors: false; uniqueKeys: true; customTags: (tags: Tags) => Tags } | undefined;
/** How an item is parsed for editing and re-printing (made on first use: yaml loads only then). */
const itemParseOptions = () => (itemParse ??= { prettyErrors: false, uniqueKeys: true, customTags: (tags: Tags) => [...tags.map(keepNumberSource), mergeKeyOnly()] });

/**
 * Parse an item's own text; undefined when it does not parse on its own (e.g. an alias to another
 * item). Plain `<<` merge keys count, as kubectl's and kpt's readers count them.
 */
export function parseItem(src: ItemSource): Document.Parsed | undefined {
  try {
    const doc = parseDocument(src.body, itemParseOptions());
    return doc.errors.length === 0 ? doc : undefined;
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * Before an item parsed from `text` is edited and re-printed. `ports: # http` over a block value:
 * yaml stores that comment before the value, so the printer would put it on a line of its own and
 * a reorder would carry it off with the first entry (kpt, copying comments back by position, then
 * shows it twice). Hand it to the key, which the printer writes on the key's line, as it was.
 */
export function keepKeyLineComments(doc: Document, text: string): void {
  visit(doc, {
    Pair(_, pair) {
      const { key, value } = pair;
      if (!isNode(key) || !isNode(value) || !key.range || !value.range || !value.commentBefore || key.comment) return;
      const between = text.slice(key.range[1], value.range[0]);
      const keyLine = between.slice(0, between.indexOf("\n") + 1 || between.length);
      // A comment starts at a `#` after white space (an anchor or tag may hold a `#` of its own).
      if (!/(^|\s)#/.test(keyLine)) return;
      const [first, ...rest] = value.commentBefore.split("\n");
      key.comment = first;
      value.commentBefore = rest.length > 0 ? rest.join("\n") : undefined;
    },
  });
}

/**
 * Before an item parsed from `text` is edited and re-printed. `key: # note` over nothing (a null),
 * with comment lines under it: yaml keeps every line as the null's trailing comment (printed all
 * on the key's line, or all below it) and gives the next key a blank line the text may not have.
 * The comment on the key's line goes to the key, the lines below it before the value (where a map
 * the plan puts there keeps them), and the next key has a blank line only where the text does.
 */
export function keepNullValueComments(doc: Document, text: string): void {
  visit(doc, {
    Map(_, map) {
      map.items.forEach((pair, i) => {
        const { key, value } = pair;
        if (!isScalar(value) || value.value !== null || !value.comment || !value.range || !isNode(key) || !key.range || key.comment) return;
        const next = map.items[i + 1]?.key;
        if (isNode(next) && next.range && next.spaceBefore && !next.commentBefore) {
          const lines = text.slice(value.range[1], next.range[0]).split("\n").slice(1, -1);
          if (!lines.some((l) => l.trim() === "")) next.spaceBefore = false;
        }
        const [first, ...rest] = value.comment.split("\n");
        const keyLine = text.slice(key.range[1], text.indexOf("\n", key.range[1]) >>> 0);
        if (/(^|\s)#/.test(keyLine)) {
          key.comment = first;
          value.comment = undefined;
          if (rest.length > 0) value.commentBefore = rest.join("\n");
        }
      });
    },
  });
}

/**
 * Before an item parsed from `text` is edited and re-printed. Comment lines between two entries of
 * a list, after ones indented under the first entry (or after a blank line): yaml stores all of
 * them as a trailing comment inside the first entry, so a reorder would leave a comment about the
 * second entry (`# Mesh proxy` above `- name: istio-proxy`) behind with the first. The last lines
 * at the dash's column or left of it are the second entry's: they go before it. Only where the
 * stored comment is exactly those lines (nothing else is guessed at).
 */
export function keepEntryLeadComments(doc: Document, text: string): void {
  visit(doc, {
    Seq(_, seq) {
      seq.items.forEach((prev, i) => {
        const next = seq.items[i + 1];
        if (!isNode(prev) || !isNode(next) || !next.range) return;
        // The next entry's own comment may only be the one on its dash line (`- # proxy`): what
        // moves goes in front of it.
        const nextOwn = next.commentBefore ? dashLineComment(next, text) : undefined;
        if (next.commentBefore && nextOwn?.at !== 0) return;
        const { end, commented } = contentOf(prev);
        if (end < 0 || commented.length === 0) return;
        const lines = text.slice(end, next.range[0]).split("\n").map((l) => l.replace(/\r$/, ""));
        const own = lines.shift()!; // the rest of the last content line: an end-of-line comment stays
        let dash = lines.pop()!; // the next entry's `- `
        if (nextOwn) {
          // Its content starts below its dash line and the comment lines under it: those are its own.
          lines.splice(lines.length - (nextOwn.lines.length - nextOwn.at - 1));
          dash = lines.pop() ?? "";
        }
        const dashColumn = dash.length - dash.trimStart().length;
        const isComment = (l: string) => l.trimStart().startsWith("#");
        if (!lines.every((l) => l.trim() === "" || isComment(l))) return;
        // yaml leaves blank lines before the first comment line out of the stored comment.
        const text_ = (ls: readonly string[]) => ls.map((l) => (l.trim() === "" ? "" : l.trimStart().slice(1))).join("\n");
        // The node yaml gave exactly those lines to, the last such in the entry (CRLF input keeps
        // its \r in them); an end-of-line comment may have gone to its scalar instead.
        const holds = (want: string) => commented.filter((n) => n.comment!.split(/\r?\n/).join("\n") === want).pop();
        let holder = isComment(own) ? holds(text_([own, ...lines])) : undefined;
        let leadingBlank = false;
        if (!holder) {
          while (lines.length > 0 && lines[0]!.trim() === "") (lines.shift(), (leadingBlank = true));
          if (lines.length > 0) holder = holds(text_(lines));
        }
        if (!holder) return;
        const eol = holder.comment!.includes("\r\n") ? "\r\n" : "\n";
        const stored = holder.comment!.split(eol);
        let k = lines.length;
        while (k > 0 && isComment(lines[k - 1]!) && lines[k - 1]!.length - lines[k - 1]!.trimStart().length <= dashColumn) k--;
        if (k === lines.length) {
          // All of them stay under the first entry: the blank line above them, which yaml leaves out, stays too.
          if (leadingBlank) holder.comment = `${eol}${holder.comment!}`;
          return;
        }
        const moved = stored.length - (lines.length - k);
        let kept = moved;
        while (kept > 0 && stored[kept - 1] === "") kept--;
        next.commentBefore = [...stored.slice(moved), ...(nextOwn ? [next.commentBefore!] : [])].join(eol);
        if (kept < moved || (kept === 0 && leadingBlank)) next.spaceBefore = true;
        holder.comment = kept > 0 ? `${leadingBlank ? eol : ""}${stored.slice(0, kept).join(eol)}` : undefined;
      });
    },
  });
}

/**
 * Before an item parsed from `text` is edited and re-printed. `- # the app` above an entry's
 * content: yaml stores that comment before the entry, and the printer would put it on a line of
 * its own above the dash. It is marked here (a NUL, which no YAML text holds) and printItem puts it
 * back on the dash line. Entries that are block scalars keep yaml's placement: their lines are
 * indented from the dash, and moving the header would change what they read as.
 */
export function keepDashLineComments(doc: Document, text: string): void {
  // No mark where the text holds a NUL already (it is no YAML then, but it must not pass for one).
  if (text.includes("\0")) return;
  visit(doc, {
    Seq(_, seq) {
      for (const entry of seq.items) {
        const dash = dashLineComment(entry, text);
        if (!dash) continue;
        const { lines, eol, at } = dash;
        lines[at] = `\0${lines[at]!}`;
        (entry as Node).commentBefore = lines.join(eol);
      }
    },
  });
}

/**
 * The entry's stored comment split into lines, when its last lines are the comment on its dash line
 * (`- # first`) and the comment lines under it; `at` is where the dash line's starts.
 */
function dashLineComment(entry: unknown, text: string): { lines: string[]; eol: string; at: number } | undefined {
  if (!isNode(entry) || !entry.range || !entry.commentBefore) return undefined;
  if (isScalar(entry) && (entry.type === "BLOCK_LITERAL" || entry.type === "BLOCK_FOLDED")) return undefined;
  let lineStart = text.lastIndexOf("\n", entry.range[0] - 1) + 1;
  if (lineStart === 0 || text.slice(lineStart, entry.range[0]).trim() !== "") return undefined;
  // Up over the comment lines under the dash line (`- # first` then `  # second`), to the dash line.
  const under: string[] = [];
  let dash: RegExpExecArray | null = null;
  while (lineStart > 0 && !dash) {
    const from = text.lastIndexOf("\n", lineStart - 2) + 1;
    const line = text.slice(from, lineStart - 1).replace(/\r$/, "");
    dash = /^ *- +#(.*)$/.exec(line);
    if (!dash) {
      const own = /^ *#(.*)$/.exec(line);
      if (!own) break;
      under.unshift(own[1]!);
    }
    lineStart = from;
  }
  if (!dash) return undefined;
  const eol = entry.commentBefore.includes("\r\n") ? "\r\n" : "\n";
  const lines = entry.commentBefore.split(eol);
  const at = lines.length - under.length - 1;
  if (at < 0 || lines.slice(at).join("\n") !== [dash[1]!, ...under].join("\n")) return undefined;
  return { lines, eol, at };
}

/** printItem's half of keepDashLineComments: `#\0first`, more comment lines, then the entry's `- `. */
const DASH_LINE_MARK = /^( *)#\0(.*)\n((?:\1#.*\n)*)\1- /gm;

function dashLineCommentsBack(printed: string): string {
  const back = printed.replace(DASH_LINE_MARK, (_, ind: string, first: string, under: string) => `${ind}- #${first}\n${under.replace(/^(?=.)/gm, "  ")}${ind}  `);
  // A mark the printer put anywhere else stays a plain comment line.
  return back.replaceAll("#\0", "#");
}

/** Where the content under `node` ends (its last scalar, alias or flow collection), and its nodes that hold a trailing comment. */
function contentOf(node: Node): { end: number; commented: Node[] } {
  let end = -1;
  const commented: Node[] = [];
  const walk = (n: unknown) => {
    if (!isNode(n) || !n.range) return;
    if (n.comment) commented.push(n);
    // A block collection's own range runs over the comments after it; its leaves' do not.
    const leaf = isScalar(n) || isAlias(n) || ((isMap(n) || isSeq(n)) && n.flow === true);
    if (leaf && n.range[1] > end) end = n.range[1];
    if (isMap(n)) for (const p of n.items) (walk(p.key), walk(p.value));
    else if (isSeq(n)) n.items.forEach(walk);
  };
  walk(node);
  return { end, commented };
}

/** Plain data of a parsed item, refusing alias bombs. */
export function itemData(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}

/**
 * The item's new text, to stand where its body stood. Lists keep the item's own style:
 * kpt sends `wide` files' lists compact, but plain files may indent them.
 */
export function printItem(doc: Document, src: ItemSource): string {
  const json = jsonStyle(src.body);
  if (json !== undefined) {
    // A JSON object (a .json manifest) stays valid JSON, in its own indentation and key order.
    let printed = jsonText(doc, doc.contents, json.indent, "");
    if (src.body.endsWith("\n")) printed += "\n";
    return lineBreaksOf(src.body, indent(printed, src.column));
  }
  let printed = toText(doc, { ...BASE, indentSeq: usesWideLists(src.body) });
  // keepDashLineComments' marks: the comment goes back on its entry's dash line.
  if (printed.includes("#\0")) printed = dashLineCommentsBack(printed);
  if (!src.body.endsWith("\n")) printed = printed.replace(/\n$/, "");
  return lineBreaksOf(src.body, indent(printed, src.column));
}

/** An item that kept its own CRLF line breaks (in a stream that mixes them) gets them back. */
function lineBreaksOf(body: string, printed: string): string {
  return body.includes("\r\n") ? printed.replace(/\r?\n/g, "\r\n") : printed;
}

/** The layout of an item written as JSON: one line (indent ""), or indented as its second line is. */
function jsonStyle(body: string): { indent: string } | undefined {
  if (!body.startsWith("{")) return undefined;
  try {
    JSON.parse(body);
  } catch {
    return undefined; // YAML flow style, not JSON: the YAML printer keeps it flow
  }
  const second = /\n([ \t]*)\S/.exec(body);
  return { indent: second ? second[1]! : "" };
}

/**
 * JSON from the YAML nodes, laid out as JSON.stringify lays out with `step` (the nodes, not toJS(),
 * so keys keep their order: a JS object would put keys like "10" first).
 */
function jsonText(doc: Document, node: unknown, step: string, at: string): string {
  const inner = at + step;
  const open = (items: string[], o: string, c: string) =>
    items.length === 0 ? o + c : step === "" ? `${o}${items.join(",")}${c}` : `${o}\n${inner}${items.join(`,\n${inner}`)}\n${at}${c}`;
  if (isMap(node)) {
    const sep = step === "" ? ":" : ": ";
    return open(node.items.map((p) => `${JSON.stringify(String(isScalar(p.key) ? p.key.value : p.key))}${sep}${jsonText(doc, p.value, step, inner)}`), "{", "}");
  }
  if (isSeq(node)) return open(node.items.map((v) => jsonText(doc, v, step, inner)), "[", "]");
  if (isScalar(node)) return JSON.stringify(node.value) ?? "null";
  if (isAlias(node)) return jsonText(doc, node.resolve(doc), step, at);
  return JSON.stringify(node ?? null) ?? "null";
}

/**
 * A document's text, meaning exactly what its nodes mean to every reader kpt and kubectl use:
 * - a string the function wrote (a scalar with no source style) that a YAML 1.1 reader
 *   (sigs.k8s.io/yaml, kpt) would take for a boolean, null, number or date is double-quoted;
 * - a string with a character YAML may not print raw (DEL, C1 controls, U+2028/9, BOM) is
 *   double-quoted and the character escaped;
 * - a block scalar that keeps trailing newlines (`|+`) is double-quoted: yaml's printer drops
 *   them when the scalar is not the last thing in the document.
 */
export function toText(doc: Document, options: ToStringOptions): string {
  let escapes = false;
  visit(doc, {
    Scalar(_, n) {
      const v = n.value;
      if (typeof v !== "string") return;
      if (UNPRINTABLE.test(v)) {
        n.type = "QUOTE_DOUBLE";
        escapes = true;
      } else if (n.type === "QUOTE_DOUBLE") {
        return;
      } else if ((n.type === undefined && readsAsOtherIn11(v)) || (n.type !== "QUOTE_SINGLE" && keepsTrailingNewlines(v))) {
        n.type = "QUOTE_DOUBLE";
      }
    },
  });
  const text = doc.toString(options);
  return escapes ? escapeUnprintable(text) : text;
}

/** Characters that YAML may not print raw, or that a YAML 1.1 reader takes for a line break. */
const UNPRINTABLE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, "g");

/** Escapes them; only called once every string holding one is double-quoted. */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE_ALL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** A plain `|+`-style ending: trailing white space holding a line break that is not its last character. */
function keepsTrailingNewlines(v: string): boolean {
  const end = /[\n\t ]*$/.exec(v)![0];
  const nl = end.indexOf("\n");
  return nl !== -1 && (end === v || nl !== end.length - 1);
}

const YAML11_WORD = /^(?:y|yes|n|no|on|off|true|false|null|~|=|<<)$/i;
/**
 * Starts like a YAML 1.1 number or date (a sign, digit or dot; or an exponent alone, `e0`, which
 * the yaml package's 1.1 schema reads as a number): worth asking a 1.1 reader.
 */
const YAML11_NUMBERISH = /^(?:[-+]?[0-9.]|[eE][-+]?[0-9])/;

/** Whether a YAML 1.1 reader would take this plain string for something else than the string. */
export function readsAsOtherIn11(v: string): boolean {
  if (YAML11_WORD.test(v)) return true;
  if (!YAML11_NUMBERISH.test(v) || v.length > 64) return false;
  // Asking a 1.1 reader is a parse: the same few strings ("15", "0.0.0.0") come back for every workload.
  let answer = asked11.get(v);
  if (answer === undefined) {
    try {
      answer = typeof parse(v, { version: "1.1" }) !== "string";
    } catch {
      answer = true;
    }
    if (asked11.size >= 4096) asked11.clear();
    asked11.set(v, answer);
  }
  return answer;
}

const asked11 = new Map<string, boolean>();

/** Whether the first block list under a key is indented past that key (`wide`) or not (`compact`). */
export function usesWideLists(body: string): boolean {
  const m = /^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)- /m.exec(body);
  return m !== null && m[2]!.length > m[1]!.length;
}

/** Strings the printer may leave plain: no indicators, no `: ` or ` #`, nothing the core schema would read as another type. */
const SAFE_PLAIN = /^[A-Za-z_./][\w .,/()@=+'"-]*$/;

/** A scalar as YAML that 1.1 and 1.2 readers read back the same; undefined for a collection. */
export function scalarText(v: unknown): string | undefined {
  if (v === null) return "null";
  if (typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) return String(v);
  if (typeof v !== "string") return undefined;
  // yes/no/on/off are strings to YAML 1.2 but booleans to 1.1 readers: quote them for those.
  if (SAFE_PLAIN.test(v) && resolvePlain(v) === v && !readsAsOtherIn11(v) && !v.endsWith(":") && !v.includes(": ") && !v.includes(" #") && v.trim() === v) return v;
  // JSON's double-quoted strings are YAML double-quoted scalars (once what JSON leaves raw is escaped).
  return escapeUnprintable(JSON.stringify(v));
}

/**
 * Results in block style, written directly: they are our own plain data and thousands of them
 * go through the yaml printer slowly. Values that are not scalars go through the yaml printer.
 */
export function printResults(results: readonly Result[]): string {
  let out = "";
  const kv = (pad: string, key: string, v: unknown, first: boolean) => {
    const lead = first ? `${pad.slice(0, -2)}- ` : pad;
    const s = scalarText(v);
    if (s !== undefined) return `${lead}${key}: ${s}\n`;
    const nested = toText(new Document(v, { aliasDuplicateObjects: false }), BASE).replace(/\n$/, "");
    if (nested === "[]" || nested === "{}") return `${lead}${key}: ${nested}\n`;
    return `${lead}${key}:\n${nested.replace(/^/gm, `${pad}  `)}\n`;
  };
  const map = (pad: string, key: string, obj: object) => {
    let s = `${pad}${key}:\n`;
    for (const [k, v] of Object.entries(obj)) if (v !== undefined) s += kv(`${pad}  `, k, v, false);
    return s;
  };
  for (const r of results) {
    out += kv("  ", "message", r.message, true);
    out += kv("  ", "severity", r.severity, false);
    if (r.resourceRef) out += map("  ", "resourceRef", r.resourceRef);
    if (r.field) out += map("  ", "field", r.field);
    if (r.file) out += map("  ", "file", r.file);
    if (r.tags) out += map("  ", "tags", r.tags);
  }
  return out;
}
