import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Document } from "yaml";
import { keepKeyLineComments, parseItem, printItem, printResults } from "../../src/krm/print";
import { readResourceList, type ItemSource } from "../../src/krm/resource-list";
import { runResourceList } from "../../src/run";
import type { Result } from "../../src/krm/results";
import { resourceList, runChecked, typedConfig } from "../support/resource-list";

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

  // Kubernetes' YAML readers (go-yaml, YAML 1.1 style) take `0400` as octal 256; yaml's printer
  // would write the 1.2 reading, 400: a secret's read-only defaultMode would become group-writable.
  it.each([
    ["defaultMode: 0400", "octal-looking integer"],
    ["defaultMode: +0755", "sign"],
    ["mode: 0x1F", "hex in capitals"],
    ["priority: 1e3", "exponent"],
    ["ratio: .50", "float without a leading zero, with a trailing zero"],
    ["ratio: 1.0e+2", "float exponent"],
    ["count: 0o17", "1.2 octal"],
  ])("re-prints %s (%s) in a changed workload as it was written", (line) => {
    const workload = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: cloud-sql-proxy
    image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
    args: ["--health-check", "--http-address=0.0.0.0"]
  volumes:
  - name: creds
    secret: {secretName: creds, ${line}}
  x-extra:
    ${line}
`;
    const out = runChecked(resourceList([workload], typedConfig('kubernetesVersion: "1.30"\n')));
    expect(out.bodies[1]).not.toBe(workload);
    expect(out.bodies[1]).toContain(`secret: {secretName: creds, ${line}}\n`);
    expect(out.bodies[1]).toContain(`x-extra:\n    ${line}\n`);
    // Everything after the edit is the input's text, byte for byte.
    expect(out.bodies[1]!.slice(out.bodies[1]!.indexOf("  volumes:"))).toBe(workload.slice(workload.indexOf("  volumes:")));
  });

  it('a quoted "<<" key stays quoted (a string to every reader), while a plain << merge key is still a merge key', () => {
    const workload = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    "<<": not a merge key
    '<<x': y
spec:
  containers:
  - name: app
    image: app
    env:
    - {name: "<<", value: "1"}
  - <<: {image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1}
    name: cloud-sql-proxy
    args: ["--health-check", "--http-address=0.0.0.0"]
`;
    const out = runChecked(resourceList([workload], typedConfig('kubernetesVersion: "1.30"\n')));
    const body = out.bodies[1]!;
    expect(body).not.toBe(workload);
    // Untouched text before the edit is the input's, byte for byte: the annotations' quotes are kept.
    expect(body.slice(0, body.indexOf("spec:"))).toBe(workload.slice(0, workload.indexOf("spec:")));
    expect(body).toContain('    - {name: "<<", value: "1"}\n');
    // The merge key in the moved container was spelled out, not printed as a string key.
    expect(parse(body).spec.initContainers[0]).toMatchObject({ name: "cloud-sql-proxy", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1" });
    expect(body).not.toContain("<<:");
    // Without the fix, yaml printed the quoted key as a plain `<<:`: check the re-printed doc alone too.
    const doc = parseItem(item('metadata:\n  annotations:\n    "<<": x\n'))!;
    doc.setIn(["metadata", "name"], "n");
    expect(printItem(doc, item("metadata:\n"))).toBe('metadata:\n  annotations:\n    "<<": x\n  name: n\n');
  });

  it("a comment above the pod spec's first key stays above it when initContainers comes in ahead, on both paths", () => {
    const workload = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  # the pod's containers
  containers:
  - name: app
    image: app
  - name: cloud-sql-proxy
    image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
    args: ["--health-check", "--http-address=0.0.0.0"]
`;
    const input = resourceList([workload], typedConfig('kubernetesVersion: "1.30"\n'));
    const fast = runChecked(input).bodies[1]!;
    // The careful path (a yaml Document re-printed: plain files, Helm, anything the text edit declines).
    const careful = readResourceList(runResourceList(input, { fast: false }).text).items[1]!.body;
    expect(careful).toBe(fast);
    expect(fast).toMatch(/\n {2}initContainers:\n[\s\S]*\n {2}# the pod's containers\n {2}containers:\n {2}- name: app\n/);
    expect(fast.startsWith(workload.slice(0, workload.indexOf("  # the pod's")))).toBe(true);
  });

  it("a number the plan changes is printed as the new value", () => {
    const doc = parseItem(item("spec:\n  terminationGracePeriodSeconds: 030\n  other: 030\n"))!;
    doc.setIn(["spec", "terminationGracePeriodSeconds"], 45);
    expect(printItem(doc, item("spec:\n"))).toBe("spec:\n  terminationGracePeriodSeconds: 45\n  other: 030\n");
  });
});

describe("a key over nothing (null) that the plan fills", () => {
  const workload = (metadata: string, lifecycle = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
${metadata}    spec:
      containers:
      - {name: app, image: nginx}
      - name: cloud-sql-proxy
        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
        args: ["--health-check", "--http-address=0.0.0.0"]
${lifecycle}`;
  const legacy = typedConfig("strategy: legacy\nsidecars: [{preset: cloud-sql-proxy}]\n");
  it.each([
    ["a comment on its line and one below", "    metadata: # pod metadata\n    # filled by kustomize\n", "    metadata: # pod metadata\n      # filled by kustomize\n      annotations:\n        kubectl.kubernetes.io/default-container: app\n    spec:\n"],
    ["a comment below only", "    metadata:\n    # filled by kustomize\n", "    metadata:\n      # filled by kustomize\n      annotations:\n        kubectl.kubernetes.io/default-container: app\n    spec:\n"],
    ["annotations with a comment on its line", "    metadata:\n      annotations: # none yet\n", "    metadata:\n      annotations: # none yet\n        kubectl.kubernetes.io/default-container: app\n    spec:\n"],
    ["a real blank line after it", "    metadata: # pod metadata\n\n", "    metadata: # pod metadata\n      annotations:\n        kubectl.kubernetes.io/default-container: app\n\n    spec:\n"],
  ])("keeps its place and its comments (%s)", (_, metadata, expected) => {
    const out = runChecked(resourceList([workload(metadata)], legacy));
    expect(out.bodies[1]).toContain(`  template:\n${expected}`);
  });

  it("a container's lifecycle over nothing keeps the comment on its line", () => {
    const out = runChecked(resourceList([workload("", "        lifecycle: # hooks later\n")], legacy));
    expect(out.bodies[1]).toContain("        lifecycle: # hooks later\n          postStart:\n");
  });
});
