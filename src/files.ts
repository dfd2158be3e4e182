/**
 * Plain manifests, without kpt: `sidecar-order [--config FILE] [--in-place | --check] PATH...`
 * reads manifests (files, directories, `-` for stdin: Helm's post-renderer stream), writes the
 * transformed stream to stdout or rewrites the files in place, and prints the results readably on
 * stderr (or as GitHub workflow commands on stdout).
 */
import { chmodSync, chownSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { isMap, parseAllDocuments, visit } from "yaml";
import { githubCommands } from "./front-doors/github";
import { InputError, decode, type ItemSource } from "./krm/resource-list";
import { exitCode, formatResults, type Result } from "./krm/results";
import { blockEndJoinable, joined, readStream, writeStream, type StreamSource } from "./krm/stream";
import { processItems } from "./run";

import { readConfigFile } from "./front-doors/config";

export { readConfigFile };

export interface FilesOptions {
  /** The functionConfig (SidecarOrder or ConfigMap), already read; undefined for the defaults. */
  functionConfig?: unknown;
  /** The file it was read from: never read as a manifest itself. */
  configPath?: string;
  /** Options laid over the config file from elsewhere (Argo CD's variables): results on them do not name the file. */
  setElsewhere?: readonly string[];
  /** A config file to read, when `functionConfig` is not given (library callers). */
  config?: string;
  inPlace: boolean;
  /** Check mode: nothing is printed or written but the results (the config's mode is set to check by the caller). */
  check?: boolean;
  /** `github`: results as workflow commands on stdout instead of lines on stderr. */
  format?: "text" | "github";
  /** Leave out Kptfiles (kpt's own, never the cluster's: Argo CD applies what it gets). */
  skipKptfile?: boolean;
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

const MANIFEST = /\.(?:ya?ml|json)$/i;
const JSON_FILE = /\.json$/i;

/**
 * Every manifest a path names: a file, or the YAML files below a directory (sorted, hidden ones
 * skipped). A symbolic link counts as what it points to; a file reached twice (through a link, or
 * named as `x` and `./x`) is read once. Below a directory only regular files are read: a FIFO or a
 * device named `*.yaml` there could block the run.
 */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  // Files and directories by device and inode: a symbolic link, `x` and `./x`, a hard link.
  const seen = new Set<string>();
  const first = (p: string) => {
    const id = fileId(p) ?? p;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  const add = (p: string) => {
    if (first(p)) out.push(p);
  };
  const walk = (dir: string) => {
    if (!first(dir)) return; // a link back up the tree, or a directory named twice
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const p = join(dir, entry.name);
      const manifest = MANIFEST.test(entry.name) || entry.name === "Kptfile";
      let st: Pick<Stats, "isDirectory" | "isFile"> | undefined = entry;
      let broken: string | undefined;
      if (entry.isSymbolicLink()) {
        try {
          st = statSync(p, { throwIfNoEntry: false });
          if (!st) broken = `a symbolic link to ${readlinkSync(p)}, which does not exist`;
        } catch (e) {
          // A loop of links, or a target this user may not read.
          st = undefined;
          broken = (e as NodeJS.ErrnoException).code === "ELOOP" ? "a symbolic link that leads back to itself" : `a symbolic link that cannot be followed (${osReason(e)})`;
        }
      }
      if (!st) {
        if (manifest) throw new InputError(`${p} is ${broken}; remove the link or restore its target`);
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (manifest && st.isFile()) add(p);
    }
  };
  for (const p of paths) {
    if (p === "-") {
      out.push(p);
      continue;
    }
    let st: Stats | undefined;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      throw new InputError((e as NodeJS.ErrnoException).code === "ELOOP" ? `${p} is a symbolic link that leads back to itself` : `${p} cannot be read: ${osReason(e)}`);
    }
    if (!st) throw new InputError(`${p}: no such file or directory`);
    if (st.isDirectory()) walk(p);
    else add(p);
  }
  return out;
}

/**
 * Rewrite files all or nothing, as far as a file system allows: every new text is written to a
 * temporary file beside its target (same mode and owner) before any target is replaced by a
 * rename, so a full disk or a failed write leaves every file as it was. Through a symbolic link
 * the file it names is rewritten and the link stays. A file a rename would not keep what it is
 * (a hard link, a file this user could not give back its owner, one whose directory takes no new
 * file, one mounted on its own) is overwritten in place instead, after the others are staged.
 */
/** A file's new text, and the bytes it was read as (to put back if overwriting it in place fails). */
interface Write {
  path: string;
  text: string;
  original: Uint8Array;
}

function replaceFiles(writes: readonly Write[]): void {
  const staged: (Write & { tmp: string; target: string })[] = [];
  const inPlace: (Write & { target: string })[] = [];
  const uid = process.getuid?.();
  let failed: { path: string; error: unknown } | undefined;
  for (const w of writes) {
    const { path, text } = w;
    try {
      const target = realpathSync(path);
      const st = statSync(target);
      if (st.nlink > 1 || (uid !== undefined && uid !== 0 && st.uid !== uid)) {
        inPlace.push({ ...w, target });
        continue;
      }
      let tmp: string;
      try {
        tmp = stage(target, text);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EACCES" && code !== "EPERM") throw e;
        inPlace.push({ ...w, target }); // the directory takes no new file; the file itself may be writable
        continue;
      }
      try {
        chownSync(tmp, st.uid, st.gid);
      } catch {
        // Not this user's to give (a group it is not in): the file keeps its owner only if overwritten.
        rmSync(tmp, { force: true });
        inPlace.push({ ...w, target });
        continue;
      }
      staged.push({ ...w, tmp, target });
      chmodSync(tmp, st.mode & 0o7777);
    } catch (error) {
      failed = { path, error };
      break;
    }
  }
  if (failed) {
    for (const { tmp } of staged) rmSync(tmp, { force: true });
    throw new InputError(`could not write ${failed.path}: ${osReason(failed.error)}; no file was changed`);
  }
  const done: string[] = [];
  const cleanUp = () => {
    for (const { tmp } of staged) rmSync(tmp, { force: true });
  };
  const others = () => (done.length ? `already rewritten: ${done.join(", ")}` : "no other file was changed");
  // Overwriting truncates first: a write cut short (a full disk) puts back the bytes the file was read as.
  const write = ({ path, text, target, original }: Write & { target: string }) => {
    try {
      writeFileSync(target, text);
    } catch (error) {
      let restored = "it was put back as it was";
      try {
        writeFileSync(target, original);
      } catch (again) {
        restored = `putting it back failed too (${osReason(again)})`;
      }
      cleanUp();
      throw new InputError(`could not write ${path}: ${osReason(error)}; ${restored}; ${others()}`);
    }
    done.push(path);
  };
  for (const w of inPlace) write(w);
  for (const s of staged) {
    try {
      renameSync(s.tmp, s.target);
      done.push(s.path);
    } catch (e) {
      // A file mounted on its own (docker -v file:file, a Kubernetes subPath) cannot be replaced, only overwritten.
      rmSync(s.tmp, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EBUSY" && code !== "EXDEV" && code !== "EPERM") {
        cleanUp();
        throw new InputError(`could not write ${s.path}: ${osReason(e)}; ${others()}`);
      }
      write(s);
    }
  }
}

/** Write `text` to a new hidden file beside `target`; its path. Created exclusively, so a failed write only ever removes its own file. */
function stage(target: string, text: string): string {
  for (let n = 0; ; n++) {
    const tmp = join(dirname(target), `.${basename(target)}.sidecar-order-${process.pid}-${n}.tmp`);
    try {
      writeFileSync(tmp, text, { flag: "wx" });
      return tmp;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && n < 100) continue;
      // Created by this call and then cut short (a full disk): it is this run's own to remove.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") rmSync(tmp, { force: true });
      throw e;
    }
  }
}

