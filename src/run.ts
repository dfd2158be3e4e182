/** One ResourceList in, one ResourceList out: config → transform → results. */
import { loadConfig } from "./config/load";
import { exitCode, type Result } from "./krm/results";
import { readResourceList, writeResourceList } from "./krm/resource-list";
import { transformItem } from "./transform";

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
  if (loaded.config && src.problems.length === 0) {
    const seen = new Map<string, number>();
    for (const item of src.items) {
      const outcome = transformItem(item, loaded.config);
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
      if (outcome.replacement !== undefined) replacements.set(item.index, outcome.replacement);
      results.push(...outcome.results);
    }
  }
  return { text: writeResourceList(src, replacements, results), results, exitCode: exitCode(results) };
}
