/** One ResourceList in, one ResourceList out: config → transform → results. */
import { loadConfig } from "./config/load";
import { exitCode, type Result } from "./krm/results";
import { readResourceList, writeResourceList } from "./krm/resource-list";
import { transformItem } from "./transform";
import { atLeast, chooseStrategy, parseVersion } from "./strategies/choose";
import { resolveRules } from "./sidecars/rules";
import type { Config } from "./config/schema";

/** The preStop sleep action is on from 1.30 (beta); only trust it when both versions say so. */
function hasSleepAction(config: Config): boolean {
  const v = config.kubeletVersion ?? config.kubernetesVersion;
  const api = config.kubernetesVersion;
  return v !== undefined && api !== undefined && atLeast(parseVersion(v), { major: 1, minor: 30 }) && atLeast(parseVersion(api), { major: 1, minor: 30 });
}

export interface RunOutput {
  /** The ResourceList to write to stdout. */
  text: string;
  /** The results this run added. */
  results: Result[];
  exitCode: 0 | 1;
}

/** Throws InputError when the input is not a ResourceList at all. */
export function runResourceList(input: string | Uint8Array): RunOutput {
  const src = readResourceList(input);
  const results: Result[] = [...src.problems];
  const loaded = loadConfig(src.functionConfig);
  results.push(...loaded.results);
  const replacements = new Map<number, string>();
  const config = loaded.config;
  const onConfig = loaded.ref ? { resourceRef: loaded.ref } : {};
  const chosen = config ? chooseStrategy(config) : undefined;
  for (const note of chosen?.notes ?? []) results.push({ message: note.message, severity: note.severity, ...onConfig, field: { path: note.field } });
  const rules = config ? resolveRules(config) : undefined;
  for (const p of rules?.problems ?? []) results.push({ message: `invalid functionConfig: ${p.message}`, severity: "error", ...onConfig, field: { path: p.path } });
  if (config && chosen && rules && src.problems.length === 0 && exitCode(results) === 0) {
    const ctx = { config, choice: chosen.choice, rules: rules.rules, sleepAction: hasSleepAction(config) };
    const seen = new Map<string, number>();
    let changed = false;
    for (const item of src.items) {
      const outcome = transformItem(item, ctx);
      if (outcome.identity !== undefined) {
        const first = seen.get(outcome.identity);
        if (first !== undefined) {
          results.push({
            message: `items[${item.index}] repeats items[${first}] (same kind, namespace and name); both were kept, remove one`,
            severity: "error",
            field: { path: `items[${item.index}]` },
          });
        } else seen.set(outcome.identity, item.index);
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
        ...(loaded.ref ? { resourceRef: loaded.ref } : {}),
      });
    }
  }
  return { text: writeResourceList(src, replacements, results), results, exitCode: exitCode(results) };
}
