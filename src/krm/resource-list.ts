/**
 * The wire: a ResourceList's text split into items, and the text put back together.
 *
 * Output is built by splicing: every byte of the input is copied through, except the text of
 * the items that changed (replaced by their re-printed text) and the place where new results go.
 * So an item nobody touched is byte-identical by construction, and a run that changes nothing
 * writes back exactly what it read.
 */
import { Buffer, isUtf8 } from "node:buffer";
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import type { FileRef, Result } from "./results";
import { PRINT_OPTIONS, printResults, toText } from "./print";
import { MAX_ALIAS_COUNT, MAX_FLOW_BYTES, MAX_INPUT_BYTES } from "./limits";
import { jsonToBlockYaml } from "./json-to-yaml";
import { indent, lineEnd, lineStart, rewrap, unwrap } from "./text";
import { locateEntry, scanResourceList } from "./scan";


/** Input that cannot be read as a ResourceList at all: reported as one line on stderr. */
export class InputError extends Error {
  override name = "InputError";
}

/** One entry of `items`, located in the source text. */
export interface ItemSource {
  /** Position in `items`. */
  index: number;
  /** Offset of the start of the line that holds the item's `-`. */
  start: number;
  /** Offset where the item's own node begins (after `- ` and any head comment). */
  bodyStart: number;
  /** Offset just past the item's last line. */
  end: number;
  /** Column of the item's node: every following line of the item is indented at least this far. */
  column: number;
  /** The item's node as a YAML document of its own (indentation removed). */
  readonly body: string;
  /** The same text as it stands in the list (indentation kept), when the reader has it. */
  raw?: string;
  /** Why the item may not be re-printed, if it may not (it is then only read). */
  frozen?: string;
  /** Anchors this item defines that later items alias: an edit must not change what they mean. */
  anchorsUsedElsewhere?: ReadonlySet<string>;
  /** Aliases this item uses whose anchors are in earlier items: it cannot be read on its own. */
  foreignAliases?: readonly string[];
  /** Where the item came from, when not from a ResourceList (plain files); used when it has no path annotations. */
  file?: FileRef;
  /** How messages name the item, e.g. "deploy.yaml document 2"; default `items[index]`. */
  label?: string;
  /** Found by the fast scanner: read it with the light reader, and give up the fast path if that declines. */
  light?: boolean;
}



export interface ResourceListSource {
  /** The text item offsets refer to (the input, or its block-style form when it was flow/JSON). */
  text: string;
  items: ItemSource[];
  /** The functionConfig as plain data, or undefined when there is none. */
  functionConfig: unknown;
  /** Problems with the list itself (not with one item); reported as error results. */
  problems: Result[];
  /** Where new results are written. */
  resultsSlot: ResultsSlot;
  /** Byte-order mark and line ending of the input, restored on output. */
  bom: boolean;
  crlf: boolean;
}

/** How to add results: after existing entries, in place of an empty value, or as a new key. */
export type ResultsSlot =
  | { kind: "append"; offset: number; column: number }
  | { kind: "replace"; from: number; to: number; /** Earlier results (a flow list), re-printed in block style. */ keep?: string }
  | { kind: "new"; offset: number }
  | { kind: "none"; reason: string };

const RESOURCE_LIST_VERSIONS = new Set(["config.kubernetes.io/v1", "config.kubernetes.io/v1alpha1", "config.kubernetes.io/v1beta1"]);