/**
 * Whether a .json file met below a directory (not named by the user) is left out, and what is
 * said: one that is no Kubernetes object is left out with a warning; one that looks like
 * Kubernetes objects but is not one object (several values one after another, an array) with an
 * error, since a silent loss would have Argo CD prune them.
 */
export function leftOutJson(path: string, bytes: Uint8Array, named: readonly string[]): Result | undefined {
  if (!JSON_FILE.test(path) || named.includes(path)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8").replace(/^\uFEFF/, "");
  let v: unknown;
  let one = true;
  try {
    v = JSON.parse(text);
  } catch {
    one = false;
  }
  const o = v as Record<string, unknown>;
  if (one && typeof v === "object" && v !== null && !Array.isArray(v) && typeof o["apiVersion"] === "string" && typeof o["kind"] === "string") return undefined;
  const what = !one ? "is not one JSON value (several objects one after another, or JSON with comments)" : Array.isArray(v) ? "is a JSON array, not an object" : "is a JSON file but not a Kubernetes object (no apiVersion and kind)";
  if (/"apiVersion"/.test(text)) {
    return { message: `${path} ${what}, which sidecar-order does not read (kubectl reads one object, a List, or YAML documents), so nothing was changed; write its objects as one of those`, severity: "error", file: { path } };
  }
  return { message: `${path} ${what}, so it was left out`, severity: "warning", file: { path } };
}

/** A config file's path as the user would write it: relative to the working directory when under it. */
export function shownPath(path: string): string {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith("..") && !isAbsolute(near) ? near : path;
}

/** A file's device and inode: the same file, whatever path names it; undefined when it cannot be read. */
export function fileId(path: string): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : undefined;
}

