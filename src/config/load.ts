/**
 * functionConfig in, one validated Config out. Accepts the typed `SidecarOrder` object and the
 * `ConfigMap` kpt builds from `kpt fn eval ... -- key=value`. Problems become error results on
 * the config object, never exceptions.
 */
import type * as z from "zod/mini";
import type { Result, ResourceRef } from "../krm/results";
import { API_VERSION, ENVELOPE_KEYS, KIND, PRESET_NAMES, configSchema, type Config, type ConfigInput } from "./schema";

export interface LoadedConfig {
  /** Undefined when the config is invalid: nothing is then changed. */
  config: Config | undefined;
  /** Where the config came from, for messages. */
  source: "none" | "ConfigMap" | "SidecarOrder";
  results: Result[];
  /** The config object, for results about it. */
  ref?: ResourceRef;
}

import { isPlain, valueAt, type Plain } from "../plain";

/** ConfigMap keys and how each string becomes a typed value. */
export const CONFIGMAP_KEYS: Record<string, (v: string) => unknown> = {
  strategy: (v) => v,
  onConflict: (v) => v,
  kubernetesVersion: (v) => v,
  kubeletVersion: (v) => v,
  nativeMinVersion: (v) => v,
  allowLegacyJobs: (v) => (v === "true" ? true : v === "false" ? false : v),
  // Preset names become presets; anything else is a container name.
  sidecars: (v) =>
    list(v).map((name) => ((PRESET_NAMES as readonly string[]).includes(name) ? { preset: name } : { name })),
  meshes: (v) => list(v),
  mode: (v) => v,
  checkSeverity: (v) => v,
  explain: (v) => (v === "true" ? true : v === "false" ? false : v),
};

function list(v: string): string[] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function loadConfig(functionConfig: unknown): LoadedConfig {
  if (functionConfig === undefined || functionConfig === null) {
    return { config: configSchema.parse({}), source: "none", results: [] };
  }
  if (!isPlain(functionConfig)) {
    return invalid("none", undefined, "", "the functionConfig is not an object; give a SidecarOrder or a ConfigMap");
  }
  const kind = functionConfig["kind"];
  const apiVersion = functionConfig["apiVersion"];
  const ref = refOf(functionConfig);
  if (kind === "ConfigMap" && (apiVersion === "v1" || apiVersion === undefined)) {
    return fromConfigMap(functionConfig, ref);
  }
  if (kind === KIND) {
    if (apiVersion !== API_VERSION) {
      return invalid("SidecarOrder", ref, "apiVersion", `the SidecarOrder apiVersion ${JSON.stringify(apiVersion)} is not supported; use ${API_VERSION}`);
    }
    const options: Plain = {};
    for (const [k, v] of Object.entries(functionConfig)) if (!(ENVELOPE_KEYS as readonly string[]).includes(k)) options[k] = v;
    if ("spec" in options && !("spec" in configSchema.shape)) {
      return invalid("SidecarOrder", ref, "spec", "SidecarOrder options go at the top level, not under `spec:`; move them up one level");
    }
    return validate("SidecarOrder", ref, options);
  }
  return invalid(
    "none",
    ref,
    "kind",
    kind === undefined
      ? `the config has no kind; begin it with apiVersion: ${API_VERSION} and kind: ${KIND}, with the options after them at the top level (or use a ConfigMap with the options under data)`
      : `the functionConfig kind ${JSON.stringify(kind)} is not supported; use kind ${KIND} (apiVersion ${API_VERSION}) or a ConfigMap`,
  );
}

/** A ConfigMap's own fields; sidecar-order reads `data` only. */
const CONFIGMAP_FIELDS = new Set(["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"]);

function fromConfigMap(cm: Plain, ref: ResourceRef | undefined): LoadedConfig {
  // Options written beside `data` (the SidecarOrder form's habit) or a misspelt `data` would
  // otherwise leave the defaults in force without a word.
  const outside = Object.keys(cm).filter((k) => !CONFIGMAP_FIELDS.has(k));
  if (outside.length > 0) {
    const options = Object.keys(CONFIGMAP_KEYS);
    return {
      config: undefined,
      source: "ConfigMap",
      results: outside.map((key) =>
        configError(
          ref,
          key,
          options.includes(key)
            ? `${key} is at the ConfigMap's top level, where it is not read; in a ConfigMap the options go under data (data: {${key}: ...}), or use kind ${KIND}`
            : `the ConfigMap has a field ${JSON.stringify(key)}, which sidecar-order does not read; its options go under data${nearest(key, ["data"]) ? " (is it a misspelt data?)" : ""}`,
        ),
      ),
    };
  }
  const data = cm["data"];
  if (data === undefined || data === null) return validate("ConfigMap", ref, {});
  if (!isPlain(data)) return invalid("ConfigMap", ref, "data", "the ConfigMap's `data` is not a map of strings");
  const options: Plain = {};
  const results: Result[] = [];
  for (const [key, value] of Object.entries(data)) {
    const convert = CONFIGMAP_KEYS[key];
    if (!convert) {
      results.push(configError(ref, `data.${key}`, unknownKeyMessage(key, Object.keys(CONFIGMAP_KEYS), "ConfigMap data key")));
      continue;
    }
    if (typeof value !== "string") {
      results.push(configError(ref, `data.${key}`, `ConfigMap data values are strings; ${quoteHint(key, value)}`));
      continue;
    }
    options[key] = convert(value);
  }
  const checked = validate("ConfigMap", ref, options, "data.");
  // Every problem at once: a value that is not a string does not hide the others.
  if (results.length) return { config: undefined, source: "ConfigMap", results: [...results, ...checked.results] };
  return checked;
}