export function decode(input: string | Uint8Array): string {
  if (typeof input === "string") return lineBreaksChecked(input);
  if (input.byteLength > MAX_INPUT_BYTES) {
    throw new InputError(
      `input is ${input.byteLength} bytes, more than the ${MAX_INPUT_BYTES}-byte limit; split the package or run on fewer files`,
    );
  }
  // isUtf8 is much cheaper to start than a fatal TextDecoder, which matters for cold starts.
  if (!isUtf8(input)) throw new InputError("input is not valid UTF-8; KRM functions read UTF-8 YAML or JSON");
  return lineBreaksChecked(Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8"));
}

/**
 * A carriage return on its own is a line break to YAML (and to Go's reader, which kubectl uses),
 * but not to the `yaml` package, which reads the rest of such a line into a comment or a scalar:
 * a container after `# note\r` would vanish. Such input is refused, not guessed at.
 */
function lineBreaksChecked(text: string): string {
  if (!text.includes("\r")) return text; // a plain scan of the input, cheaper than the regex
  const at = text.search(/\r(?!\n)/);
  if (at === -1) return text;
  let line = 1;
  for (let k = text.indexOf("\n"); k !== -1 && k < at; k = text.indexOf("\n", k + 1)) line++;
  throw new InputError(`input has a carriage return that is not part of a CRLF line break, on line ${line}; YAML reads it as a line break, which sidecar-order does not: give the file LF or CRLF line breaks (dos2unix, or your editor's line-ending setting)`);
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}


/** Parse and check the shape of a ResourceList; throws InputError when it is not one. */
export interface ReadOptions {
  /** Try the fast line scanner first (default). Off: always the full parse (tests compare the two). */
  fast?: boolean;
}

export function readResourceList(input: string | Uint8Array, options: ReadOptions = {}): ResourceListSource {
  let text = decode(input);
  if (text.length > MAX_INPUT_BYTES) {
    throw new InputError(`input is larger than the ${MAX_INPUT_BYTES}-byte limit; split the package or run on fewer files`);
  }
  const { text: unwrapped, bom, crlf } = unwrap(text);
  text = unwrapped;
  if (text.trim() === "") throw new InputError("input is empty; expected a ResourceList on stdin");
  const json = jsonAsBlock(text);
  if (json !== undefined) text = json;

  const fast = options.fast === false ? undefined : scanResourceList(text);
  // Items the scanner found are block-style entries, so only without any can the list be flow style.
  if (json === undefined && !(fast && fast.items.length > 0)) refuseBigFlow(text);
  if (fast) {
    if (!RESOURCE_LIST_VERSIONS.has(fast.apiVersion as string)) parseList(text); // throws the careful path's message
    return { text, items: fast.items, functionConfig: fast.functionConfig, problems: [], resultsSlot: fast.resultsSlot, bom, crlf };
  }
  return readCarefully(text, bom, crlf);
}

const MIB = 1024 * 1024;

/** Whether a line `items: [` (a flow-style list at column 0) is in the text: searched with indexOf, as a multiline regex costs a big list milliseconds. */
function flowItems(text: string): boolean {
  // Every line that starts with `items:`: the first line, then each one after a newline.
  let at = text.startsWith("items:") ? 0 : text.indexOf("\nitems:") + 1 || -1;
  while (at !== -1) {
    let k = at + 6;
    while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
    if (text.charCodeAt(k) === 91 /* [ */) return true;
    const next = text.indexOf("\nitems:", at);
    at = next === -1 ? -1 : next + 1;
  }
  return false;
}

/** JSON in, block YAML out, converted in one pass (kpt keeps the style a function writes); undefined for anything else. */
function jsonAsBlock(text: string): string | undefined {
  if (!FLOW_ROOT.test(text)) return undefined;
  try {
    return jsonToBlockYaml(text);
  } catch (e) {
    return tooDeep(e);
  }
}

const FLOW_ROOT = /^\s*\{/;

/** Flow-style YAML takes the careful path, which holds a yaml tree of it: refused up front when big. */
function refuseBigFlow(text: string): void {
  if (text.length > MAX_FLOW_BYTES && (FLOW_ROOT.test(text) || flowItems(text))) {
    throw new InputError(
      `input is a ResourceList in YAML flow style of ${(text.length / MIB).toFixed(1)} MiB; flow style is read up to ${MAX_FLOW_BYTES / MIB} MiB (JSON and block style up to ${MAX_INPUT_BYTES / MIB} MiB): send it as JSON or block-style YAML`,
    );
  }
}

/** The output, unless it is more than the next function in a pipeline would read. */
export function withinLimit(output: string): string {
  if (output.length > MAX_INPUT_BYTES || Buffer.byteLength(output) > MAX_INPUT_BYTES) {
    throw new InputError(
      `the output would be ${(Buffer.byteLength(output) / MIB).toFixed(1)} MiB, more than the ${MAX_INPUT_BYTES / MIB} MiB a function reads, so the next one in the pipeline would refuse it; split the package or run on fewer files`,
    );
  }
  return output;
}

/** The careful path: a full parse, for any input the fast scanner does not vouch for. */
function readCarefully(input: string, bom: boolean, crlf: boolean): ResourceListSource {
  let text = input;
  let doc = parseList(text);
  if (needsBlockStyle(doc)) {
    // Flow-style input: kpt keeps the node style a function prints, so write block style.
    try {
      visit(doc, {
        Map: (_, n) => void (n.flow = false),
        Seq: (_, n) => void (n.flow = (n as YAMLSeq).items.length === 0),
        // Let the printer choose plain style where it is safe (toText quotes what 1.1 misreads).
        Scalar: (_, n) => void (n.type = undefined),
      });
      text = toText(doc, PRINT_OPTIONS);
    } catch (e) {
      tooDeep(e);
    }
    doc = parseList(text);
  }
  const root = doc.contents as YAMLMap;
  const problems: Result[] = [];
  const itemsPair = findPair(root, "items");
  const items: ItemSource[] = [];
  if (!itemsPair || itemsPair.value == null || (isScalar(itemsPair.value) && itemsPair.value.value == null)) {
    // An absent or null `items` is an empty package; nothing to do.
  } else if (!isSeq(itemsPair.value)) {
    problems.push({ message: "the ResourceList's `items` is not a list; nothing was changed", severity: "error", field: { path: "items" } });
  } else {
    const seq = itemsPair.value;
    const blockEnd = nextKeyStart(text, root, itemsPair);
    let floor = seq.range ? lineStart(text, seq.range[0]) : 0;
    const dashes: number[] = [];
    for (const node of seq.items as (Node | null)[]) {
      const at = node?.range ? node.range[0] : floor;
      const dash = node?.range ? findDashLine(text, at, floor) : nextDash(text, floor, blockEnd);
      dashes.push(dash);
      floor = lineEnd(text, dash);
    }
    seq.items.forEach((node, index) => {
      const item = locateEntry(text, dashes[index]!, dashes[index + 1] ?? blockEnd, index);
      const n = node as Node | null;
      if (!n || (isScalar(n) && n.value === null && !item.body)) item.frozen = "the item is empty";
      else if (!isMap(n)) item.frozen = "the item is not an object";
      else if (n.anchor || n.tag) item.frozen = "the item carries a YAML anchor or tag";
      items.push(item);
    });
    linkAnchors(seq.items as (Node | null)[], items);
  }

  let functionConfig: unknown;
  const fcPair = findPair(root, "functionConfig");
  if (fcPair?.value != null) {
    try {
      functionConfig = (fcPair.value as Node).toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      problems.push({ message: `the functionConfig cannot be read: ${firstLine((e as Error).message)}`, severity: "error", field: { path: "functionConfig" } });
    }
  }

  return { text, items, functionConfig, problems, resultsSlot: resultsSlot(text, doc, root), bom, crlf };
}

/**
 * Items of one ResourceList may share nodes: an alias in one item to an anchor in an earlier one
 * (kpt passes them through). Record both ends, so neither item is changed behind the other's back.
 */
function linkAnchors(nodes: readonly (Node | null)[], items: ItemSource[]): void {
  const lastDefinedIn = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!node) return;
    const own = new Set<string>();
    const foreign = new Set<string>();
    visit(node, {
      Alias: (_, alias) => {
        if (own.has(alias.source)) return;
        const at = lastDefinedIn.get(alias.source);
        if (at === undefined) return;
        foreign.add(alias.source);
        const owner = items[at]!;
        owner.anchorsUsedElsewhere = new Set([...(owner.anchorsUsedElsewhere ?? []), alias.source]);
      },
      Node: (_, n) => void (n.anchor && own.add(n.anchor)),
    });
    for (const name of own) lastDefinedIn.set(name, i);
    if (foreign.size > 0) items[i]!.foreignAliases = [...foreign];
  });
}