/** What a file system error says, without its code and system call ("ENOSPC: no space left on device, write"). */
function osReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^[A-Z]+: /, "").replace(/, \w+(?: '.*')?$/, "");
}

/**
 * A Go template (a Helm chart's templates/) is not YAML yet: `{{ .Values.x }}` either fails to
 * parse or parses as a mapping whose key is a mapping, which no Kubernetes object has. Block
 * scalars (alerting templates in a ConfigMap) are strings and are not mistaken for one.
 */
function templateLine(text: string, parseFailed: boolean): number | undefined {
  if (!text.includes("{{")) return undefined;
  let found = parseFailed;
  if (!found) {
    const docs = parseAllDocuments(text);
    for (const doc of Array.isArray(docs) ? docs : []) {
      visit(doc, {
        Map: (_, map) => {
          if (map.items.some((p) => isMap(p.key))) {
            found = true;
            return visit.BREAK;
          }
          return undefined;
        },
      });
      if (found) break;
    }
  }
  if (!found) return undefined;
  const i = text.split("\n").findIndex((l) => l.includes("{{") && !l.trimStart().startsWith("#"));
  return i === -1 ? undefined : i + 1;
}

function readManifests(bytes: Uint8Array, name: string, firstIndex: number, path: string | undefined): StreamSource {
  // Decoded once, here: a file that is no UTF-8 text (or breaks lines with a lone CR) is said as such,
  // and only text is looked at for a chart template's `{{`.
  let text: string;
  try {
    text = decode(bytes);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.message.replace(/^input\b/, name));
    throw e;
  }
  let src: StreamSource | undefined;
  let failure: unknown;
  try {
    src = readStream(text, name, firstIndex, path);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    failure = e;
  }
  const line = templateLine(text, failure !== undefined);
  if (line !== undefined) {
    throw new InputError(
      `${name} is a template, not YAML yet (\`{{\` on line ${line}); render it first, e.g. \`helm template RELEASE CHART | sidecar-order -\`, or run sidecar-order as Helm's --post-renderer`,
    );
  }
  if (failure) throw failure;
  return src!;
}

/** The manifests the paths name, each file read once, and what was said while reading them. */
export interface Inputs {
  sources: { path: string; src: StreamSource; bytes: Uint8Array }[];
  /** Files left out (a .json that is no Kubernetes object) and documents that are not objects. */
  problems: Result[];
}

/**
 * Read the paths as the plain-manifest front doors do: files and directories (see expandPaths),
 * `-` for stdin; the config's own file is never read as a manifest, whatever path (a link, `./`)
 * names it; a directory's .json files that are no Kubernetes object are left out, and said.
 */
export function readInputs(paths: readonly string[], opts: { configPath?: string | undefined; skipKptfile?: boolean | undefined; readStdin: () => Uint8Array }): Inputs {
  const skip = opts.configPath !== undefined ? fileId(opts.configPath) : undefined;
  const wanted = (p: string) => p === "-" || ((skip === undefined || fileId(p) !== skip) && !(opts.skipKptfile && basename(p) === "Kptfile"));
  const sources: Inputs["sources"] = [];
  const leftOut: Result[] = [];
  let next = 0;
  for (const path of expandPaths(paths).filter(wanted)) {
    let bytes: Uint8Array;
    try {
      bytes = path === "-" ? opts.readStdin() : readFileSync(path);
    } catch (e) {
      if (path === "-") throw e;
      throw new InputError(`${path} cannot be read: ${osReason(e)}`); // gone or unreadable since it was listed
    }
    const left = path === "-" ? undefined : leftOutJson(path, bytes, paths);
    if (left) {
      leftOut.push(left);
      continue;
    }
    const src = readManifests(bytes, path === "-" ? "stdin" : path, next, path === "-" ? undefined : path);
    next += src.items.length;
    sources.push({ path, src, bytes });
  }
  return { sources, problems: [...leftOut, ...sources.flatMap((s) => s.src.problems)] };
}

