/** The wire layer: lossless splitting and splicing of a ResourceList. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { InputError, readResourceList } from "../../src/krm/resource-list";
import { runResourceList } from "../../src/run";
import { asItem, resourceList, runChecked, typedConfig } from "../support/resource-list";

const CONFIG = typedConfig(`strategy: legacy
sidecars:
- name: proxy
  wait: {exec: [/proxy, wait, --timeout=60s]}
`);

const UNORDERED = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
`;

describe("readResourceList / writeResourceList", () => {
  it("writes back the bytes it read when nothing changes", () => {
    const input = resourceList([], CONFIG);
    expect(runResourceList(input).text).toBe(input);
  });

  it("keeps kpt's annotations, head comments after the dash, and quoting of a changed item", () => {
    const input = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- # head comment of the file
  # second line
  apiVersion: v1
  kind: Pod
  metadata:
    name: p # trailing
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'pod.yaml'
      internal.config.kubernetes.io/seqindent: 'compact'
      internal.config.kubernetes.io/id: '1'
      config.k8s.io/id: '1'
      kubectl.kubernetes.io/default-container: "app"
  spec:
    containers:
    - name: app
      image: "app:1"
    - name: proxy
      image: 'proxy:1'
functionConfig:
${CONFIG.replace(/^/gm, "  ")}
`;
    const out = runResourceList(input);
    expect(out.text).toContain(`items:
- # head comment of the file
  # second line
  apiVersion: v1
  kind: Pod
  metadata:
    name: p # trailing
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'pod.yaml'
      internal.config.kubernetes.io/seqindent: 'compact'
      internal.config.kubernetes.io/id: '1'
      config.k8s.io/id: '1'
      kubectl.kubernetes.io/default-container: "app"
  spec:
    containers:
    - name: proxy
      image: 'proxy:1'
      lifecycle:
        postStart:
          exec:
            command:
            - /proxy
            - wait
            - --timeout=60s
    - name: app
      image: "app:1"
functionConfig:`);
  });

  it("keeps a comment on an entry's dash line there when it re-prints a changed item, in compact and wide lists and with CRLF", () => {
    const pod = (containers: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
${containers.replace(/^(?=.)/gm, "  ")}`;
    // The proxy now comes first: kubectl's default container is said to be the app.
    const withDefault = (t: string) => t.replace("  name: p\n", "  name: p\n  annotations:\n    kubectl.kubernetes.io/default-container: app\n");
    const input = pod(`- # the app
  name: app
  image: app
  args:
  - # a flag
    --x
  - # a block scalar keeps yaml's placement: moving its header would change its indentation
    |
    multi
  env:
  - # over a flow map
    {name: A, value: "1"}
- # the proxy
  # second line
  name: proxy
  image: proxy
`);
    const output = pod(`- # the proxy
  # second line
  name: proxy
  image: proxy
  lifecycle:
    postStart:
      exec:
        command:
        - /proxy
        - wait
        - --timeout=60s
- # the app
  name: app
  image: app
  args:
  - # a flag
    --x
  # a block scalar keeps yaml's placement: moving its header would change its indentation
  - |
    multi
  env:
  - # over a flow map
    {name: A, value: "1"}
`);
    expect(runChecked(resourceList([input], CONFIG)).bodies[1]).toBe(withDefault(output));
    // Comment lines above the dash of an entry with a dash-line comment are its own too: they move with it.
    const above = pod(`- name: app
  image: app
  # about the app
# about the proxy
- # proxy
  name: proxy
  image: proxy
`);
    expect(runChecked(resourceList([above], CONFIG)).bodies[1]).toBe(
      withDefault(
        pod(`# about the proxy
- # proxy
  name: proxy
  image: proxy
  lifecycle:
    postStart:
      exec:
        command:
        - /proxy
        - wait
        - --timeout=60s
- name: app
  image: app
  # about the app
`),
      ),
    );
    // Lists indented under their key (a plain file's style).
    const wideIn = pod(`  - # the app
    name: app
    image: app
  - # the proxy
    name: proxy
    image: proxy
`);
    const wideOut = pod(`  - # the proxy
    name: proxy
    image: proxy
    lifecycle:
      postStart:
        exec:
          command:
            - /proxy
            - wait
            - --timeout=60s
  - # the app
    name: app
    image: app
`);
    expect(runChecked(resourceList([wideIn], CONFIG)).bodies[1]).toBe(withDefault(wideOut));
    // CRLF line breaks (runResourceList: the whole-list check above reads LF only).
    const crlf = runResourceList(resourceList([input], CONFIG).replace(/\n/g, "\r\n"));
    expect(crlf.text).toContain(asItem(withDefault(output)).replace(/\n/g, "\r\n"));
  });

  it("appends to the results earlier functions left, keeping them", () => {
    const input = resourceList([UNORDERED], CONFIG) + "results:\n- message: from an earlier function\n  severity: warning\n";
    const out = runResourceList(input);
    const parsed = parse(out.text) as { results: { message: string }[] };
    expect(parsed.results.map((r) => r.message)).toEqual(["from an earlier function", expect.stringMatching(/^moved sidecar/)]);
    expect(out.text.startsWith(resourceList([], undefined).slice(0, 40))).toBe(true);
  });

  it("fills an empty `results: []`", () => {
    const input = resourceList([UNORDERED], CONFIG).replace("functionConfig:", "results: []\nfunctionConfig:");
    const parsed = parse(runResourceList(input).text) as { results: unknown[] };
    expect(parsed.results).toHaveLength(1);
  });

  it("reads JSON and writes block-style YAML", () => {
    const json = JSON.stringify({
      apiVersion: "config.kubernetes.io/v1",
      kind: "ResourceList",
      items: [parse(UNORDERED), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } }],
      functionConfig: parse(CONFIG),
    });
    const out = runResourceList(json);
    expect(out.text).not.toMatch(/^\s*[{[]/);
    expect(out.text).toContain("\nitems:\n- apiVersion: v1\n");
    const parsed = parse(out.text) as { items: { spec?: { containers: { name: string }[] } }[] };
    expect(parsed.items[0]!.spec!.containers.map((c) => c.name)).toEqual(["proxy", "app"]);
    expect(parsed.items[1]).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
  });

  it("keeps CRLF line endings and a byte-order mark", () => {
    const input = "\uFEFF" + resourceList([UNORDERED], CONFIG).replace(/\n/g, "\r\n");
    const out = runResourceList(Buffer.from(input, "utf8"));
    expect(out.text.startsWith("\uFEFF")).toBe(true);
    expect(out.text.replace(/\r\n/g, "")).not.toContain("\n");
    expect(out.results[0]?.message).toMatch(/^moved sidecar/);
  });

  it("takes an empty package (`items: []`) and a missing items key", () => {
    for (const input of ["apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"]) {
      const out = runResourceList(input);
      expect(out.text).toBe(input);
      expect(out.exitCode).toBe(0);
    }
  });

  it("reports `items` that is not a list, and loses nothing", () => {
    const input = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  a: 1\n";
    const out = runResourceList(input);
    expect(out.exitCode).toBe(1);
    expect(out.text.startsWith(input)).toBe(true);
    expect(out.results[0]?.message).toMatch(/`items` is not a list/);
  });

  it("reports an item that is not an object, and keeps it", () => {
    const input = resourceList([], CONFIG).replace("items:\n", "items:\n- just a string\n- 42\n");
    const out = runResourceList(input);
    expect(out.exitCode).toBe(1);
    expect(out.results.map((r) => r.message)).toEqual([
      "items[0] is not an object; it was left as it is",
      "items[1] is not an object; it was left as it is",
    ]);
    expect(out.text).toContain("- just a string\n- 42\n");
  });

  it("reports duplicate workloads and keeps both", () => {
    const out = runResourceList(resourceList([UNORDERED, UNORDERED], CONFIG));
    expect(out.exitCode).toBe(1);
    expect(out.results.filter((r) => r.severity === "error").map((r) => r.message)).toEqual([expect.stringMatching(/^items\[2\] repeats items\[1\]/)]);
    expect(readResourceList(out.text).items).toHaveLength(4);
  });

  it.each([
    ["", /input is empty/],
    ["a: [1, 2", /not valid YAML/],
    ["kind: Deployment\napiVersion: apps/v1\n", /not a ResourceList \(kind is "Deployment"\)/],
    ["- 1\n- 2\n", /not a ResourceList/],
    ["apiVersion: v9\nkind: ResourceList\nitems: []\n", /unknown apiVersion "v9"/],
    ["apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n---\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\n", /several YAML documents/],
  ])("refuses %j with a one-line message", (input, message) => {
    let error: unknown;
    try {
      readResourceList(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("fast and careful paths both refuse a plain value that starts with a flow indicator", () => {
    const input = resourceList([], CONFIG).replace("    plain: yes\n", "    plain: ,core\n");
    expect(() => runResourceList(input)).toThrow(InputError);
    expect(() => runResourceList(input, { fast: false })).toThrow(InputError);
  });

  it("refuses invalid UTF-8", () => {
    expect(() => readResourceList(new Uint8Array([0x6b, 0x3a, 0x20, 0xff, 0xfe]))).toThrow(/not valid UTF-8/);
  });
});

describe("the fast scanner takes the layouts kpt and people write", () => {
  const item = (name: string, indent: string) =>
    `${indent}- apiVersion: v1\n${indent}  kind: ConfigMap\n${indent}  metadata:\n${indent}    name: ${name} # trailing\n${indent}  data:\n${indent}    key: "value"\n`;
  const lists: [string, string][] = [
    ["compact items (kpt's style)", `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${item("a", "")}${item("b", "")}`],
    ["items indented two spaces", `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${item("a", "  ")}${item("b", "  ")}`],
    ["comments at column 0, deeper and between items; blank lines", `# head\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n# first\n${item("a", "")}\n    # deep\n${item("b", "")}# tail\n`],
    ["functionConfig before items, results after", `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\nitems:\n${item("a", "  ")}results:\n- message: earlier\n  severity: info\n`],
  ];
  it.each(lists)("%s", (_, text) => {
    const fast = readResourceList(text);
    // Every item is located by the scanner and left to the light reader, at the careful path's offsets.
    expect(fast.items.every((i) => i.light === true)).toBe(true);
    const careful = readResourceList(text, { fast: false });
    const at = (items: typeof fast.items) => items.map((i) => [i.start, i.bodyStart, i.end, i.column]);
    expect(at(fast.items)).toEqual(at(careful.items));
    expect(fast.items).toHaveLength(text.includes("name: b") ? 2 : 1);
  });
});
