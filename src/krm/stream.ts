/**
 * A plain multi-document YAML stream (a file, kustomize's legacy plugin stdin) split into items
 * and put back together by splicing, like a ResourceList: untouched documents, document markers
 * and comments between documents come out byte for byte.
 */
import { isMap, isScalar, parseAllDocuments, type Document } from "yaml";
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
