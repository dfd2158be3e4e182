import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Document } from "yaml";
import { keepKeyLineComments, parseItem, printItem, printResults } from "../../src/krm/print";
import type { ItemSource } from "../../src/krm/resource-list";
import type { Result } from "../../src/krm/results";

const samples: Result[] = [
  { message: "plain message", severity: "info" },
  { message: 'quotes \' and " and: colon # hash', severity: "warning", resourceRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" } },
  {
    message: "true",
    severity: "error",
    field: { path: "spec.template.spec.containers[0].lifecycle", currentValue: ["a", "b"], proposedValue: { postStart: { exec: { command: ["/w", "--x=1"] } } } },
    file: { path: "dir/a b.yaml", index: 0 },
    tags: { k: "123", e: "" },
  },
  { message: "multi\nline", severity: "info", field: { path: "x", proposedValue: [] } },
  { message: "- starts with a dash", severity: "info", field: { path: "y", proposedValue: 12 } },
  { message: ".5", severity: "info", field: { path: ".inf", proposedValue: "1.30" }, tags: { a: "yes", b: "null", c: "0x1F" } },
];

/** The yaml package's printer, as the oracle. */
const viaYaml = (r: Result[]) => new Document(r, { aliasDuplicateObjects: false }).toString({ indentSeq: false, lineWidth: 0 });

describe("printResults", () => {
  it("writes the same data as the yaml printer, in block style", () => {
    const fast = printResults(samples);
    expect(parse(fast)).toEqual(parse(viaYaml(samples)));
    expect(parse(fast)).toEqual(JSON.parse(JSON.stringify(samples)));
    expect(fast).not.toMatch(/^\s*[{[]/m);
  });
});

describe("printItem", () => {
  const item = (body: string): ItemSource => ({ index: 0, start: 0, bodyStart: 0, end: body.length, column: 0, body });
  it("keeps a key-line comment on the key's line, and a comment on a line of its own on its line", () => {
    const body = "spec:\n  ports: # http\n  # the main one\n  - 80\n  labels: &x#y\n    # own line\n    app: web\n";
    const doc = parseItem(item(body))!;
    keepKeyLineComments(doc, body);
    const printed = printItem(doc, item(body));
    expect(printed.startsWith("spec:\n  ports: # http\n  # the main one\n  - 80\n")).toBe(true);
    // The `#` inside the anchor name starts no comment: "# own line" stays on a line of its own.
    expect(printed).toMatch(/\n {4}# own line\n/);
    expect(printed).not.toContain("labels: # own line");
  });
});