const VERSION_KEYS = new Set(["kubernetesVersion", "kubeletVersion", "nativeMinVersion"]);

/** How to write a value YAML read as a number or boolean as the string it must be. */
function quoteHint(key: string, value: unknown): string {
  if (value === null) return `${key} has no value (YAML reads an empty value or ~ as null): give it one, or leave ${key} out`;
  const read = `unquoted, YAML read it as the ${typeof value} ${JSON.stringify(value)}`;
  // An unquoted 1.30 is the number 1.3: the text as written is gone, so do not suggest "1.3".
  if (VERSION_KEYS.has(key) && typeof value === "number") return `quote the version, e.g. ${key}: "1.30" (${read}; an unquoted 1.30 reads as 1.3)`;
  return `quote it, e.g. ${key}: "${String(value)}" (${read})`;
}

function validate(source: LoadedConfig["source"], ref: ResourceRef | undefined, options: Plain, prefix = ""): LoadedConfig {
  const parsed = configSchema.safeParse(options as ConfigInput);
  if (parsed.success) return { config: parsed.data, source, results: [], ...(ref ? { ref } : {}) };
  const results = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => {
          const at = pathText([...issue.path, key]);
          return configError(ref, prefix + at, unknownKeyMessage(prefix + at, knownKeysAt(issue.path), "field", key));
        })
      : [configError(ref, prefix + pathText(issue.path), issueMessage(issue, prefix, source, valueAt(options, issue.path)))],
  );
  return { config: undefined, source, results };
}

function issueMessage(issue: z.core.$ZodIssue, prefix: string, source: LoadedConfig["source"], value: unknown): string {
  const at = pathText(issue.path);
  const where = at ? `${prefix}${at}` : "the config";
  switch (issue.code) {
    case "invalid_value":
      return `${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_type":
      // In a ConfigMap every value is a string: say which strings are meant.
      if (source === "ConfigMap" && issue.expected === "boolean") return `${where} must be "true" or "false"`;
      if (issue.expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
        return `${where} must be a string; ${quoteHint(String(issue.path[issue.path.length - 1]), value)}`;
      }
      // `sidecars: [istio]`: the ConfigMap form and kpt's `sidecars=istio` take bare names, this one entries.
      if (issue.expected === "object" && issue.path.length === 2 && issue.path[0] === "sidecars" && typeof value === "string") {
        const entry = (PRESET_NAMES as readonly string[]).includes(value) ? `{preset: ${value}}` : `{name: ${value}} (a container name) or {image: ...}`;
        return `${where} must be an object: write ${entry}; a bare "${value}" is how a ConfigMap config and kpt's sidecars=${value} list them`;
      }
      return `${where} must be ${article(issue.expected)}`;
    case "too_small":
      return issue.origin === "string" || issue.origin === "array"
        ? `${where} must not be empty`
        : `${where} must be at least ${String(issue.minimum)}`;
    case "too_big":
      return `${where} must be at most ${String(issue.maximum)}`;
    case "invalid_union":
      return `${where} must be a number or a string`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The field names valid at a path of the schema, for "did you mean" hints. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let node: SchemaLike | undefined = unwrap(configSchema);
  for (const seg of path) node = unwrap(typeof seg === "number" ? node?.def?.element : node?.def?.shape?.[seg as string]);
  return Object.keys(node?.def?.shape ?? {});
}

/** The parts of a zod schema's definition the hints walk through. */
interface SchemaLike {
  def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown };
  /** A lazy schema's inner one, built once by zod on first use. */
  _zod?: { innerType?: unknown };
}

/** Through optional, default and lazy wrappers to the object or array inside. */
function unwrap(node: unknown): SchemaLike | undefined {
  let cur = node as SchemaLike | undefined;
  for (let i = 0; i < 10 && cur?.def && !cur.def.shape && !cur.def.element; i++) {
    const inner = cur.def.type === "lazy" ? cur._zod?.innerType : cur.def.innerType;
    if (!inner) break;
    cur = inner as SchemaLike;
  }
  return cur;
}

function unknownKeyMessage(shown: string, known: readonly string[], what: string, key = shown): string {
  const near = nearest(key, known);
  const hint = near ? `; did you mean \`${near}\`?` : known.length ? `; valid ${what}s are ${known.join(", ")}` : "";
  return `unknown ${what} \`${shown}\`${hint}`;
}

/** The closest known name by edit distance, if it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // A candidate that keeps none of the word ("web" for "db") is no near miss.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) && bestDistance < word.length ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out;
}

function refOf(fc: Plain): ResourceRef | undefined {
  const meta = isPlain(fc["metadata"]) ? fc["metadata"] : {};
  const name = typeof meta["name"] === "string" ? meta["name"] : undefined;
  if (typeof fc["kind"] !== "string" || typeof fc["apiVersion"] !== "string" || !name) return undefined;
  const ref: ResourceRef = { apiVersion: fc["apiVersion"], kind: fc["kind"], name };
  if (typeof meta["namespace"] === "string" && meta["namespace"]) ref.namespace = meta["namespace"];
  return ref;
}

function configError(ref: ResourceRef | undefined, path: string, message: string): Result {
  const r: Result = { message: `invalid functionConfig: ${message}`, severity: "error" };
  if (ref) r.resourceRef = ref;
  // Paths are relative to the config object, which resourceRef names.
  if (path) r.field = { path };
  return r;
}

function invalid(source: LoadedConfig["source"], ref: ResourceRef | undefined, path: string, message: string): LoadedConfig {
  return { config: undefined, source, results: [configError(ref, path, message)] };
}
