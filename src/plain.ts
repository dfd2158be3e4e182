/** Plain data as YAML and JSON give it: the one test for "an object with string keys". */
export type Plain = Record<string, unknown>;

export function isPlain(v: unknown): v is Plain {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
