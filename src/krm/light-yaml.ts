/**
 * A strict reader for the block-style YAML subset kpt writes, giving exactly what the `yaml`
 * package's `toJS()` gives for the same text (YAML 1.2 core schema) — or `undefined` as soon as it
 * meets anything outside the subset (anchors, aliases, tags, complex keys, multi-line plain or
 * quoted scalars, multi-line flow collections, escapes it does not know, duplicate keys, tabs).
 * It lets sidecar-order decide, without building YAML nodes, that an item needs no change; an
 * equivalence property test holds it to the `yaml` package's answers.
 */

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

interface Line {
  indent: number;
  /** The line without its indentation. */
  text: string;
  /** The whole line. */
  raw: string;
}

type Plain = Record<string, unknown>;

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

/** The core schema's reading of a plain scalar. */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Most scalars start with a letter that no null or boolean starts with: a string, no regex needed.
  if (((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) && !"tTfFnN".includes(s[0]!)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (INT.test(s)) return parseInt(s, 10);
  if (OCT.test(s)) return parseInt(s.slice(2), 8);
  if (HEX.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT.test(s)) return parseFloat(s);
  if (INF.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (NAN.test(s)) return NaN;
  return s;
}

/**
 * `column`: read `text` as if every line after the first had that many leading spaces fewer (at
 * most as many as it has), the way an item is cut out of its list; saves making that copy.
 */
export function lightParse(text: string, column = 0): unknown {
  try {
    return new Reader(text, column).document();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    if (e instanceof RangeError) return undefined; // too deep for recursion: let the careful path judge
    throw e;
  }
}

class Reader {
  private readonly lines: Line[];
  private i = 0;

  constructor(text: string, column: number) {
    if (text.includes("\t") || text.includes("\r")) bail();
    const raw = text.split("\n");
    if (raw[raw.length - 1] === "") raw.pop();
    this.lines = raw.map((r, i) => {
      let n = 0;
      while (r.charCodeAt(n) === 32) n++;
      const cut = i === 0 ? 0 : Math.min(n, column);
      return { indent: n - cut, text: r.slice(n), raw: cut ? r.slice(cut) : r };
    });
  }

  document(): unknown {
    const first = this.peek();
    if (!first) return null;
    if (first.indent !== 0) bail();
    const value = this.block(0);
    if (this.peek()) bail();
    return value;
  }

  /** The next line that is not blank and not a comment. */
  private peek(): Line | undefined {
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.text === "" || l.text[0] === "#") this.i++;
      else return l;
    }
    return undefined;
  }

  private block(indent: number): unknown {
    const l = this.peek()!;
    if (l.indent < indent) bail();
    return isSeqEntry(l.text) ? this.seq(l.indent) : this.map(l.indent, l.text);
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let l = this.peek(); l && l.indent === indent && isSeqEntry(l.text); l = this.peek()) {
      const after = l.text.slice(1);
      const spaces = after.length - after.trimStart().length;
      const content = after.trimStart();
      if (content === "" || content[0] === "#") {
        this.i++;
        const next = this.peek();
        out.push(next && next.indent > indent ? this.block(indent + 1) : null);
      } else if (isSeqEntry(content)) {
        bail();
      } else if (keyEnd(content) !== -1) {
        // `- key: value` opens a map at the key's column.
        out.push(this.map(indent + 1 + spaces, content));
      } else {
        this.i++;
        out.push(this.value(content, indent));
      }
    }
    const l = this.peek();
    if (l && l.indent > indent) bail();
    return out;
  }

  /** A block map whose keys sit at `indent`; `firstText` is the first line from the key on (it may follow a `- `). */
  private map(indent: number, firstText: string): Plain {
    const out: Plain = {};
    let text: string | undefined = firstText;
    for (;;) {
      const end = keyEnd(text);
      if (end === -1) bail();
      const key = readKey(text.slice(0, end));
      if (key === "__proto__" || key === "<<" || Object.prototype.hasOwnProperty.call(out, key)) bail();
      const rest = text.slice(end + 1).trimStart();
      this.i++;
      if (rest === "" || rest[0] === "#") {
        const next = this.peek();
        if (next && next.indent > indent) out[key] = this.block(indent + 1);
        else if (next && next.indent === indent && isSeqEntry(next.text)) out[key] = this.seq(indent);
        else out[key] = null;
      } else {
        out[key] = this.value(rest, indent);
      }
      const next = this.peek();
      if (!next || next.indent < indent) break;
      if (next.indent > indent || isSeqEntry(next.text)) bail();
      text = next.text;
    }
    return out;
  }

  /** A value on the same line as its key or dash; block scalars read the lines below. */
  private value(rest: string, indent: number): unknown {
    const c = rest[0];
    if (c === "|" || c === ">") return this.blockScalar(rest, indent);
    if (c === "&" || c === "*" || c === "!" || c === "?" || c === "%" || c === "@" || c === "`" || c === "," || c === "]" || c === "}") bail();
    let value: unknown;
    let tail: string;
    if (c === '"' || c === "'") [value, tail] = quoted(rest, 0);
    else if (c === "[" || c === "{") [value, tail] = flow(rest, 0);
    else {
      const plain = plainEnd(rest);
      const s = rest.slice(0, plain).trimEnd();
      if (s.includes(": ") || s.endsWith(":")) bail();
      if ((c === "-" || c === ":") && (s.length === 1 || s[1] === " ")) bail();
      value = resolvePlain(s);
      tail = rest.slice(plain);
    }
    const t = tail.trimStart();
    if (t !== "" && !(t[0] === "#" && tail !== t)) bail();
    // A value never continues on a more-indented line (that would be a multi-line scalar).
    const next = this.peek();
    if (next && next.indent > indent) bail();
    return value;
  }

  private blockScalar(header: string, indent: number): string {
    const m = /^([|>])([-+]?)(?:\s+#.*)?\s*$/.exec(header);
    if (!m) bail();
    const [, style, chomp] = m as unknown as [string, string, string];
    const body: string[] = [];
    let blockIndent = -1;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.text === "") {
        if (blockIndent !== -1 && l.indent > blockIndent) bail(); // trailing spaces past the indentation are content
        body.push("");
        this.i++;
        continue;
      }
      if (blockIndent === -1) {
        if (l.indent <= indent) break;
        if (body.some((_, k) => this.lines[this.i - body.length + k]!.indent > l.indent)) bail();
        blockIndent = l.indent;
      }
      if (l.indent < blockIndent) {
        if (l.indent > indent) bail();
        break;
      }
      body.push(l.raw.slice(blockIndent));
      this.i++;
    }
    // Lines after the last content line are not this scalar's (the caller skips blanks anyway).
    let trailing = 0;
    while (body.length && body[body.length - 1] === "") {
      body.pop();
      trailing++;
    }
    this.i -= trailing;
    if (chomp === "+") bail(); // keep-chomping depends on blank lines outside this text
    if (body.length === 0) return "";
    let s: string;
    if (style === "|") s = body.join("\n");
    else {
      if (body[0] === "" || body.some((line) => line.startsWith(" "))) bail();
      s = "";
      let blanks = 0;
      for (const line of body) {
        if (line === "") {
          blanks++;
          continue;
        }
        if (s !== "") s += blanks > 0 ? "\n".repeat(blanks) : " ";
        s += line;
        blanks = 0;
      }
    }
    return chomp === "-" ? s : s + "\n";
  }
}

