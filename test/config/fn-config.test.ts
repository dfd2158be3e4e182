/** fn-config/: the generated JSON Schema is current, and every example config loads cleanly. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configJsonSchema } from "../../src/config/json-schema";
import { loadConfig } from "../../src/config/load";
import Ajv2020 from "ajv/dist/2020";

const dir = resolve(__dirname, "../../fn-config");

describe("fn-config/", () => {
  it("holds the JSON Schema generated from the zod schema (run `npm run schema` after changing options)", () => {
    const onDisk = JSON.parse(readFileSync(join(dir, "sidecar-order.schema.json"), "utf8"));
    expect(onDisk).toEqual(configJsonSchema());
  });

  const examples = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  it.each(examples)("%s loads without errors", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const loaded = loadConfig(parse(text));
    expect(loaded.results).toEqual([]);
    expect(loaded.config).toBeDefined();
    if (loaded.source === "SidecarOrder") {
      expect(text).toMatch(/^# yaml-language-server: \$schema=\.\/sidecar-order\.schema\.json$/m);
      // The JSON Schema editors use agrees with the loader.
      const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(dir, "sidecar-order.schema.json"), "utf8")));
      expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});

describe("the JSON Schema", () => {
  it("rejects what the loader rejects", () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    const base = { apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "x" } };
    expect(validate({ ...base, stratgy: "legacy" })).toBe(false);
    expect(validate({ ...base, strategy: "sideways" })).toBe(false);
    expect(validate({ ...base, sidecars: [{ preset: "istio", after: ["x"] }], kubernetesVersion: "1.30" })).toBe(true);
    // A path names fields only; through a list it reaches every entry (editors refuse an index as the function does).
    const paths = (path: string) => ({ ...base, podTemplatePaths: [{ group: "ray.io", kind: "RayCluster", path }] });
    expect(validate(paths("spec/workerGroupSpecs/0/template/spec"))).toBe(false);
    expect(validate(paths("spec.workerGroupSpecs.*.template.spec"))).toBe(false);
    expect(validate(paths("spec/headGroupSpec/template/spec"))).toBe(true);
  });
});

describe("README", () => {
  it("has the FunctionConfig table generated from the schema (run `npm run schema` after changing options)", async () => {
    const { withFieldTable } = await import("../../src/config/docs");
    const readme = readFileSync(resolve(__dirname, "../../README.md"), "utf8");
    expect(readme).toBe(withFieldTable(readme));
  });
});