/** Where the text of a top-level pair ends: the line of the next key, or the end of the text. */
function nextKeyStart(text: string, root: YAMLMap, pair: Pair): number {
  const i = root.items.indexOf(pair);
  const next = root.items[i + 1] as Pair | undefined;
  const key = next?.key as Node | undefined;
  return key?.range ? lineStart(text, key.range[0]) : text.length;
}

/** The first `-` line at or after `from` (for null items, which have no range). */
function nextDash(text: string, from: number, to: number): number {
  for (let p = from; p < to; p = lineEnd(text, p)) if (/^ *-(\s|$)/.test(text.slice(p, lineEnd(text, p)))) return p;
  return from;
}

/** yaml's parser recurses: pathological nesting overflows the stack instead of erroring. */
export function tooDeep(e: unknown): never {
  if (e instanceof RangeError || isStackOverflow(e)) throw new InputError(TOO_DEEP);
  throw e;
}

const TOO_DEEP = "input YAML nests too deeply to read (thousands of levels); no Kubernetes object does that";

/** yaml reports some stack overflows as a parse error rather than throwing them. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof Error && /Maximum call stack size exceeded/.test(e.message);
}

function parseList(text: string): Document.Parsed {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    tooDeep(e);
  }
  const err = doc.errors[0];
  if (err) {
    if (isStackOverflow(err)) tooDeep(err);
    if (err.code === "MULTIPLE_DOCS") throw new InputError("input holds several YAML documents; expected exactly one ResourceList");
    // prettyErrors puts "at line L, column C" in the message's first line.
    throw new InputError(`input is not valid YAML: ${firstLine(err.message).replace(/:$/, "")}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new InputError("input is not a ResourceList: expected a mapping with kind: ResourceList");
  const kind = (findPair(root, "kind")?.value as Node | undefined);
  const apiVersion = (findPair(root, "apiVersion")?.value as Node | undefined);
  const kindValue = isScalar(kind) ? kind.value : undefined;
  if (kindValue !== "ResourceList") {
    throw new InputError(
      `input is not a ResourceList (kind is ${kindValue === undefined ? "missing" : JSON.stringify(kindValue)}); run sidecar-order through kpt, or pass manifest files as arguments`,
    );
  }
  const version = isScalar(apiVersion) ? apiVersion.value : undefined;
  if (typeof version !== "string" || !RESOURCE_LIST_VERSIONS.has(version)) {
    throw new InputError(`input is a ResourceList of unknown apiVersion ${JSON.stringify(version ?? null)}; expected config.kubernetes.io/v1`);
  }
  return doc;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

function needsBlockStyle(doc: Document.Parsed): boolean {
  const root = doc.contents as YAMLMap;
  if (root.flow) return true;
  const items = findPair(root, "items")?.value;
  return isSeq(items) && items.flow === true && items.items.length > 0;
}

/** The line holding the `-` of the item that starts at bodyStart (head comments may sit between). */
function findDashLine(text: string, bodyStart: number, floor: number): number {
  let ls = lineStart(text, bodyStart);
  while (ls >= floor) {
    const line = text.slice(ls, lineEnd(text, ls));
    if (/^ *-(\s|$)/.test(line)) return ls;
    if (ls === 0) break;
    ls = lineStart(text, ls - 1);
  }
  return lineStart(text, bodyStart);
}


