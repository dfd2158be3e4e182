// Write fn-config/sidecar-order.schema.json from the zod schema (via the built library).
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../dist/index.js";
writeFileSync("fn-config/sidecar-order.schema.json", JSON.stringify(configJsonSchema(), null, 2) + "\n");
