/**
 * The transform for TypeScript callers: over plain objects or parsed `yaml` Documents, with the
 * same results and rules as the KRM function. Objects that need no change are returned as given.
 */
import { Document, isMap, parseDocument } from "yaml";
import type { ConfigInput } from "./config/schema";
import { API_VERSION, KIND } from "./config/schema";
import { PRINT_OPTIONS } from "./krm/print";
import type { ItemSource } from "./krm/resource-list";
import { exitCode, oneLine, type Result } from "./krm/results";
import { isEmptyDocument } from "./krm/stream";
import { isPlain } from "./plain";
import { processItems } from "./run";

export interface TransformOutput<T> {
  /** The objects, in the same order; changed ones are new objects, the rest the same references. */
  objects: T[];
  results: Result[];
  /** 1 when a result is an error. */
  exitCode: 0 | 1;
}

/** A typed functionConfig from plain options, e.g. `sidecarOrderConfig({ kubernetesVersion: "1.30" })`. */
export function sidecarOrderConfig(options: ConfigInput = {}, name = "sidecar-order"): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name }, ...options };
}

/** One object as an item of its own; one that is not an object (a list, a number, null) is an error, as in a ResourceList. */
function asItem(body: string, index: number, isObject: boolean): ItemSource {
  const item: ItemSource = { index, start: 0, bodyStart: 0, end: body.length, column: 0, body, label: `objects[${index}]` };
  if (!isObject) item.frozen = "the item is not an object";
  return item;
}

/** Transform plain Kubernetes objects. `functionConfig` is a SidecarOrder or ConfigMap object (or none). */
export function transformObjects<T extends object>(objects: readonly T[], functionConfig?: unknown): TransformOutput<T> {
  const items = objects.map((o, i) => asItem(new Document(o, { aliasDuplicateObjects: false }).toString(PRINT_OPTIONS), i, isPlain(o)));
  const { replacements, results } = processItems(items, functionConfig);
  const out = objects.map((o, i) => {
    const r = replacements.get(i);
    return r === undefined ? o : (parseDocument(r).toJS() as T);
  });
  return { objects: out, results, exitCode: exitCode(results) };
}

/** Transform parsed `yaml` Documents, keeping their comments; changed ones come back re-parsed. */
export function transformDocuments(documents: readonly Document[], functionConfig?: unknown): TransformOutput<Document> {
  // An empty document (a trailing `---`, a template that rendered nothing) is no object, and no error either.
  // One with YAML errors cannot be printed: an error result names it, and nothing is changed (as
  // the command refuses such a stream).
  const problems: Result[] = [];
  const items = documents.flatMap((d, i) => {
    const error = d.errors[0];
    if (error) {
      problems.push({ message: `objects[${i}] is not valid YAML: ${oneLine(error.message)}; nothing was changed`, severity: "error" });
      return [];
    }
    return [asItem(d.toString(PRINT_OPTIONS), i, isMap(d.contents) || isEmptyDocument(d))];
  });
  const { replacements, results } = processItems(items, functionConfig, problems);
  const out = documents.map((d, i) => {
    const r = replacements.get(i);
    return r === undefined ? d : (parseDocument(r) as Document);
  });
  return { objects: out, results, exitCode: exitCode(results) };
}
