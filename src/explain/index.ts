/**
 * `sidecar-order --explain [--config FILE] PATH...`: the function runs as usual (nothing is
 * written), with explain: true, and each workload's timeline is printed instead of the stream.
 * Other results go to stderr, as in a plain run.
 */
import { readInputs, shownPath } from "../files";
import { withOptions } from "../front-doors/config";
import { exitCode, formatResults } from "../krm/results";
import { processItems } from "../run";

/** Marks an explanation among the results; the same as ./item.ts's (kept here so the CLI does not load that module up front). */
const EXPLAIN_TAG = "sidecar-order.dev/explain";

export interface ExplainOptions {
  functionConfig: unknown;
  /** The config's own file: never read as a manifest. */
  configPath?: string;
  /** Explain the workloads as they are (mode: check), not as sidecar-order would leave them. */
  check?: boolean;
  readStdin: () => Uint8Array;
}

export function runExplain(paths: readonly string[], opts: ExplainOptions): { stdout: string; stderr: string; exitCode: 0 | 1 } {
  const { sources, problems } = readInputs(paths, { configPath: opts.configPath, readStdin: opts.readStdin });
  const items = sources.flatMap((s) => s.src.items);
  const options: Record<string, string> = { explain: "true" };
  if (opts.check) options["mode"] = "check";
  const { results } = processItems(items, withOptions(opts.functionConfig, options), problems, opts.configPath !== undefined ? { file: shownPath(opts.configPath) } : undefined);
  const stopped = exitCode(results) !== 0;
  const isExplanation = (r: (typeof results)[number]) => r.tags?.[EXPLAIN_TAG] !== undefined;
  const texts = results.filter(isExplanation).map((r) => r.message);
  const stdout = texts.length ? `${texts.join("\n\n")}\n` : "";
  // Only what a reader must know besides the timelines: errors and warnings.
  const others = results.filter((r) => !isExplanation(r) && r.severity !== "info");
  // "No workloads" only when that is why: an error (a bad config) stops the explaining too.
  return { stdout, stderr: formatResults(others) + (texts.length || stopped ? "" : "sidecar-order: no workloads to explain\n"), exitCode: exitCode(results) };
}
