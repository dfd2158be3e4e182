/**
 * A JSON ResourceList as block-style YAML, in one pass over the text with no tree: kpt keeps the
 * node style a function prints, so JSON input is written back as block YAML, and building a yaml
 * Document for a 30 MB JSON list took gigabytes. Key order is kept (JSON.parse would move keys
 * such as "10" first). Scalars are printed so that YAML 1.1 and 1.2 readers both read them back
 * as they were: a string only stays plain when neither could take it for anything else.
 */
import { scalarText } from "./print";

/** Deeper than any Kubernetes object: refused as the yaml parser's stack overflow is (a RangeError). */
export const MAX_DEPTH = 1000;

interface Frame {
  kind: "map" | "seq";
  /** Indentation of this collection's entries. */
  pad: string;
  count: number;
}

/**
 * Block YAML for `text` when it is one JSON object, else undefined (then it is YAML flow style,
 * or not valid at all: the careful path says which). Throws a RangeError when it nests too deeply.
 */
export function jsonToBlockYaml(text: string): string | undefined {
  let i = 0;
  const n = text.length;
  const out: string[] = [];
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const str = (): string | undefined => {
    // i is at the opening quote
    const start = i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c === 34) break;
      if (c < 32) return undefined;
      i++;
    }
    if (i >= n) return undefined;
    i++;
    const raw = text.slice(start + 1, i - 1);
    if (!escaped) return raw;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return undefined;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
  /** A scalar's text, or undefined when the next value is a collection or not JSON. */
  const scalar = (): string | undefined => {
    const c = text[i];
    if (c === '"') {
      const s = str();
      return s === undefined ? undefined : scalarText(s);
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return word;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };

  ws();
  if (text[i] !== "{") return undefined;
  const stack: Frame[] = [];
  // Whether the next entry shares the line of a "- " already written (a collection in a list).
  let inline = false;
  const open = (kind: "map" | "seq") => {
    if (stack.length >= MAX_DEPTH) throw new RangeError("nests too deeply");
    const parent = stack[stack.length - 1];
    // Entries of a map under a key are indented; a list under a key is not (kpt's compact lists).
    let pad = "";
    if (parent) pad = parent.kind === "seq" || kind === "map" ? `${parent.pad}  ` : parent.pad;
    stack.push({ kind, pad, count: 0 });
    i++;
  };
  const root = () => stack.length === 0;
  for (;;) {
    ws();
    const frame = stack[stack.length - 1];
    if (frame) {
      const close = frame.kind === "map" ? "}" : "]";
      if (text[i] === close) {
        i++;
        stack.pop();
        if (frame.count === 0) out.push("{}\n"); // only the root can be empty here
        if (root()) break;
        continue;
      }
      if (frame.count > 0) {
        if (text[i] !== ",") return undefined;
        i++;
        ws();
      }
      frame.count++;
      let prefix: string;
      const first = frame.count === 1 && inline;
      inline = false;
      if (frame.kind === "map") {
        if (text[i] !== '"') return undefined;
        const key = str();
        if (key === undefined) return undefined;
        ws();
        if (text[i] !== ":") return undefined;
        i++;
        ws();
        // The first entry of a map in a list shares the line of its "- ".
        prefix = `${first ? " " : frame.pad}${scalarText(key)}:`;
      } else {
        prefix = `${first ? " " : frame.pad}-`;
      }
      // A collection value starts on the next line, unless it is empty or a list item's map.
      const c = text[i];
      if (c === "{" || c === "[") {
        const empty = /^[{[]\s*[}\]]/.exec(text.slice(i, i + 64));
        if (empty) {
          i += empty[0].length;
          out.push(`${prefix} ${c === "{" ? "{}" : "[]"}\n`);
          continue;
        }
        inline = frame.kind === "seq";
        out.push(inline ? prefix : `${prefix}\n`);
        open(c === "{" ? "map" : "seq");
        continue;
      }
      const t = scalar();
      if (t === undefined) return undefined;
      out.push(`${prefix} ${t}\n`);
      continue;
    }
    // The root object.
    open("map");
  }
  ws();
  if (i !== n) return undefined;
  return out.join("");
}
