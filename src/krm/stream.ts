/**
 * A plain multi-document YAML stream (a file, kustomize's legacy plugin stdin) split into items
 * and put back together by splicing, like a ResourceList: untouched documents, document markers
 * and comments between documents come out byte for byte.
 */
import { isMap, isScalar, parseAllDocuments, visit, type Document } from "yaml";
import type { Result } from "./results";
import { InputError, decode, isStackOverflow, tooDeep, type ItemSource } from "./resource-list";
import { dedent, lineEnd, lineStart, rewrap, unwrap } from "./text";
import { KEEP_CHOMPING } from "./scan";

export interface StreamSource {
  text: string;
  items: ItemSource[];
  /** Documents that are not objects: reported, never changed. */
  problems: Result[];
  bom: boolean;
  crlf: boolean;
}

/** An empty document: a trailing `---`, or one that holds only comments (a chart template that rendered nothing). */
export function isEmptyDocument(doc: Document): boolean {
  const node = doc.contents;
  return node === null || (isScalar(node) && node.value === null && (!node.range || node.range[0] === node.range[1]));
}

/** `name` labels messages (a file path, or "stdin"); `firstIndex` numbers items across files. */
export function readStream(input: string | Uint8Array, name: string, firstIndex = 0, path?: string): StreamSource {
  let decoded: string;
  try {
    decoded = decode(input);
  } catch (e) {
    // Say which file: "input" is all decode knows.
    if (e instanceof InputError) throw new InputError(e.message.replace(/^input\b/, name));
    throw e;
  }
  const { text, bom, crlf } = unwrap(decoded);
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    tooDeep(e);
  }
  const list = Array.isArray(docs) ? docs : [];
  const items: ItemSource[] = [];
  const problems: Result[] = [];
  list.forEach((doc, n) => {
    const err = doc.errors[0];
    if (err) {
      if (isStackOverflow(err)) tooDeep(err);
      throw new InputError(`${name} is not valid YAML: ${(err.message.split("\n")[0] ?? "").replace(/:$/, "")}`);
    }
    const node = doc.contents;
    if (isEmptyDocument(doc) || !node?.range) return;
    // `null` or `~` (what Helm renders for `{{ toYaml .Values.unset }}`): kubectl's decoder and
    // Argo CD skip such a document, so it is passed through as it is, with nothing said.
    if (isScalar(node) && node.value === null && !node.tag && !node.anchor) return;
    const label = `${name} document ${n + 1}`;
    const file = path !== undefined ? { path, index: n } : undefined;
    if (!isMap(node)) {
      problems.push({ message: `${label} is not an object (Kubernetes takes only objects), so nothing was changed; remove it or make it an object`, severity: "error", ...(file ? { file } : {}) });
      return;
    }
    const bodyStart = node.range[0];
    let end = lineEnd(text, Math.max(bodyStart, node.range[1] - 1));
    // Blank lines after a keep-chomped block scalar (`|+`) are part of its value.
    if (!KEEP_CHOMPING.test(text.slice(bodyStart, end))) {
      while (end > bodyStart && text.slice(lineStart(text, end - 1), end).trim() === "") end = lineStart(text, end - 1);
    }
    const column = bodyStart - lineStart(text, bodyStart);
    const item: ItemSource = { index: firstIndex + items.length, start: bodyStart, bodyStart, end, column, body: dedent(text.slice(bodyStart, end), column), label };
    if (file) item.file = file;
    if (node.anchor || node.tag) item.frozen = "the item carries a YAML anchor or tag";
    items.push(item);
  });
  return { text, items, problems, bom, crlf };
}

/** The stream with changed documents replaced (`replacements` keyed by item index). */
export function writeStream(src: StreamSource, replacements: ReadonlyMap<number, string>): string {
  let out = "";
  let pos = 0;
  for (const item of src.items) {
    const r = replacements.get(item.index);
    if (r === undefined) continue;
    out += src.text.slice(pos, item.bodyStart) + r;
    pos = item.end;
  }
  out += src.text.slice(pos);
  return rewrap(out, src);
}

/**
 * A file's stream as it follows another's: after a `---` (unless it opens with one), or after a
 * `...` when it opens with directives (`%YAML 1.2`), which YAML allows only at the start of a
 * stream or after a document's end; a byte order mark, which belongs at the start of a stream,
 * is left out.
 */
/** Whether the first line of `text` that is not blank or a comment is a directive (`%YAML 1.2`); line by line, no regex to backtrack. */
function directivesFirst(text: string): boolean {
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf("\n", at);
    const line = text.slice(at, end === -1 ? text.length : end).trim();
    if (line !== "" && !line.startsWith("#")) return line.startsWith("%");
    if (end === -1) break;
    at = end + 1;
  }
  return false;
}

export function joined(before: string, text: string): string {
  const own = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const nl = before.endsWith("\n") ? "" : "\n";
  if (directivesFirst(own)) return `${nl}...\n${own}`;
  return own.startsWith("---") ? `${nl}${own}` : `${nl}---\n${own}`;
}

