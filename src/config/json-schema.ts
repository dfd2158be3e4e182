/** The JSON Schema of the typed functionConfig, derived from the zod schema. */
import * as z from "zod/mini";
import { API_VERSION, KIND, configSchema } from "./schema";

export function configJsonSchema(): Record<string, unknown> {
  const options = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, unknown>;
    [k: string]: unknown;
  };
  const { $schema: _ignored, ...rest } = options;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://sidecar-order.dev/schemas/v1alpha1/sidecar-order.schema.json",
    title: `${KIND} (${API_VERSION})`,
    description: "functionConfig of the sidecar-order KRM function. Options sit at the top level, beside apiVersion, kind and metadata.",
    ...rest,
    properties: {
      apiVersion: { const: API_VERSION },
      kind: { const: KIND },
      metadata: { type: "object" },
      ...options.properties,
    },
    required: ["apiVersion", "kind"],
  };
}
