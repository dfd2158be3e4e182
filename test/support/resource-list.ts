/** Helpers for table tests whose rows are whole YAML documents in and out. */
import { expect } from "vitest";
import { readResourceList, writeResourceList } from "../../src/krm/resource-list";
import { runResourceList, type RunOutput } from "../../src/run";
import type { Result } from "../../src/krm/results";

/** An item as kpt sends it: `- ` then the object indented by two. */
export function asItem(doc: string): string {
  const lines = doc.replace(/\n$/, "").split("\n");
  return lines.map((l, i) => (i === 0 ? `- ${l}` : l === "" ? "" : `  ${l}`)).join("\n") + "\n";
}

/** Untouched neighbours around the item under test, with comments and odd quoting. */
export const NEIGHBOUR_BEFORE = `- # a neighbour that must come out byte for byte
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: before   # odd spacing
    annotations: {config.kubernetes.io/path: 'before.yaml'}
  data:
    "quoted": 'single'
    plain: yes
`;
export const NEIGHBOUR_AFTER = `# a comment between items
- apiVersion: v1
  kind: Service
  metadata:
    name: after
  spec:
    ports: [{port: 80}]
`;

export function resourceList(itemDocs: string[], functionConfig?: string, neighbours = true): string {
  let text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n";
  if (neighbours) text += NEIGHBOUR_BEFORE;
  for (const d of itemDocs) text += asItem(d);
  if (neighbours) text += NEIGHBOUR_AFTER;
  if (functionConfig) text += "functionConfig:\n" + functionConfig.replace(/\n$/, "").split("\n").map((l) => (l ? `  ${l}` : l)).join("\n") + "\n";
  return text;
}

export function typedConfig(body: string): string {
  return `apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: test\n${body}`;
}

/**
 * Run, then check the wire promises: every byte outside the changed items is as it came in,
 * and a second run on the output changes nothing.
 */
export function runChecked(input: string): RunOutput & { bodies: string[] } {
  const out = runResourceList(input);
  const before = readResourceList(input);
  const after = readResourceList(out.text);
  expect(after.items.length, "no item lost or added").toBe(before.items.length);
  const changed = new Map<number, string>();
  after.items.forEach((item, i) => {
    if (item.body !== before.items[i]!.body) changed.set(i, out.text.slice(item.bodyStart, item.end));
  });
  expect(writeResourceList(before, changed, out.results), "only the changed items differ, byte for byte").toBe(out.text);
  const again = runResourceList(out.text);
  const againItems = readResourceList(again.text).items.map((i) => i.body);
  expect(againItems, "idempotent: a second run changes nothing").toEqual(after.items.map((i) => i.body));
  return { ...out, bodies: after.items.map((i) => i.body) };
}

export function messages(results: Result[], severity?: Result["severity"]): string[] {
  return results.filter((r) => !severity || r.severity === severity).map((r) => r.message);
}