function isSeqEntry(text: string): boolean {
  return text[0] === "-" && (text.length === 1 || text[1] === " ");
}

/** Index of the `:` that ends a block map key in `text`, or -1 when the line is no `key: ...`. */
function keyEnd(text: string): number {
  const c = text[0];
  if (c === '"' || c === "'") {
    const [, tail] = quoted(text, 0);
    const at = text.length - tail.length;
    return text[at] === ":" && (at + 1 === text.length || text[at + 1] === " ") ? at : -1;
  }
  if (c === undefined || "[]{},#&*!|>%@`?".includes(c)) return -1;
  // The first `: ` (or a `:` ending the line), unless a ` #` comment starts before it.
  let at = text.indexOf(": ");
  if (at === -1) at = text.endsWith(":") ? text.length - 1 : -1;
  if (at === -1) return -1;
  const hash = text.indexOf(" #");
  return hash !== -1 && hash < at ? -1 : at;
}

function readKey(raw: string): string {
  const c = raw[0];
  if (c === '"' || c === "'") {
    const [v, tail] = quoted(raw, 0);
    if (tail.trim() !== "") bail();
    return String(v);
  }
  const key = raw.trimEnd();
  if (key === "" || (c === "-" && (key.length === 1 || key[1] === " "))) bail();
  // Keys are strings in kpt's world; a key the core schema would read as a number or bool is not.
  if (resolvePlain(key) !== key) bail();
  return key;
}

