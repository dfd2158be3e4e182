/** One ResourceList in, one ResourceList out: config → transform → results. */
import { loadConfig } from "./config/load";
import { exitCode, type Result } from "./krm/results";
import { readResourceList, withinLimit, writeResourceList } from "./krm/resource-list";
import { itemLabel, transformContext, transformItem, type ItemOutcome } from "./transform";
import type { ItemSource, ReadOptions } from "./krm/resource-list";
import { chooseStrategy } from "./strategies/choose";
import { FastPathDeclined, lightItemDataIf } from "./krm/scan";
import { resolveRules } from "./sidecars/rules";
import { unusedRules } from "./sidecars/usage";

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

/** Where the config came from, for the plain-manifest front doors. */
export interface ConfigSource {
  /** The config file, as the user would write its path: results about the config name it. */
  file: string;
  /** Options laid over the file from elsewhere (Argo CD's variables): results on them do not name the file. */
  setElsewhere?: readonly string[];
}

/**
 * Config → transform → results over located items, whatever they came from (a ResourceList, a
 * plain YAML stream, files). `problems` are input problems found before: with any, nothing
 * changes. `source`: the config's file, which results about the config then name.
 */

export function processItems(items: readonly ItemSource[], functionConfig: unknown, problems: readonly Result[] = [], source?: ConfigSource): ItemsOutput {
  const results: Result[] = [...problems];
  const onConfigResult = (r: Result): Result => (source ? fromConfigFile(r, source) : r);
  const loaded = loadConfig(functionConfig);
  results.push(...loaded.results.map(onConfigResult));
  const replacements = new Map<number, string>();
  const config = loaded.config;
  const onConfig = loaded.ref ? { resourceRef: loaded.ref } : {};
  const chosen = config ? chooseStrategy(config) : undefined;
  for (const note of chosen?.notes ?? []) results.push(onConfigResult({ message: note.message, severity: note.severity, ...onConfig, field: { path: note.field } }));
  // checkSeverity applies to check results only: set beside mode: apply, it is a no-op, said.
  if (config && config.mode === "apply" && config.checkSeverity !== "error") {
    results.push(onConfigResult({ message: `checkSeverity ${config.checkSeverity} applies only with mode: check, and the mode is apply, so it changes nothing; remove it, or set mode: check`, severity: "warning", ...onConfig, field: { path: "checkSeverity" } }));
  }
  const rules = config ? resolveRules(config) : undefined;
  for (const p of rules?.problems ?? []) results.push(onConfigResult({ message: `invalid functionConfig: ${p.message}`, severity: "error", ...onConfig, field: { path: p.path } }));
  if (!config || !chosen || !rules || exitCode(results) !== 0) {
    // Nothing is transformed, but the items must still be what the fast path took them for.
    for (const item of items) if (item.light) lightItemDataIf(item, () => false);
    return { replacements, results };
  }

  const ctx = transformContext(config, chosen.choice, rules.rules);
  // Only outcomes that say or change something are kept: on a big re-render almost nothing is,
  // so little stays alive for the garbage collector to copy while the items are read.
  const outcomes: (ItemOutcome | undefined)[] = new Array<ItemOutcome | undefined>(items.length);
  const firstWith = new Map<string, number>();
  // Duplicate workloads: which copy would kpt or the API server keep? Change neither; say so.
  const copies = new Map<number, number[]>(); // every copy's position → all copies' positions
  const copiesOf = new Map<number[], string>(); // each group of copies → the identity they share
  items.forEach((item, i) => {
    const outcome = transformItem(item, ctx);
    if (outcome.replacement !== undefined || outcome.results.length > 0) outcomes[i] = outcome;
    if (outcome.identity === undefined) return;
    const first = firstWith.get(outcome.identity);
    if (first === undefined) return void firstWith.set(outcome.identity, i);
    const group = copies.get(first) ?? [first];
    group.push(i);
    copies.set(first, group).set(i, group);
    copiesOf.set(group, outcome.identity);
  });
  let changed = false;
  items.forEach((item, i) => {
    const outcome = outcomes[i];
    const group = copies.get(i);
    if (group) {
      if (i === group[1]) {
        const [original, ...repeats] = group.map((k) => items[k]!);
        // The identity is group/kind/namespace/name (no part of it holds a slash).
        const [, kind, namespace, name] = copiesOf.get(group)!.split("/");
        const what = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
        results.push({
          message: `${repeats.map(itemLabel).join(", ")} repeat${repeats.length > 1 ? "" : "s"} ${itemLabel(original!)}: ${repeats.length > 1 ? "all are" : "both are"} ${what} (same kind, namespace and name); all copies were kept and left as they are, remove all but one`,
          severity: "error",
          ...(item.file ? { file: item.file } : { field: { path: `items[${item.index}]` } }),
        });
      }
      // Nothing changes in a copy: only its errors are said, not risks of changes not made.
      if (outcome) results.push(...outcome.results.filter((r) => r.severity === "error"));
      return;
    }
    if (!outcome) return;
    if (outcome.replacement !== undefined) {
      replacements.set(item.index, outcome.replacement);
      changed = true;
    }
    results.push(...outcome.results);
  });
  // A configured sidecar that matched nothing anywhere is a no-op the user should hear about.
  if (!rules.allPresets) for (const p of unusedRules(rules.rules, ctx.usage)) results.push(onConfigResult({ message: p.message, severity: "warning", ...onConfig, field: { path: p.path } }));
  // `sidecars: []` (or kpt's `sidecars=`, an unset variable in a script) with nothing else naming one.
  if (!rules.allPresets && rules.rules.length === 0 && ctx.usage.workloads > 0 && ctx.usage.found === 0) {
    const n = ctx.usage.workloads;
    results.push(onConfigResult({
      message: `sidecars is empty and no workload names its sidecars in the sidecar-order.dev/sidecars annotation, so nothing was ordered in ${n > 1 ? `the ${n} workloads` : "the one workload"}; list the sidecars you run, or leave sidecars out to use every preset`,
      severity: "warning",
      ...onConfig,
      field: { path: "sidecars" },
    }));
  }
  if (changed && rules.allPresets) {
    results.push(onConfigResult({
      message: `no sidecars were configured, so every preset was used (${rules.rules.map((r) => r.key).join(", ")}); list the ones you run under sidecars to narrow or tune this`,
      severity: "info",
      ...onConfig,
    }));
  }
  if (changed && chosen.choice.assumed) {
    results.push(onConfigResult({
      message: `strategy auto chose native sidecars: ${chosen.choice.reason}; set kubernetesVersion (and kubeletVersion, if nodes lag) to the target cluster's to be sure`,
      severity: "info",
      ...onConfig,
    }));
  }
  return { replacements, results };
}

/** A result about the config, said of the file it came from (unless an option laid over it is at stake). */
function fromConfigFile(r: Result, source: ConfigSource): Result {
  const path = r.field?.path;
  if (path !== undefined && source.setElsewhere?.some((k) => path === k || path.startsWith(`${k}[`) || path.startsWith(`${k}.`))) return r;
  const invalid = "invalid functionConfig: ";
  return r.message.startsWith(invalid) ? { ...r, message: `invalid config in ${source.file}: ${r.message.slice(invalid.length)}` } : { ...r, file: { path: source.file } };
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
  return { text: withinLimit(writeResourceList(src, out.replacements, out.results)), results: out.results, exitCode: exitCode(out.results) };
}
