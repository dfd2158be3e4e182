/** fn-config/: the generated JSON Schema is current, and every example config loads cleanly. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configJsonSchema } from "../../src/config/json-schema";
import { loadConfig } from "../../src/config/load";

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
    if (loaded.source === "SidecarOrder") expect(text).toMatch(/^# yaml-language-server: \$schema=\.\/sidecar-order\.schema\.json$/m);
  });
});

describe("README", () => {
  it("has the FunctionConfig table generated from the schema (run `npm run schema` after changing options)", async () => {
    const { withFieldTable } = await import("../../src/config/docs");
    const readme = readFileSync(resolve(__dirname, "../../README.md"), "utf8");
    expect(readme).toBe(withFieldTable(readme));
  });
});