/** Where a plain scalar ends on its line: at ` #` or the end. */
function plainEnd(s: string): number {
  const hash = s.indexOf(" #");
  return hash === -1 ? s.length : hash;
}

/** A quoted scalar starting at s[at]; returns the value and what follows it on the line. */
function quoted(s: string, at: number): [string, string] {
  const q = s[at];
  let out = "";
  let k = at + 1;
  for (;;) {
    if (k >= s.length) bail(); // multi-line quoted scalars are not in the subset
    const ch = s[k]!;
    if (q === "'") {
      if (ch === "'") {
        if (s[k + 1] === "'") {
          out += "'";
          k += 2;
          continue;
        }
        return [out, s.slice(k + 1)];
      }
      out += ch;
      k++;
      continue;
    }
    if (ch === '"') return [out, s.slice(k + 1)];
    if (ch === "\\") {
      const e = s[k + 1];
      const simple: Record<string, string> = { "\\": "\\", '"': '"', "/": "/", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        k += 2;
        continue;
      }
      const hex = e === "u" ? 4 : e === "x" ? 2 : 0;
      const digits = s.slice(k + 2, k + 2 + hex);
      if (!hex || !/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) bail();
      const code = parseInt(digits, 16);
      if (code >= 0xd800 && code <= 0xdfff) bail();
      out += String.fromCharCode(code);
      k += 2 + hex;
      continue;
    }
    out += ch;
    k++;
  }
}

/** A one-line flow collection starting at s[at]. */
function flow(s: string, at: number): [unknown, string] {
  const open = s[at];
  const close = open === "[" ? "]" : "}";
  const list: unknown[] = [];
  const map: Plain = {};
  let k = at + 1;
  const skip = () => {
    while (s[k] === " ") k++;
  };
  for (;;) {
    skip();
    if (k >= s.length) bail();
    if (s[k] === close) return [open === "[" ? list : map, s.slice(k + 1)];
    let key: unknown;
    if (open === "{") {
      [key, k] = flowScalar(s, k, true);
      skip();
      if (s[k] !== ":") bail();
      k++;
      if (s[k] !== " " && s[k] !== "," && s[k] !== "}") bail();
      skip();
      if (typeof key !== "string" || key === "__proto__" || Object.prototype.hasOwnProperty.call(map, key)) bail();
      if (s[k] === "," || s[k] === "}") {
        map[key as string] = null;
      } else {
        let v: unknown;
        [v, k] = flowValue(s, k);
        map[key as string] = v;
      }
    } else {
      let v: unknown;
      [v, k] = flowValue(s, k);
      list.push(v);
    }
    skip();
    if (s[k] === ",") k++;
    else if (s[k] !== close) bail();
  }
}

function flowValue(s: string, k: number): [unknown, number] {
  const c = s[k];
  if (c === "[" || c === "{") {
    const [v, tail] = flow(s, k);
    return [v, s.length - tail.length];
  }
  return flowScalar(s, k, false);
}

function flowScalar(s: string, k: number, isKey: boolean): [unknown, number] {
  const c = s[k];
  if (c === '"' || c === "'") {
    const [v, tail] = quoted(s, k);
    return [v, s.length - tail.length];
  }
  if (c === undefined || "[]{},#&*!|>%@`?:".includes(c) || (c === "-" && s[k + 1] === " ")) bail();
  let e = k;
  while (e < s.length && !",[]{}".includes(s[e]!) && !(s[e] === ":" && (s[e + 1] === " " || s[e + 1] === "," || s[e + 1] === "}" || e + 1 === s.length)) && !(s[e] === "#" && s[e - 1] === " ")) {
    if (s[e] === ":") bail(); // `a:b` in flow context reads differently across YAML versions
    e++;
  }
  const text = s.slice(k, e).trimEnd();
  if (text === "") bail();
  const value = isKey ? text : resolvePlain(text);
  if (isKey && resolvePlain(text) !== text) bail();
  return [value, e];
}
