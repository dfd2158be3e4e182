/** Line arithmetic on YAML text, shared by the reader and the printer. */

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

/** Remove up to `column` spaces from every line but the first (which starts at the node itself). */
export function dedent(raw: string, column: number): string {
  if (column === 0) return raw;
  const lines = raw.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    let n = 0;
    while (n < column && line.charCodeAt(n) === 32) n++;
    lines[i] = line.slice(n);
  }
  return lines.join("\n");
}

/** The inverse of dedent for printed text: indent every non-empty line but the first. */
export function indent(printed: string, column: number): string {
  if (column === 0) return printed;
  const pad = " ".repeat(column);
  const lines = printed.split("\n");
  for (let i = 1; i < lines.length; i++) if (lines[i] !== "") lines[i] = pad + lines[i];
  return lines.join("\n");
}

/** What the reader takes off the input and the writer puts back: a byte-order mark and CRLF endings. */
export interface Wrapping {
  bom: boolean;
  crlf: boolean;
}

export function unwrap(input: string): { text: string } & Wrapping {
  let text = input;
  const bom = text.startsWith("\uFEFF");
  if (bom) text = text.slice(1);
  // Only line breaks that are all CRLF are read as LF and written back as CRLF: in a stream that
  // mixes them (files joined by a pipe), each line keeps its own.
  const crlf = text.includes("\r\n") && !/(?:^|[^\r])\n/.test(text);
  if (crlf) text = text.replace(/\r\n/g, "\n");
  return { text, bom, crlf };
}

export function rewrap(out: string, w: Wrapping): string {
  const text = w.crlf ? out.replace(/\n/g, "\r\n") : out;
  return w.bom ? "\uFEFF" + text : text;
}