const CONFIG_KIND = /^kind:[ \t]*["']?SidecarOrder["']?[ \t]*(?:#.*)?$/m;
const CONFIG_API = /^apiVersion:[ \t]*["']?fn\.sidecar-order\.dev\//m;

/**
 * A SidecarOrder among the manifests (a kpt package's own, its Kptfile's configPath): plain files
 * take their config from --config or .sidecar-order.yaml, so it is passed through unused, and
 * said, or a check of the package would quietly apply other settings than its kpt pipeline does.
 */
function configsAmongManifests(items: readonly ItemSource[], configPath: string | undefined): Result[] {
  const used = configPath !== undefined ? `the config in use is ${shownPath(configPath)}` : "no --config was given and there is no .sidecar-order.yaml, so the defaults were used";
  return items
    .filter((item) => CONFIG_KIND.test(item.body) && CONFIG_API.test(item.body))
    .map((item) => ({
      severity: "warning" as const,
      message: `this SidecarOrder is among the manifests, where it is only passed through: plain files take their config from --config FILE (or .sidecar-order.yaml), and ${used}; to order these manifests by it, run with --config ${item.file?.path ?? "FILE"}`,
      ...(item.file ? { file: item.file } : {}),
    }));
}

export function runFiles(paths: readonly string[], opts: FilesOptions): FilesOutput {
  const configPath = opts.configPath ?? opts.config;
  const functionConfig = opts.functionConfig === undefined && opts.config !== undefined ? readConfigFile(opts.config) : opts.functionConfig;
  const { sources, problems } = readInputs(paths, { configPath, skipKptfile: opts.skipKptfile, readStdin: opts.readStdin });
  problems.push(...configsAmongManifests(sources.flatMap((s) => s.src.items), configPath));
  // A gate pointed at the wrong directory would pass in silence.
  if (!paths.includes("-") && sources.every((s) => s.src.items.length === 0)) {
    problems.push({ severity: "warning", message: `no Kubernetes objects were found in ${paths.join(", ")} (a directory is read for its .yaml, .yml and .json files, its subdirectories too), so nothing was ${opts.check ? "checked" : "ordered"}` });
  }
  // Results about the config name its file, which the user may not know was read (.sidecar-order.yaml).
  const { replacements, results } = processItems(
    sources.flatMap((s) => s.src.items),
    functionConfig,
    problems,
    configPath !== undefined ? { file: shownPath(configPath), ...(opts.setElsewhere ? { setElsewhere: opts.setElsewhere } : {}) } : undefined,
  );
  const code = exitCode(results);
  const github = opts.format === "github";
  const report = github ? githubCommands(results, new Map(sources.map((s) => [s.path, s.src.text]))) : formatResults(results);
  const written: string[] = [];
  if (opts.check) return { stdout: github ? report : "", stderr: github ? "" : report, exitCode: code, written };
  let stdout = "";
  const writes: Write[] = [];
  for (const [i, { path, src, bytes }] of sources.entries()) {
    const text = writeStream(src, replacements);
    if (opts.inPlace && path !== "-") {
      // Like kpt: on an error nothing is written.
      if (code === 0 && src.items.some((item) => replacements.has(item.index))) writes.push({ path, text, original: bytes });
      continue;
    }
    // A file that ends in a block scalar with no line break would gain one in its value when the
    // next file is joined on: it is written so that it reads the same alone and in the stream.
    const own = i < sources.length - 1 && !text.endsWith("\n") ? blockEndJoinable(text) : text;
    stdout += i > 0 && stdout !== "" ? joined(stdout, own) : own;
  }
  replaceFiles(writes);
  written.push(...writes.map((w) => w.path));
  // The results above may say what changed (or an error may stop the run before any item): on an
  // error nothing was written, and that must be said.
  if (opts.inPlace && code !== 0) {
    const note: Result = { message: "nothing was written: --in-place writes no file while any result is an error; fix the errors and run again", severity: "error" };
    results.push(note);
    return github ? { stdout: report + githubCommands([note], new Map()), stderr: "", exitCode: code, written } : { stdout, stderr: report + formatResults([note]), exitCode: code, written };
  }
  // Workflow commands are read from stdout; the stream is never printed with them (the CLI refuses that).
  if (github) return { stdout: report, stderr: "", exitCode: code, written };
  return { stdout, stderr: report, exitCode: code, written };
}