/**
 * `text` made to mean the same when a line break and more text follow it, where it ends with no
 * line break in a block scalar. Go's YAML (kubectl, Argo CD) reads the file alone with no line
 * break after the last line:
 * - a last line with content (spaces past the scalar's indentation count) becomes strip-chomped
 *   (`|-`), so the break added after it is not the value's;
 * - a last line of spaces only, no deeper than the indentation, is dropped from a keep-chomped
 *   scalar (`|+`), whose line breaks before it are its value either way.
 * Anything else is returned as it is.
 */
export function blockEndJoinable(text: string): string {
  if (text.endsWith("\n") || text === "") return text;
  const lastLine = text.slice(text.lastIndexOf("\n") + 1);
  const blankTail = lastLine.trim() === "" ? lastLine.length : 0;
  const docs = parseAllDocuments(text);
  let header = -1;
  for (const doc of Array.isArray(docs) ? docs : []) {
    visit(doc, {
      Scalar: (_, node) => {
        if ((node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") && node.range && node.range[1] >= text.length - blankTail) header = node.range[0];
      },
    });
  }
  if (header === -1) return text;
  const m = /^[|>]([1-9][-+]?|[-+][1-9]?)?/.exec(text.slice(header));
  if (!m) return text;
  const indicators = m[1] ?? "";
  const chomp = indicators.replace(/[0-9]/g, "");
  const digit = indicators.replace(/[-+]/g, "");
  // A last line of spaces is content only past the scalar's indentation (which an indentation
  // indicator counts from the parent node). Rather than work that out, ask the reader: with a
  // line break after it, does the line add spaces to the value, or only a line break (or nothing)?
  let content = blankTail === 0;
  if (!content) {
    const withBreak = scalarValueAt(`${text}\n`, header);
    const without = scalarValueAt(text.slice(0, text.length - lastLine.length), header);
    const parts = withBreak?.split("\n") ?? [];
    content = withBreak !== without && parts.length >= 2 && parts[parts.length - 2] !== "";
  }
  if (!content) return chomp === "+" ? text.slice(0, text.length - lastLine.length) : text;
  if (chomp === "-") return text;
  return `${text.slice(0, header)}${text[header]}-${digit}${text.slice(header + m[0].length)}`;
}

/** The string value of the block scalar whose header is at `header` in `text`, as the `yaml` package reads it. */
function scalarValueAt(text: string, header: number): string | undefined {
  let value: string | undefined;
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : []) {
    visit(doc, {
      Scalar: (_, node) => {
        if (node.range?.[0] === header && typeof node.value === "string") value = node.value;
      },
    });
  }
  return value;
}

/**
 * The stream with `lines` (results, one each) after it as YAML comments, `# sidecar-order: ...`:
 * where a caller keeps only stdout (Argo CD; Helm 3, which shows a post-renderer's stderr only when
 * it fails). A stream that ends in a block scalar with no line break keeps its value.
 */
export function withCommentLines(stream: string, lines: readonly string[]): string {
  // The lines an earlier run left (the stream is its output) give way to this run's: the output of
  // a run on its own output is the same, not longer.
  stream = withoutCommentLines(stream);
  if (lines.length === 0) return stream;
  const body = stream.endsWith("\n") ? stream : lastDocumentFrom(stream, (last) => blockEndJoinable(last));
  // In the stream's own line breaks (a CRLF stream stays CRLF).
  const eol = stream.includes("\r\n") ? "\r\n" : "\n";
  return `${body}${body.endsWith("\n") || body === "" ? "" : eol}${lines.map((l) => `${COMMENT_PREFIX}${l}${eol}`).join("")}`;
}

const COMMENT_PREFIX = "# sidecar-order: ";

/** The stream without the `# sidecar-order: ` lines that end it. */
function withoutCommentLines(stream: string): string {
  let end = stream.length;
  for (;;) {
    // The last line, with its line break: [start, end).
    const start = stream.lastIndexOf("\n", end - 2) + 1;
    if (end === 0 || !stream.startsWith(COMMENT_PREFIX, start) || stream.charCodeAt(end - 1) !== 10) return stream.slice(0, end);
    end = start;
  }
}

/** `stream` with its last document (after its last `---` line) passed through `f`: the rest need not be read again. */
function lastDocumentFrom(stream: string, f: (last: string) => string): string {
  for (let at = stream.lastIndexOf("\n---"); at !== -1; at = stream.lastIndexOf("\n---", at - 1)) {
    const next = stream.charCodeAt(at + 4);
    // `---` alone, or before a space or tab, is a document marker (`---x` is a plain scalar).
    if (Number.isNaN(next) || next === 10 || next === 13 || next === 32 || next === 9) return stream.slice(0, at + 1) + f(stream.slice(at + 1));
  }
  return f(stream);
}
