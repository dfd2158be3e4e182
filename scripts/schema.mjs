// Regenerate what derives from the zod schema: the JSON Schema in fn-config/ and the README table.
import { readFileSync, writeFileSync } from "node:fs";
import { configJsonSchema, withFieldTable } from "../dist/index.js";
writeFileSync("fn-config/sidecar-order.schema.json", JSON.stringify(configJsonSchema(), null, 2) + "\n");
writeFileSync("README.md", withFieldTable(readFileSync("README.md", "utf8")));
