/** Plain data as YAML and JSON give it: the one test for "an object with string keys". */
export type Plain = Record<string, unknown>;

export function isPlain(v: unknown): v is Plain {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path` (keys and list indexes) in plain data; undefined where the path leaves it. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/**
 * The string entries of a map (labels, annotations); none when it is not a map. Callers only read
 * them, so a map of strings alone, the usual case, is returned as it is rather than copied.
 */
export function stringEntries(map: unknown): Record<string, string> {
  if (!isPlain(map)) return {};
  for (const k in map) {
    if (typeof map[k] === "string") continue;
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(map)) if (typeof v === "string") out[key] = v;
    return out;
  }
  return map as Record<string, string>;
}
