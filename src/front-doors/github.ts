/**
 * Results as GitHub Actions workflow commands (`::error file=F,line=L,col=C::message`), pointing at
 * the line and column of the result's field in the file it came from, so the annotation lands on
 * the container or hook in the pull request's diff.
 * @see https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from "yaml";
import type { Result } from "../krm/results";

const COMMAND = { error: "error", warning: "warning", info: "notice" } as const;

/** Where a result points: 1-based line and column. */
export interface Position {
  line: number;
  col: number;
}

/**
 * One workflow command per result. `texts` holds each input file's text by the path results name;
 * a result whose file is not there (stdin, the config) gets no position.
 */
/**
 * GitHub reads `file=` from the repository's root (GITHUB_WORKSPACE): a path relative to a
 * working directory below it (the action's working-directory) is made relative to the root.
 */
function workspacePath(path: string): string {
  const workspace = process.env["GITHUB_WORKSPACE"];
  if (!workspace || path === "-" || path === "stdin") return path;
  const rel = relative(workspace, resolve(path));
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel.split(sep).join("/");
}

export function githubCommands(results: readonly Result[], texts: ReadonlyMap<string, string>): string {
  return results
    .map((r) => {
      const props: string[] = ["title=sidecar-order"];
      const text = r.file ? texts.get(r.file.path) : undefined;
      if (r.file) props.unshift(`file=${escapeProperty(workspacePath(r.file.path))}`);
      if (r.file && text !== undefined) {
        const at = locate(text, r.file.index ?? 0, r.field?.path);
        if (at) props.splice(1, 0, `line=${at.line}`, `col=${at.col}`);
      }
      return `::${COMMAND[r.severity]} ${props.join(",")}::${escapeData(describe(r))}\n`;
    })
    .join("");
}

/** The message and what it is about; the file is in the command's properties. */
function describe(r: Result): string {
  const where: string[] = [];
  if (r.resourceRef) {
    const ns = r.resourceRef.namespace ? `${r.resourceRef.namespace}/` : "";
    where.push(`${r.resourceRef.kind} ${ns}${r.resourceRef.name}`);
  }
  if (r.field) where.push(r.field.path);
  return `${r.message}${where.length ? ` (${where.join(", ")})` : ""}`;
}

// The runner reads `%`, CR and LF escaped in data, and `:` and `,` too in properties.
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `spec.containers[0].name`, `metadata.annotations["a.b/c"]` → keys and indexes. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(\d+)\]|\[(["'])(.*?)\2\]|([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[3] !== undefined) out.push(m[3]);
    else if (m[4] !== undefined) out.push(m[4]);
  }
  return out;
}

/**
 * The position of `fieldPath` in document `index` of `text`: the key of the deepest part of the
 * path that exists (a field the function would add points at its parent), or the document's
 * first line without a path.
 */
export function locate(text: string, index: number, fieldPath: string | undefined): Position | undefined {
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(docs)) return undefined;
  const doc = docs[index];
  const root = doc?.contents as Node | null | undefined;
  if (!root?.range) return undefined;
  let at = root.range[0];
  let node: Node | null | undefined = root;
  const segs = fieldPath ? pathSegments(fieldPath) : [];
  for (let i = 0; i < segs.length && node; i++) {
    const seg = segs[i]!;
    if (typeof seg === "number" && isSeq(node)) {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) break;
      at = item.range[0];
      node = item;
      continue;
    }
    if (!isMap(node)) break;
    // A key with dots in it (an annotation) was split on them: join parts until one matches.
    let pair: Pair | undefined;
    let used = 0;
    for (let j = i; j < segs.length && !pair; j++) {
      const key = segs.slice(i, j + 1).join(".");
      pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : undefined) === key) as Pair | undefined;
      used = j - i;
    }
    if (!pair) break;
    i += used;
    const key = pair.key as Node;
    if (key.range) at = key.range[0];
    node = pair.value as Node | null;
  }
  // (The bundle loads yaml lazily by a fixed list of names; counting lines here needs none.)
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return { line, col: at - before.lastIndexOf("\n") };
}
