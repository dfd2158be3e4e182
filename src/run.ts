/** One ResourceList in, one ResourceList out: config → transform → results. */
import { loadConfig } from "./config/load";
import { exitCode, type Result } from "./krm/results";
import { readResourceList, writeResourceList } from "./krm/resource-list";
import { itemLabel, transformContext, transformItem } from "./transform";
import type { ItemSource, ReadOptions } from "./krm/resource-list";
import { chooseStrategy } from "./strategies/choose";
import { FastPathDeclined, lightItemData } from "./krm/scan";
import { resolveRules } from "./sidecars/rules";

export interface RunOutput {
  /** The ResourceList to write to stdout. */
  text: string;
  /** The results this run added. */
  results: Result[];
  exitCode: 0 | 1;
}

export interface ItemsOutput {
  /** New text for the items that changed, by index. */
  replacements: Map<number, string>;
  results: Result[];
}

/**
 * Config → transform → results over located items, whatever they came from (a ResourceList, a
 * plain YAML stream, files). `problems` are input problems found before: with any, nothing changes.
 */
export function processItems(items: readonly ItemSource[], functionConfig: unknown, problems: readonly Result[] = []): ItemsOutput {
  const results: Result[] = [...problems];
  const loaded = loadConfig(functionConfig);
  results.push(...loaded.results);
  const replacements = new Map<number, string>();
  const config = loaded.config;
  const onConfig = loaded.ref ? { resourceRef: loaded.ref } : {};
  const chosen = config ? chooseStrategy(config) : undefined;
  for (const note of chosen?.notes ?? []) results.push({ message: note.message, severity: note.severity, ...onConfig, field: { path: note.field } });
  const rules = config ? resolveRules(config) : undefined;
  for (const p of rules?.problems ?? []) results.push({ message: `invalid functionConfig: ${p.message}`, severity: "error", ...onConfig, field: { path: p.path } });
  if (!config || !chosen || !rules || exitCode(results) !== 0) {
    // Nothing is transformed, but the items must still be what the fast path took them for.
    for (const item of items) if (item.light) lightItemData(item);
    return { replacements, results };
  }

  const ctx = transformContext(config, chosen.choice, rules.rules);
  const outcomes = items.map((item) => ({ item, outcome: transformItem(item, ctx) }));
  // Duplicate workloads: which copy would kpt or the API server keep? Change neither; say so.
  const groups = new Map<string, ItemSource[]>();
  for (const { item, outcome } of outcomes) if (outcome.identity !== undefined) groups.set(outcome.identity, [...(groups.get(outcome.identity) ?? []), item]);
  const duplicated = new Set<ItemSource>();
  for (const group of groups.values()) if (group.length > 1) for (const item of group) duplicated.add(item);
  let changed = false;
  for (const { item, outcome } of outcomes) {
    if (duplicated.has(item)) {
      const group = groups.get(outcome.identity!)!;
      if (item === group[1]) {
        results.push({
          message: `${group.slice(1).map(itemLabel).join(", ")} repeat${group.length > 2 ? "" : "s"} ${itemLabel(group[0]!)} (same kind, namespace and name); all copies were kept and left as they are, remove all but one`,
          severity: "error",
          ...(item.file ? { file: item.file } : { field: { path: `items[${item.index}]` } }),
        });
      }
      results.push(...outcome.results.filter((r) => r.severity !== "info"));
      continue;
    }
    if (outcome.replacement !== undefined) {
      replacements.set(item.index, outcome.replacement);
      changed = true;
    }
    results.push(...outcome.results);
  }
  if (changed && rules.allPresets) {
    results.push({
      message: `no sidecars were configured, so every preset was used (${rules.rules.map((r) => r.key).join(", ")}); list the ones you run under sidecars to narrow or tune this`,
      severity: "info",
      ...onConfig,
    });
  }
  if (changed && chosen.choice.assumed) {
    results.push({
      message: `strategy auto chose native sidecars: ${chosen.choice.reason}; set kubernetesVersion (and kubeletVersion, if nodes lag) to the target cluster's to be sure`,
      severity: "info",
      ...onConfig,
    });
  }
  return { replacements, results };
}

/** Throws InputError when the input is not a ResourceList at all. */
export function runResourceList(input: string | Uint8Array, options: ReadOptions = {}): RunOutput {
  const src = readResourceList(input, options);
  let out: ItemsOutput;
  try {
    out = processItems(src.items, src.functionConfig, src.problems);
  } catch (e) {
    if (!(e instanceof FastPathDeclined)) throw e;
    // An item outside the light reader's subset: the whole run again, the careful way.
    return runResourceList(input, { ...options, fast: false });
  }
  return { text: writeResourceList(src, out.replacements, out.results), results: out.results, exitCode: exitCode(out.results) };
}
