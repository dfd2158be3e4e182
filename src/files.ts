/**
 * Plain files, without kpt: `sidecar-order [--config FILE] [--in-place] PATH...` reads manifests
 * (files, directories, `-` for stdin), writes the transformed stream to stdout or rewrites the
 * files in place, and prints the results readably on stderr.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { InputError } from "./krm/resource-list";
import { exitCode, formatResults } from "./krm/results";
import { readStream, writeStream, type StreamSource } from "./krm/stream";
import { processItems } from "./run";

export interface FilesOptions {
  /** A functionConfig file (SidecarOrder or ConfigMap). */
  config?: string;
  inPlace: boolean;
  /** Reads stdin, for `-`. */
  readStdin: () => Uint8Array;
}

export interface FilesOutput {
  stdout: string;
  stderr: string;
  exitCode: 0 | 1;
  /** Files rewritten (in place). */
  written: string[];
}

const MANIFEST = /\.ya?ml$/i;

/** Every manifest a path names: a file, or the YAML files below a directory (sorted, hidden ones skipped). */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (MANIFEST.test(entry.name) || entry.name === "Kptfile") out.push(p);
    }
  };
  for (const p of paths) {
    if (p === "-") out.push(p);
    else if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
    else if (statSync(p, { throwIfNoEntry: false })) out.push(p);
    else throw new InputError(`${p}: no such file or directory`);
  }
  return out;
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new InputError(`--config ${path}: cannot read the file`);
  }
  try {
    return parse(text, { prettyErrors: false });
  } catch (e) {
    throw new InputError(`--config ${path} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}

export function runFiles(paths: readonly string[], opts: FilesOptions): FilesOutput {
  const files = expandPaths(paths);
  const sources: { path: string; src: StreamSource }[] = [];
  let next = 0;
  for (const path of files) {
    const bytes = path === "-" ? opts.readStdin() : readFileSync(path);
    const name = path === "-" ? "stdin" : path;
    const src = readStream(bytes, name, next, path === "-" ? undefined : path);
    next += src.items.length;
    sources.push({ path, src });
  }
  const functionConfig = opts.config !== undefined ? readConfigFile(opts.config) : undefined;
  const { replacements, results } = processItems(
    sources.flatMap((s) => s.src.items),
    functionConfig,
    sources.flatMap((s) => s.src.problems),
  );
  const code = exitCode(results);
  const stderr = formatResults(results);
  const written: string[] = [];
  let stdout = "";
  for (const [i, { path, src }] of sources.entries()) {
    const text = writeStream(src, replacements);
    if (opts.inPlace && path !== "-") {
      // Like kpt: on an error nothing is written.
      if (code === 0 && src.items.some((item) => replacements.has(item.index))) {
        writeFileSync(path, text);
        written.push(path);
      }
      continue;
    }
    if (i > 0 && stdout !== "" && !text.startsWith("---")) stdout += stdout.endsWith("\n") ? "---\n" : "\n---\n";
    stdout += text;
  }
  return { stdout, stderr, exitCode: code, written };
}
