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
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
    // A scalar that starts with a letter can only be a null or a boolean word (at most 5 letters;
    // numbers start with a digit, sign or dot): most are strings, with no regex needed.
    if (s.length > 5 || !"tTfFnN".includes(s[0]!)) return s;
    if (NULL.test(s)) return null;
    if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
    return s;
  }
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

/**
 * Lines as two parallel arrays (text without indentation, and indentation) rather than an object
 * a line: a big list is read item after item, and this is the reader's main allocation.
 */
class Reader {
  private readonly texts: string[] = [];
  private readonly indents: number[] = [];
  private i = 0;

  constructor(text: string, column: number) {
    if (text.includes("\t") || text.includes("\r")) bail();
    for (let pos = 0; pos < text.length; ) {
      let nl = text.indexOf("\n", pos);
      if (nl === -1) nl = text.length;
      let k = pos;
      while (k < nl && text.charCodeAt(k) === 32) k++;
      const n = k - pos;
      this.indents.push(pos === 0 ? n : n - Math.min(n, column));
      this.texts.push(text.slice(k, nl));
      pos = nl + 1;
    }
  }

  document(): unknown {
    const first = this.peek();
    if (first === -1) return null;
    if (this.indents[first] !== 0) bail();
    const value = this.block(0);
    if (this.peek() !== -1) bail();
    return value;
  }

  /** The index of the next line that is not blank and not a comment, or -1. */
  private peek(): number {
    while (this.i < this.texts.length) {
      const t = this.texts[this.i]!;
      if (t === "" || t.charCodeAt(0) === 35 /* # */) this.i++;
      else return this.i;
    }
    return -1;
  }

  private block(indent: number): unknown {
    const at = this.peek();
    const own = this.indents[at]!;
    if (own < indent) bail();
    return isSeqEntry(this.texts[at]!) ? this.seq(own) : this.map(own, this.texts[at]!);
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let at = this.peek(); at !== -1 && this.indents[at] === indent && isSeqEntry(this.texts[at]!); at = this.peek()) {
      const after = this.texts[at]!.slice(1);
      const content = after.trimStart();
      const spaces = after.length - content.length;
      if (content === "" || content[0] === "#") {
        this.i++;
        const next = this.peek();
        out.push(next !== -1 && this.indents[next]! > indent ? this.block(indent + 1) : null);
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
    const at = this.peek();
    if (at !== -1 && this.indents[at]! > indent) bail();
    return out;
  }

  /** A block map whose keys sit at `indent`; `firstText` is the first line from the key on (it may follow a `- `). */
  private map(indent: number, firstText: string): Plain {
    const out: Plain = {};
    let text = firstText;
    for (;;) {
      const end = keyEnd(text);
      if (end === -1) bail();
      const key = readKey(text.slice(0, end));
      if (key === "__proto__" || key === "<<" || Object.prototype.hasOwnProperty.call(out, key)) bail();
      const rest = text.slice(end + 1).trimStart();
      this.i++;
      if (rest === "" || rest[0] === "#") {
        const next = this.peek();
        if (next !== -1 && this.indents[next]! > indent) out[key] = this.block(indent + 1);
        else if (next !== -1 && this.indents[next] === indent && isSeqEntry(this.texts[next]!)) out[key] = this.seq(indent);
        else out[key] = null;
      } else {
        out[key] = this.value(rest, indent);
      }
      const next = this.peek();
      if (next === -1 || this.indents[next]! < indent) break;
      if (this.indents[next]! > indent || isSeqEntry(this.texts[next]!)) bail();
      text = this.texts[next]!;
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
    if (next !== -1 && this.indents[next]! > indent) bail();
    return value;
  }

  private blockScalar(header: string, indent: number): string {
    const m = /^([|>])([-+]?)(?:\s+#.*)?\s*$/.exec(header);
    if (!m) bail();
    const [, style, chomp] = m as unknown as [string, string, string];
    const body: string[] = [];
    let blockIndent = -1;
    while (this.i < this.texts.length) {
      const text = this.texts[this.i]!;
      const own = this.indents[this.i]!;
      if (text === "") {
        if (blockIndent !== -1 && own > blockIndent) bail(); // trailing spaces past the indentation are content
        body.push("");
        this.i++;
        continue;
      }
      if (blockIndent === -1) {
        if (own <= indent) break;
        if (body.some((_, k) => this.indents[this.i - body.length + k]! > own)) bail();
        blockIndent = own;
      }
      if (own < blockIndent) {
        if (own > indent) bail();
        break;
      }
      // The line less the block's indentation: any spaces beyond it are content.
      body.push(" ".repeat(own - blockIndent) + text);
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
