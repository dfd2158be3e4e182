/** Results written after a stream as YAML comments (Argo CD, --format comments). */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { blockEndJoinable, withCommentLines } from "../../src/krm/stream";

const values = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as unknown);

describe("withCommentLines", () => {
  it.each([
    ["ends with a line break", "a: 1\n---\nb: 2\n"],
    ["ends in a plain scalar", "a: 1\n---\nb: 2"],
    ["ends in a literal block scalar, strip-chomped by the end of the file", "a: 1\n---\nb: |\n  x"],
    ["ends in a folded block scalar", "a: |\n  y\n---\nb: >\n  x"],
    ["a document marker with a comment", "a: 1\n--- # two\nb: |\n  x"],
    ["a plain scalar that starts with ---", "a: |\n  x\n---x: |\n  y"],
    ["one document", "b: |\n  x"],
  ])("keeps what the stream reads as when it %s", (_, stream) => {
    const out = withCommentLines(stream, ["[info] one", "[warning] two"]);
    expect(out.endsWith("# sidecar-order: [info] one\n# sidecar-order: [warning] two\n")).toBe(true);
    // The comments change no document: blockEndJoinable's reading (Go's, for a block scalar at the
    // end of a file), and the last document read alone gives what reading the whole stream gives.
    expect(values(out)).toEqual(values(blockEndJoinable(stream)));
    expect(out).toBe(`${blockEndJoinable(stream)}${blockEndJoinable(stream).endsWith("\n") ? "" : "\n"}# sidecar-order: [info] one\n# sidecar-order: [warning] two\n`);
  });

  it("writes the comments in a CRLF stream's line breaks", () => {
    expect(withCommentLines("a: 1\r\nb: 2", ["[info] x"])).toBe("a: 1\r\nb: 2\r\n# sidecar-order: [info] x\r\n");
    expect(withCommentLines("a: 1\r\n", ["[info] x"])).toBe("a: 1\r\n# sidecar-order: [info] x\r\n");
  });

  it("replaces the comment lines an earlier run left at the end (run on its own output, the stream stays the same)", () => {
    const once = withCommentLines("a: 1\n# mine\n", ["[warning] w"]);
    expect(withCommentLines(once, ["[warning] w"])).toBe(once);
    expect(withCommentLines(once, [])).toBe("a: 1\n# mine\n");
    expect(withCommentLines(withCommentLines("a: 1\r\n", ["[info] x", "[info] y"]), ["[info] z"])).toBe("a: 1\r\n# sidecar-order: [info] z\r\n");
    // Only the lines that end the stream, whole: one inside it, or one the user wrote differently, stays.
    const inside = "# sidecar-order: [info] old\na: 1\n#sidecar-order: mine\n";
    expect(withCommentLines(inside, ["[info] x"])).toBe(`${inside}# sidecar-order: [info] x\n`);
  });

  it("writes nothing for no results, and only the comments for an empty stream", () => {
    expect(withCommentLines("a: 1", [])).toBe("a: 1");
    expect(withCommentLines("", ["[info] x"])).toBe("# sidecar-order: [info] x\n");
  });
});
