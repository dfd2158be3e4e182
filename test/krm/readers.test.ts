/**
 * What the function writes must mean the same to every reader: YAML 1.2 (yaml, kyaml) and YAML 1.1
 * (sigs.k8s.io/yaml under kubectl, which takes plain yes/no/on/off, 1_000 or 2001-12-14 for
 * booleans, numbers and dates). Whole documents in; the output read both ways must agree, and
 * untouched text round-trips byte for byte (checked by runChecked).
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { oneLine } from "../../src/krm/results";
import { runResourceList } from "../../src/run";
import { runFiles } from "../../src/files";
import { resourceList, runChecked, typedConfig } from "../support/resource-list";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const both = (text: string) => {
  const v12 = parse(text);
  const v11 = parse(text, { version: "1.1" });
  expect(v11, "YAML 1.1 and 1.2 readers agree").toEqual(v12);
  return v12 as Record<string, unknown>;
};

const pod = (containers: string, meta = "") => `apiVersion: v1
kind: Pod
metadata:
  name: p
${meta}spec:
  containers:
${containers}`;

const AMBIGUOUS = ["on", "no", "y", "Y", "off", "yes", "0777", "1_000", "2001-12-14", "1:20", "0x1F", "+.5", ".inf", "~", "="];

describe("strings the function writes read back as the same strings in YAML 1.1 and 1.2", () => {
  it("wait arguments and the default-container annotation", () => {
    const wait = `[wait, ${AMBIGUOUS.map((s) => JSON.stringify(s)).join(", ")}]`;
    const cfg = typedConfig(`strategy: legacy\nsidecars:\n- name: proxy\n  wait: {exec: ${wait}}\n`);
    const out = runChecked(resourceList([pod("  - name: \"no\"\n    image: app\n  - name: proxy\n    image: envoy\n")], cfg));
    const item = both(out.bodies[1]!);
    const spec = item["spec"] as { containers: { name: string; lifecycle?: { postStart: { exec: { command: string[] } } } }[] };
    expect(spec.containers[0]!.lifecycle!.postStart.exec.command).toEqual(["wait", ...AMBIGUOUS]);
    expect((item["metadata"] as { annotations: Record<string, string> }).annotations["kubectl.kubernetes.io/default-container"]).toBe("no");
  });

  it("a probe header from the config", () => {
    const cfg = typedConfig(`strategy: native\nsidecars:\n- name: proxy\n  startupProbe:\n    httpGet: {port: 8080, path: /ready, httpHeaders: [{name: "on", value: "yes"}]}\n`);
    const out = runChecked(resourceList([pod("  - name: app\n    image: app\n  - name: proxy\n    image: envoy\n")], cfg));
    const item = both(out.bodies[1]!);
    expect(JSON.stringify(item)).toContain('"httpHeaders":[{"name":"on","value":"yes"}]');
  });

  it("an untouched JSON ConfigMap when a JSON list is written as block YAML", () => {
    const list = {
      apiVersion: "config.kubernetes.io/v1",
      kind: "ResourceList",
      items: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: Object.fromEntries(AMBIGUOUS.map((s) => [s, s])) },
        { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "a" }, { name: "proxy", image: "b" }] } },
      ],
      functionConfig: { apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "t" }, strategy: "native", sidecars: [{ name: "proxy" }] },
    };
    const out = runResourceList(JSON.stringify(list));
    const read = both(out.text) as { items: unknown[] };
    expect(read.items[0]).toEqual(list.items[0]);
  });
});

describe("re-printed text means exactly what it meant", () => {
  const cfg = typedConfig("strategy: native\nsidecars:\n- name: proxy\n");
  const keep = "  - name: app\n    image: app\n  - name: proxy\n    image: envoy\n    args:\n    - |+\n      line one\n\n\n";

  it("a keep-chomped |+ scalar at the end of a moved container, in a ResourceList", () => {
    const out = runChecked(resourceList([pod(keep)], cfg));
    const item = both(out.bodies[1]!) as { spec: { initContainers: { args: string[] }[] } };
    expect(item.spec.initContainers[0]!.args).toEqual(["line one\n\n\n"]);
  });

  it("a keep-chomped |+ scalar at the end of a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "so-keep-"));
    writeFileSync(join(dir, "pod.yaml"), pod(keep));
    writeFileSync(join(dir, "cfg.yaml"), cfg);
    const out = runFiles([join(dir, "pod.yaml")], { config: join(dir, "cfg.yaml"), inPlace: false, readStdin: () => new Uint8Array() });
    const item = both(out.stdout) as { spec: { initContainers: { args: string[] }[] } };
    expect(item.spec.initContainers[0]!.args).toEqual(["line one\n\n\n"]);
  });

  it("DEL, C1 controls and line separators in a changed item are escaped, not printed raw", () => {
    const value = "a\u007fb\u0085c\u009bd\u2028e\u200bf";
    const out = runChecked(resourceList([pod(`  - name: app\n    image: app\n  - name: proxy\n    image: envoy\n    env:\n    - {name: X, value: ${JSON.stringify(value).replace("\\u007f", "\\x7f")}}\n`)], cfg));
    expect(out.bodies[1]).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    const item = both(out.bodies[1]!) as { spec: { initContainers: { env: { value: string }[] }[] } };
    expect(item.spec.initContainers[0]!.env[0]!.value).toBe(value);
  });

  it("Istio's proxy config with a comment, indentation and document markers gets the hold switch and stays valid", () => {
    const meta = `  annotations:\n    sidecar.istio.io/inject: "true"\n    proxy.istio.io/config: |\n      ---\n        # tuned for the batch tier\n        concurrency: 2   # two workers\n      ...\n`;
    const out = runChecked(resourceList([pod("  - name: app\n    image: app\n", meta)], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    const item = both(out.bodies[1]!) as { metadata: { annotations: Record<string, string> } };
    const config = item.metadata.annotations["proxy.istio.io/config"]!;
    expect(parse(config)).toEqual({ concurrency: 2, holdApplicationUntilProxyStarts: true });
    expect(config).toContain("# tuned for the batch tier");
  });
});

describe("messages", () => {
  it("a user's line break or control character never splits a stderr line", () => {
    expect(oneLine("two\nlines\r\tand\u0085")).toBe("two\\nlines\\r\\tand\\u0085");
  });
});
