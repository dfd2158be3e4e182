/** Crashes and refusals: big, deep and flow-style inputs get an answer, never a crash or lost items. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jsonToBlockYaml } from "../../src/krm/json-to-yaml";
import { MAX_FLOW_BYTES, MAX_INPUT_BYTES } from "../../src/krm/limits";
import { InputError, withinLimit } from "../../src/krm/resource-list";
import { runResourceList } from "../../src/run";
import { typedConfig } from "../support/resource-list";

const answer = (input: string, fast: boolean) => {
  try {
    return runResourceList(input, { fast }).text;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};

describe("JSON lists become block YAML in one pass", () => {
  const json = fc.jsonValue({ maxDepth: 6 }).map((v) => ({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: [], x: v }));
  it("reads back as the same data in YAML 1.1 and 1.2, keys in their order", () => {
    fc.assert(
      fc.property(json, fc.constantFrom(0, 2), (value, space) => {
        const text = JSON.stringify(value, null, space);
        const block = jsonToBlockYaml(text);
        expect(block).toBeDefined();
        expect(parse(block!)).toEqual(JSON.parse(text));
        expect(parse(block!, { version: "1.1" })).toEqual(JSON.parse(text));
        expect(block).not.toMatch(/^\s*[{[]/);
      }),
      { numRuns: 300 },
    );
    expect(jsonToBlockYaml('{"b": {"10": 1, "2": 2}}')).toBe('b:\n  "10": 1\n  "2": 2\n');
  });

  it("declines what is not JSON (flow YAML), so the careful path reads it", () => {
    expect(jsonToBlockYaml("{apiVersion: v1}")).toBeUndefined();
    expect(jsonToBlockYaml('{"a": 1} trailing')).toBeUndefined();
  });
});

describe("refusals say what is wrong, the same way on every path", () => {
  const deep = (open: string, close: string, n: number) => open.repeat(n) + close.repeat(n);
  it("deep nesting: JSON, flow and block lists, fast and careful paths", () => {
    const inputs = [
      `{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[${deep("[", "]", 5000)}]}`,
      `{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: [${deep("[", "]", 5000)}]}`,
      `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  data: ${deep("[", "]", 5000)}\n`,
    ];
    for (const input of inputs) {
      for (const fast of [true, false]) expect(answer(input, fast)).toBe("InputError: input YAML nests too deeply to read (thousands of levels); no Kubernetes object does that");
    }
  });

  it("a big flow-style (not JSON) list is refused up front, with what to do", () => {
    const item = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: b}}";
    const input = `{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: [${Array.from({ length: Math.ceil(MAX_FLOW_BYTES / item.length) + 10 }, () => item).join(", ")}]}`;
    expect(answer(input, true)).toMatch(/^InputError: input is a ResourceList in YAML flow style of 4\.\d MiB; .*send it as JSON or block-style YAML$/);
  });

  it("so is a block-style list whose items are one big flow list, wherever its `items:` line is", () => {
    const item = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: b}}";
    const items = `[${Array.from({ length: Math.ceil(MAX_FLOW_BYTES / item.length) + 10 }, () => item).join(", ")}]`;
    const head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
    // The last one repeats `items` (a duplicate key the careful path would reject, after holding a tree of it).
    for (const input of [`items:  ${items}\n${head}`, `${head}items:\t${items}\n`, `${head}items:\n- {}\nitems: ${items}\n`]) {
      expect(answer(input, true)).toMatch(/^InputError: input is a ResourceList in YAML flow style of 4\.\d MiB; /);
    }
    // A big block list with an `items:` key inside an item is not flow style.
    const block = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data:\n    items: '[x]'\n".repeat(Math.ceil(MAX_FLOW_BYTES / 70) + 10)}`;
    expect(answer(block, true)).not.toMatch(/^InputError/);
  });

  it("never writes more than a function reads", () => {
    expect(withinLimit("ok")).toBe("ok");
    expect(() => withinLimit("x".repeat(MAX_INPUT_BYTES + 1))).toThrow(InputError);
  });
});

describe("results earlier functions wrote", () => {
  it("in flow style are kept, and ours follow them as a block list", () => {
    const cfg = typedConfig("strategy: native\nsidecars:\n- name: proxy\n").replace(/\n/g, "\n  ");
    const input = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers:\n    - {name: app, image: a}\n    - {name: proxy, image: b, startupProbe: {tcpSocket: {port: 1}}}\nfunctionConfig:\n  ${cfg}\nresults: [{message: "earlier: yes", severity: info}, {message: "no", severity: warning}]\n`;
    const out = runResourceList(input);
    const results = (parse(out.text) as { results: { message: string }[] }).results;
    expect(results.map((r) => r.message)).toEqual(["earlier: yes", "no", expect.stringMatching(/^moved sidecar "proxy"/)]);
    expect((parse(out.text, { version: "1.1" }) as { results: unknown[] }).results).toEqual(results);
  });
});
