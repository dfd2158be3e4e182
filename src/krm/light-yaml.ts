/**
 * A strict reader for the block-style YAML subset kpt writes, giving exactly what the `yaml`
 * package's `toJS()` gives for the same text (YAML 1.2 core schema) — or `undefined` as soon as it
 * meets anything outside the subset (anchors, aliases, tags, complex keys, multi-line plain or
 * quoted scalars, multi-line flow collections, escapes it does not know, duplicate keys, tabs).
 * It lets sidecar-order decide, without building YAML nodes, that an item needs no change; an
 * equivalence property test holds it to the `yaml` package's answers.
 *
 * It reads the text where it stands, by offsets: no copy of a line is made, and in checking mode
 * (an item `lightReadIf` is told is not wanted) no value either. A big list is read item after item, in a fresh process each
 * time; what the reader allocates is most of what the garbage collector then has to do.
 */

class Bail extends Error {}
const BAIL = new Bail();
const bail = (): never => {
  throw BAIL;
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
  // Anything else but a null or a number starts with a digit, a sign, a dot or `~` (or is empty).
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || s === "")) return s;
  if (NULL.test(s)) return null;
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
  if (text.includes("\t") || text.includes("\r")) return undefined;
  return readTrusted(text, column);
}

/** lightParse for text the caller knows holds no tab and no carriage return. */
export function readTrusted(text: string, column = 0): unknown {
  try {
    return new Reader(text, column, true).document();
  } catch (e) {
    return declined(e);
  }
}

/** What the reader learns of a document's top level in checking mode too: its apiVersion and kind. */
export interface Head {
  apiVersion: unknown;
  kind: unknown;
}

/**
 * Whether lightParse would accept the text (same `column` rule; the caller has ruled out tabs and
 * carriage returns), with its top-level apiVersion and kind, and the document's value too when
 * `wanted` says they make it worth it; undefined when it would decline. The question is asked as
 * soon as both are known; when they are the document's first two keys (as kpt writes them) the
 * rest is built in the same pass, otherwise in a second one. Anything not wanted is only checked,
 * building nothing. A document whose apiVersion or kind is not a string is always built.
 */
export function lightReadIf(text: string, column: number, wanted: (apiVersion: string, kind: string) => boolean): { head: Head; data?: unknown } | undefined {
  let r: Reader;
  try {
    r = new Reader(text, column, false);
    r.wanted = wanted;
    const value = r.document();
    const head = { apiVersion: r.apiVersion, kind: r.kind };
    if (r.asked === "built") return { head, data: value };
    if (r.asked === "not wanted") return { head };
  } catch (e) {
    return declined(e);
  }
  const data = readTrusted(text, column);
  return data === undefined ? undefined : { head: { apiVersion: r.apiVersion, kind: r.kind }, data };
}

function declined(e: unknown): undefined {
  if (e instanceof Bail) return undefined;
  if (e instanceof RangeError) return undefined; // too deep for recursion: let the careful path judge
  throw e;
}

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;