function resultsSlot(text: string, doc: Document.Parsed, root: YAMLMap): ResultsSlot {
  const pair = findPair(root, "results");
  if (!pair) {
    // After the last content; trailing comments stay above the results.
    const end = root.range ? root.range[1] : text.length;
    const after = text.slice(end);
    const onlyComments = after.split("\n").every((l) => l.trim() === "" || l.trim().startsWith("#"));
    return { kind: "new", offset: onlyComments ? text.length : end };
  }
  const value = pair.value as Node | null;
  if (isSeq(value) && !value.flow && value.items.length > 0 && value.range) {
    const column = value.range[0] - lineStart(text, value.range[0]);
    let offset = nextKeyStart(text, root, pair);
    while (offset > value.range[0] && text.slice(lineStart(text, offset - 1), offset).trim() === "") offset = lineStart(text, offset - 1);
    return { kind: "append", offset, column };
  }
  if (isSeq(value) && value.flow && value.items.length > 0 && value.range && isScalar(pair.key) && pair.key.range) {
    // An earlier function wrote its results in flow style: keep them, as a block list with ours.
    const keep = toText(new Document(value.toJS(doc)), PRINT_OPTIONS);
    return { kind: "replace", from: pair.key.range[1], to: value.range[1], keep };
  }
  const empty = value == null || (isScalar(value) && value.value == null) || (isSeq(value) && value.items.length === 0);
  if (empty && isScalar(pair.key) && pair.key.range) {
    const from = pair.key.range[1];
    const to = value?.range ? value.range[1] : from;
    return { kind: "replace", from, to };
  }
  throw new InputError("the ResourceList's `results` is not a list; an earlier function wrote something else there");
}

/**
 * Put the list back together: unchanged text copied, changed items replaced, results added.
 * `replacements` maps an item index to the item's new text from its body start to its end.
 */
export function writeResourceList(src: ResourceListSource, replacements: ReadonlyMap<number, string>, results: readonly Result[]): string {
  const { text } = src;
  const cuts: { from: number; to: number; text: string }[] = [];
  for (const [index, replacement] of replacements) {
    const item = src.items[index];
    if (!item) continue;
    cuts.push({ from: item.bodyStart, to: item.end, text: replacement });
  }
  if (results.length > 0) {
    const slot = src.resultsSlot;
    if (slot.kind === "append") {
      cuts.push({ from: slot.offset, to: slot.offset, text: indent(" ".repeat(slot.column) + printResults(results), slot.column) });
    } else if (slot.kind === "replace") {
      cuts.push({ from: slot.from, to: slot.to, text: ":\n" + (slot.keep ?? "") + printResults(results).replace(/\n$/, "") });
    } else if (slot.kind === "new") {
      const sep = slot.offset > 0 && text[slot.offset - 1] !== "\n" ? "\n" : "";
      cuts.push({ from: slot.offset, to: slot.offset, text: `${sep}results:\n${printResults(results)}` });
    }
  }
  cuts.sort((a, b) => a.from - b.from);
  let out = "";
  let pos = 0;
  for (const cut of cuts) {
    out += text.slice(pos, cut.from) + cut.text;
    pos = cut.to;
  }
  out += text.slice(pos);
  return rewrap(out, src);
}