const ESCAPES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, { "\\": "\\", '"': '"', "/": "/", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0" });

/**
 * A cursor over the text's lines. `i` is where the next line not yet consumed starts; `peek`
 * finds the next line that is not blank and not a comment and describes it in `cs` (where its
 * content starts), `le` (where it ends, at its newline) and `ind` (its indentation, less the
 * column for lines after the first).
 */
class Reader {
  private i = 0;
  private cs = 0;
  private le = 0;
  private ind = 0;
  /** Whether the line has fewer leading spaces than the column (allowed for blank lines and comments only). */
  private short = false;
  /** The line start `cs`/`le`/`ind` describe, or -1. */
  private at = -1;
  /** Top-level values, read in checking mode too. */
  apiVersion: unknown;
  kind: unknown;
  private depth = 0;
  /** Keys of the maps being read (a stack of `keys` entries), as text offsets; quoted keys also as their value. */
  private readonly keyFrom: number[] = [];
  private readonly keyTo: number[] = [];
  private readonly keyQuoted: (string | undefined)[] = [];
  private keys = 0;
  private colonFrom = -1;
  private colonAt = -1;
  private hashFrom = -1;
  private hashAt = -1;
  private backslashFrom = -1;
  private backslashAt = -1;

  /** lightReadIf's question, and what came of it: built in this pass, not wanted, or to build in a second pass. */
  wanted: ((apiVersion: string, kind: string) => boolean) | undefined;
  asked: "built" | "not wanted" | "later" | undefined;

  constructor(
    private readonly s: string,
    private readonly column: number,
    private build: boolean,
  ) {}

  document(): unknown {
    if (!this.peek()) return null;
    if (this.ind !== 0) bail();
    const value = this.block(0);
    if (this.peek()) bail();
    return value;
  }

  /** Describe the line starting at `ls`. */
  private describe(ls: number): void {
    const s = this.s;
    let k = ls;
    while (s.charCodeAt(k) === SPACE) k++;
    let le = s.indexOf("\n", k);
    if (le === -1) le = s.length;
    const n = k - ls;
    this.at = ls;
    this.cs = k;
    this.le = le;
    this.ind = ls === 0 ? n : n > this.column ? n - this.column : 0;
    this.short = ls !== 0 && n < this.column;
  }

  /** Move to the next line that is not blank and not a comment; false at the end. */
  private peek(): boolean {
    const s = this.s;
    while (this.i < s.length) {
      if (this.at !== this.i) this.describe(this.i);
      if (this.cs === this.le || s.charCodeAt(this.cs) === HASH) {
        this.i = this.le + 1;
        continue;
      }
      // Less indented than the item: it is not where a reader of the whole list would put it.
      if (this.short) bail();
      return true;
    }
    return false;
  }

  /** Consume the line `peek` found. */
  private next(): void {
    this.i = this.le + 1;
  }

  private isSeqEntry(at: number): boolean {
    return this.s.charCodeAt(at) === DASH && (at + 1 === this.le || this.s.charCodeAt(at + 1) === SPACE);
  }

  private block(indent: number): unknown {
    // The caller has peeked a line.
    if (this.ind < indent) bail();
    if (++this.depth > 500) throw new RangeError("too deep");
    const v = this.isSeqEntry(this.cs) ? this.seq(this.ind) : this.map(this.ind, this.cs);
    this.depth--;
    return v;
  }

  private seq(indent: number): unknown[] | undefined {
    const s = this.s;
    const out: unknown[] | undefined = this.build ? [] : undefined;
    while (this.peek() && this.ind === indent && this.isSeqEntry(this.cs)) {
      let content = this.cs + 1;
      while (s.charCodeAt(content) === SPACE) content++;
      const spaces = content - this.cs - 1;
      let v: unknown;
      if (content >= this.le || s.charCodeAt(content) === HASH) {
        this.next();
        v = this.peek() && this.ind > indent ? this.block(indent + 1) : null;
      } else if (this.isSeqEntry(content)) {
        bail();
      } else if (this.keyEnd(content) !== -1) {
        // `- key: value` opens a map at the key's column.
        v = this.map(indent + 1 + spaces, content);
      } else {
        const le = this.le;
        this.next();
        v = this.value(content, le, indent, false);
      }
      out?.push(v);
    }
    if (this.peek() && this.ind > indent) bail();
    return out;
  }

  /** A block map whose keys sit at `indent`; its first key starts at `from` (maybe after a `- `). */
  private map(indent: number, from: number): Plain | undefined {
    const s = this.s;
    let out: Plain | undefined = this.build ? {} : undefined;
    const top = this.depth === 1 && indent === 0;
    /** The top map's keys read so far, while lightReadIf's question is open. */
    let firstKeys: string[] | undefined = top && this.wanted ? [] : undefined;
    const base = this.keys;
    let keySet: Set<string> | undefined;
    let start = from;
    for (;;) {
      const le = this.le;
      const colon = this.keyEnd(start);
      if (colon === -1) bail();
      // The key: its text [start, to), or its value when quoted.
      let to = colon;
      let quotedKey: string | undefined;
      const c = s.charCodeAt(start);
      if (c === DQUOTE || c === SQUOTE) {
        to = this.quoted(start, colon);
        for (let k = to; k < colon; k++) if (s.charCodeAt(k) !== SPACE) bail();
        quotedKey = this.quotedValue(start, to);
        if (quotedKey === "__proto__" || quotedKey === "<<") bail();
      } else {
        while (to > start && s.charCodeAt(to - 1) === SPACE) to--;
        if (to === start || (c === DASH && (to === start + 1 || s.charCodeAt(start + 1) === SPACE))) bail();
        if ((to - start === 9 && s.startsWith("__proto__", start)) || (to - start === 2 && s.startsWith("<<", start))) bail();
        // Keys are strings in kpt's world; a key the core schema would read as a number or bool is not.
        if (mayResolve(s, start, to)) {
          const key = s.slice(start, to);
          if (resolvePlain(key) !== key) bail();
        }
      }
      // Duplicates, found by comparing text (no key is made for that); a big map keeps a set.
      if (keySet === undefined && this.keys - base < 32) {
        for (let j = base; j < this.keys; j++) if (this.sameKey(j, start, to, quotedKey)) bail();
        const j = this.keys++;
        this.keyFrom[j] = start;
        this.keyTo[j] = to;
        this.keyQuoted[j] = quotedKey;
      } else {
        if (keySet === undefined) {
          keySet = new Set();
          for (let j = base; j < this.keys; j++) keySet.add(this.keyQuoted[j] ?? s.slice(this.keyFrom[j]!, this.keyTo[j]!));
        }
        const key = quotedKey ?? s.slice(start, to);
        if (keySet.has(key)) bail();
        keySet.add(key);
      }
      let rest = colon + 1;
      while (s.charCodeAt(rest) === SPACE) rest++;
      this.next();
      let v: unknown;
      if (rest >= le || s.charCodeAt(rest) === HASH) {
        if (this.peek() && this.ind > indent) v = this.block(indent + 1);
        else if (this.peek() && this.ind === indent && this.isSeqEntry(this.cs)) v = this.seq(indent);
        else v = null;
      } else if (top && (quotedKey !== undefined ? quotedKey === "apiVersion" : to - start === 10 && s.startsWith("apiVersion", start))) {
        v = this.apiVersion = this.value(rest, le, indent, true);
      } else if (top && (quotedKey !== undefined ? quotedKey === "kind" : to - start === 4 && s.startsWith("kind", start))) {
        v = this.kind = this.value(rest, le, indent, true);
      } else {
        v = this.value(rest, le, indent, false);
      }
      if (out) out[quotedKey ?? s.slice(start, to)] = v;
      if (firstKeys) {
        firstKeys.push(quotedKey ?? s.slice(start, to));
        if (typeof this.apiVersion === "string" && typeof this.kind === "string") {
          if (!this.wanted!(this.apiVersion, this.kind)) this.asked = "not wanted";
          else if (firstKeys.length === 2) {
            // Only apiVersion and kind so far: build from here on, starting with them.
            this.asked = "built";
            this.build = true;
            out = {};
            for (const k of firstKeys) out[k] = k === "kind" ? this.kind : this.apiVersion;
          } else this.asked = "later";
          firstKeys = undefined;
        }
      }
      if (!this.peek() || this.ind < indent) break;
      if (this.ind > indent || this.isSeqEntry(this.cs)) bail();
      start = this.cs;
    }
    this.keys = base;
    return out;
  }

  /** Whether key `j` of the stack is the key at [from, to) (or the quoted key `quoted`). */
  private sameKey(j: number, from: number, to: number, quoted: string | undefined): boolean {
    const s = this.s;
    const other = this.keyQuoted[j];
    const a = this.keyFrom[j]!;
    const b = this.keyTo[j]!;
    if (other !== undefined || quoted !== undefined) return (other ?? s.slice(a, b)) === (quoted ?? s.slice(from, to));
    const n = to - from;
    if (b - a !== n || s.charCodeAt(b - 1) !== s.charCodeAt(to - 1)) return false;
    for (let k = 0; k < n; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(from + k)) return false;
    return true;
  }

  /** The first `ch` at or after `at` (the text's length when none): each of `:`, `#` and `\\` has a cursor, so a search never scans the same text twice. */
  private colonAfter(at: number): number {
    if (at < this.colonFrom || at > this.colonAt) {
      this.colonFrom = at;
      const k = this.s.indexOf(":", at);
      this.colonAt = k === -1 ? this.s.length : k;
    }
    return this.colonAt;
  }

  private hashAfter(at: number): number {
    if (at < this.hashFrom || at > this.hashAt) {
      this.hashFrom = at;
      const k = this.s.indexOf("#", at);
      this.hashAt = k === -1 ? this.s.length : k;
    }
    return this.hashAt;
  }

  private backslashAfter(at: number): number {
    if (at < this.backslashFrom || at > this.backslashAt) {
      this.backslashFrom = at;
      const k = this.s.indexOf("\\", at);
      this.backslashAt = k === -1 ? this.s.length : k;
    }
    return this.backslashAt;
  }

  /** Where a ` #` comment starts in [from, to) (at its `#`), or -1. */
  private commentIn(from: number, to: number): number {
    for (let h = this.hashAfter(from); h < to; h = this.hashAfter(h + 1)) if (h > from && this.s.charCodeAt(h - 1) === SPACE) return h;
    return -1;
  }

  /**
   * A value on the same line as its key or dash, from `at` to the line's end `le` (the line is
   * consumed); block scalars read the lines below. Checking mode builds no value unless `want`.
   */
  private value(at: number, le: number, indent: number, want: boolean): unknown {
    const s = this.s;
    const build = this.build || want;
    const c = s.charCodeAt(at);
    if (c === 124 /* | */ || c === 62 /* > */) return this.blockScalar(at, le, indent, build);
    // & * ! ? % @ ` , ] }
    if (c === 38 || c === 42 || c === 33 || c === 63 || c === 37 || c === 64 || c === 96 || c === 44 || c === 93 || c === 125) bail();
    let value: unknown;
    let tail: number;
    if (c === DQUOTE || c === SQUOTE) {
      tail = this.quoted(at, le);
      if (build) value = this.quotedValue(at, tail);
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      tail = this.flow(at, le);
      if (build) value = this.flowValue(at, tail);
    } else {
      // It ends at ` #` or the line's end; a `: ` in it or a final `:` would make it a key.
      const hash = this.commentIn(at + 1, le);
      let end = hash === -1 ? le : hash - 1;
      tail = end;
      while (end > at && s.charCodeAt(end - 1) === SPACE) end--;
      for (let k = this.colonAfter(at + 1); k < end; k = this.colonAfter(k + 1)) if (s.charCodeAt(k + 1) === SPACE) bail();
      if (s.charCodeAt(end - 1) === COLON) bail();
      if ((c === DASH || c === COLON) && (end === at + 1 || s.charCodeAt(at + 1) === SPACE)) bail();
      if (build) value = resolvePlain(s.slice(at, end));
    }
    // After the value: only spaces, then perhaps a comment set off by a space.
    let t = tail;
    while (s.charCodeAt(t) === SPACE) t++;
    if (t < le && !(s.charCodeAt(t) === HASH && t > tail)) bail();
    // A value never continues on a more-indented line (that would be a multi-line scalar).
    if (this.peek() && this.ind > indent) bail();
    return value;
  }

  private blockScalar(at: number, le: number, indent: number, build: boolean): string | undefined {
    const s = this.s;
    const style = s.charCodeAt(at);
    let h = at + 1;
    const chomp = s.charCodeAt(h) === DASH ? "-" : s.charCodeAt(h) === 43 /* + */ ? "+" : "";
    if (chomp) h++;
    // Then only spaces, or spaces and a comment.
    const afterHeader = h;
    while (s.charCodeAt(h) === SPACE) h++;
    if (h < le && !(s.charCodeAt(h) === HASH && h > afterHeader)) bail();
    if (chomp === "+") bail(); // keep-chomping depends on blank lines outside this text
    // The body: every line from here on, blank ones included, until one indented at most `indent`.
    const body: string[] | undefined = build ? [] : undefined;
    let lines = 0;
    let blockIndent = -1;
    let maxBlankIndent = -1; // of blank lines before the first content line
    let firstBlank = false;
    let indentedLine = false;
    let lastContentEnd = -1; // where the line after the last content line starts
    let pos = this.i;
    while (pos < s.length) {
      this.describe(pos);
      const own = this.ind;
      if (this.cs === this.le) {
        if (blockIndent !== -1 && own > blockIndent) bail(); // trailing spaces past the indentation are content
        if (blockIndent === -1) {
          if (own > maxBlankIndent) maxBlankIndent = own;
          if (lines === 0) firstBlank = true;
        }
        body?.push("");
        lines++;
        pos = this.le + 1;
        continue;
      }
      if (this.short && s.charCodeAt(this.cs) !== HASH) bail();
      if (blockIndent === -1) {
        if (own <= indent) break;
        if (maxBlankIndent > own) bail();
        blockIndent = own;
      }
      if (own < blockIndent) {
        if (own > indent) bail();
        break;
      }
      // The line less the block's indentation: any spaces beyond it are content.
      if (own > blockIndent) indentedLine = true;
      body?.push(s.slice(this.cs - (own - blockIndent), this.le));
      lines++;
      pos = this.le + 1;
      lastContentEnd = pos;
    }
    // Lines after the last content line are not this scalar's (the caller skips blanks anyway).
    this.i = lastContentEnd === -1 ? this.i : lastContentEnd;
    this.at = -1;
    if (lastContentEnd === -1) return build ? "" : undefined;
    if (style === 62 && (firstBlank || indentedLine)) bail();
    if (!body) return undefined;
    while (body.length && body[body.length - 1] === "") body.pop();
    let out: string;
    if (style === 124) out = body.join("\n");
    else {
      out = "";
      let blanks = 0;
      for (const line of body) {
        if (line === "") {
          blanks++;
          continue;
        }
        if (out !== "") out += blanks > 0 ? "\n".repeat(blanks) : " ";
        out += line;
        blanks = 0;
      }
    }
    return chomp === "-" ? out : out + "\n";
  }

  /** Index of the `:` that ends a block map key on the line from `at`, or -1 when it is no `key: ...`. */
  private keyEnd(at: number): number {
    const s = this.s;
    const le = this.le;
    const c = s.charCodeAt(at);
    if (c === DQUOTE || c === SQUOTE) {
      const end = this.quoted(at, le);
      return s.charCodeAt(end) === COLON && (end + 1 === le || s.charCodeAt(end + 1) === SPACE) ? end : -1;
    }
    // [ ] { } , # & * ! | > % @ ` ?
    if (at >= le || c === 91 || c === 93 || c === 123 || c === 125 || c === 44 || c === HASH || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 63) return -1;
    // The first `: ` (or a `:` ending the line), unless a ` #` comment starts before it.
    for (let k = this.colonAfter(at); k < le; k = this.colonAfter(k + 1)) {
      if (this.commentIn(at, k) !== -1) return -1;
      if (k + 1 === le || s.charCodeAt(k + 1) === SPACE) return k;
    }
    return -1;
  }

  /** A quoted scalar starting at `at`, on one line (before `le`): where it ends (past its closing quote). */
  private quoted(at: number, le: number): number {
    const s = this.s;
    if (s.charCodeAt(at) === SQUOTE) {
      for (let k = at + 1; ; ) {
        const q = s.indexOf("'", k);
        if (q === -1 || q >= le) bail(); // multi-line quoted scalars are not in the subset
        if (q + 1 < le && s.charCodeAt(q + 1) === SQUOTE) k = q + 2;
        else return q + 1;
      }
    }
    for (let k = at + 1; ; ) {
      const q = s.indexOf('"', k);
      if (q === -1 || q >= le) bail();
      const b = this.backslashAfter(k);
      if (b > q) return q + 1;
      const e = s[b + 1];
      if (b + 1 < le && e !== undefined && e in ESCAPES) {
        k = b + 2;
        continue;
      }
      const hex = e === "u" ? 4 : e === "x" ? 2 : 0;
      if (!hex || b + 2 + hex > le) bail();
      let code = 0;
      for (let d = b + 2; d < b + 2 + hex; d++) {
        const v = hexDigit(s.charCodeAt(d));
        if (v === -1) bail();
        code = code * 16 + v;
      }
      if (code >= 0xd800 && code <= 0xdfff) bail();
      k = b + 2 + hex;
    }
  }

  /** The value of a quoted scalar `quoted` vouched for, from `at` to `end` (past the closing quote). */
  private quotedValue(at: number, end: number): string {
    const s = this.s;
    const inner = s.slice(at + 1, end - 1);
    if (s.charCodeAt(at) === SQUOTE) return inner.includes("''") ? inner.replace(/''/g, "'") : inner;
    if (!inner.includes("\\")) return inner;
    let out = "";
    let k = 0;
    for (;;) {
      const b = inner.indexOf("\\", k);
      if (b === -1) return out + inner.slice(k);
      out += inner.slice(k, b);
      const e = inner[b + 1]!;
      if (e in ESCAPES) {
        out += ESCAPES[e];
        k = b + 2;
      } else {
        const hex = e === "u" ? 4 : 2;
        out += String.fromCharCode(parseInt(inner.slice(b + 2, b + 2 + hex), 16));
        k = b + 2 + hex;
      }
    }
  }

  /** A one-line flow collection starting at `at`: where it ends (past its closing bracket). */
  private flow(at: number, le: number): number {
    const s = this.s;
    const open = s.charCodeAt(at);
    const close = open === 91 ? 93 : 125;
    let keys: string[] | undefined;
    let k = at + 1;
    for (;;) {
      while (s.charCodeAt(k) === SPACE) k++;
      if (k >= le) bail();
      if (s.charCodeAt(k) === close) return k + 1;
      if (open === 123) {
        const keyStart = k;
        k = this.flowScalar(k, le, true);
        const key = this.flowKey(keyStart, k);
        while (s.charCodeAt(k) === SPACE) k++;
        if (s.charCodeAt(k) !== COLON) bail();
        k++;
        const after = s.charCodeAt(k);
        if (after !== SPACE && after !== 44 && after !== 125) bail();
        while (s.charCodeAt(k) === SPACE) k++;
        if (key === "__proto__") bail();
        if (keys === undefined) keys = [key];
        else if (keys.includes(key)) bail();
        else keys.push(key);
        const c = s.charCodeAt(k);
        if (c !== 44 && c !== 125) k = this.flowItem(k, le);
      } else {
        k = this.flowItem(k, le);
      }
      while (s.charCodeAt(k) === SPACE) k++;
      if (s.charCodeAt(k) === 44) k++;
      else if (s.charCodeAt(k) !== close) bail();
    }
  }

  /** The value of a flow collection `flow` vouched for. */
  private flowValue(at: number, end: number): unknown {
    const s = this.s;
    const open = s.charCodeAt(at);
    const close = open === 91 ? 93 : 125;
    const list: unknown[] = [];
    const map: Plain = {};
    let k = at + 1;
    for (;;) {
      while (s.charCodeAt(k) === SPACE) k++;
      if (s.charCodeAt(k) === close) return open === 91 ? list : map;
      if (open === 123) {
        const keyStart = k;
        k = this.flowScalar(k, end, true);
        const key = this.flowKey(keyStart, k);
        while (s.charCodeAt(k) === SPACE) k++;
        k++; // the colon
        while (s.charCodeAt(k) === SPACE) k++;
        const c = s.charCodeAt(k);
        if (c === 44 || c === 125) map[key] = null;
        else {
          const e = this.flowItem(k, end);
          map[key] = this.flowItemValue(k, e);
          k = e;
        }
      } else {
        const e = this.flowItem(k, end);
        list.push(this.flowItemValue(k, e));
        k = e;
      }
      while (s.charCodeAt(k) === SPACE) k++;
      if (s.charCodeAt(k) === 44) k++;
    }
  }

  private flowItem(k: number, le: number): number {
    const c = this.s.charCodeAt(k);
    return c === 91 || c === 123 ? this.flow(k, le) : this.flowScalar(k, le, false);
  }

  private flowItemValue(k: number, end: number): unknown {
    const s = this.s;
    const c = s.charCodeAt(k);
    if (c === 91 || c === 123) return this.flowValue(k, end);
    if (c === DQUOTE || c === SQUOTE) return this.quotedValue(k, end);
    return resolvePlain(trimmedSlice(s, k, end));
  }

  private flowKey(at: number, end: number): string {
    const c = this.s.charCodeAt(at);
    return c === DQUOTE || c === SQUOTE ? this.quotedValue(at, end) : trimmedSlice(this.s, at, end);
  }

  /** A scalar in a flow collection from `k`: where it ends (quoted: past the quote; plain: at what ends it). */
  private flowScalar(k: number, le: number, isKey: boolean): number {
    const s = this.s;
    const c = s.charCodeAt(k);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(k, le); // a quoted key is a string
    // [ ] { } , # & * ! | > % @ ` ? :
    if (k >= le || c === 91 || c === 93 || c === 123 || c === 125 || c === 44 || c === HASH || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 63 || c === COLON) bail();
    if (c === DASH) {
      // `-` starts a plain scalar only before a character that may stand in one.
      const n = k + 1 < le ? s.charCodeAt(k + 1) : -1;
      if (n === SPACE || n === 44 || n === 91 || n === 93 || n === 123 || n === 125 || n === -1) bail();
    }
    let e = k;
    for (; e < le; e++) {
      const ch = s.charCodeAt(e);
      if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
      if (ch === COLON) {
        const n = e + 1 < le ? s.charCodeAt(e + 1) : -1;
        if (n === SPACE || n === 44 || n === 125 || n === -1) break;
        bail(); // `a:b` in flow context reads differently across YAML versions
      }
      if (ch === HASH && s.charCodeAt(e - 1) === SPACE) break;
    }
    let t = e;
    while (t > k && s.charCodeAt(t - 1) === SPACE) t--;
    if (t === k) bail();
    if (isKey) {
      const text = s.slice(k, t);
      if (resolvePlain(text) !== text) bail();
    }
    return e;
  }
}

/** Whether a plain key could read as something else than a string (null, bool, number): it starts like one. */
function mayResolve(s: string, from: number, to: number): boolean {
  const c = s.charCodeAt(from);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return to - from <= 5 && (c === 116 || c === 84 || c === 102 || c === 70 || c === 110 || c === 78);
  return (c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46 || c === 126;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function trimmedSlice(s: string, at: number, end: number): string {
  let e = end;
  while (e > at && s.charCodeAt(e - 1) === SPACE) e--;
  return s.slice(at, e);
}
