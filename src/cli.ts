/** The executable: argv, stdin/stdout and the exit code; the work happens elsewhere. */
import { fstatSync, readFileSync, writeSync } from "node:fs";
import { basename } from "node:path";
import { isatty } from "node:tty";
import { parseArgs } from "node:util";
import { nearest } from "./config/load";
import { runFiles } from "./files";
import { runArgoGenerate } from "./front-doors/argocd";
import { runExplain } from "./explain/index";
import { CONFIG_FILE, findConfig, modeOf, withOptions } from "./front-doors/config";
import { InputError } from "./krm/resource-list";
import { formatResults, oneLine } from "./krm/results";
import { withCommentLines } from "./krm/stream";
import { PLUGIN_NAME, runPlugin } from "./kustomize-plugin";
import { runResourceList } from "./run";
import { USAGE_SHORT } from "./usage";
import { VERSION } from "./version";

/** Fill words into lines of at most `width` characters. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}

export const USAGE = `sidecar-order ${VERSION}
${wrap(`${USAGE_SHORT} Knows istio, linkerd, kuma, consul, cloud-sql-proxy, dapr, opentelemetry and vault.`)}

As a KRM function (a ResourceList on stdin, the result on stdout):
  kpt fn eval DIR --exec sidecar-order -- kubernetesVersion=1.30 sidecars=istio,cloud-sql-proxy
  kpt fn eval DIR --exec sidecar-order --fn-config sidecar-order.yaml
  kpt fn render DIR --allow-exec     # Kptfile: pipeline.mutators: [{exec: sidecar-order, configPath: ...}]
  kustomize build --enable-alpha-plugins --enable-exec DIR   # transformers: with an exec function

On plain manifests (results on stderr):
  sidecar-order [--config FILE] [--in-place | --check] PATH...   # files, directories, - for stdin
  helm install REL CHART --post-renderer sidecar-order [--post-renderer-args --config=FILE]
  helm template REL CHART | sidecar-order --check -
Config: --config FILE, else ${CONFIG_FILE} in the working directory, else the defaults.

As a kustomize legacy exec plugin (kubectl kustomize --enable-alpha-plugins): install this file as
  $KUSTOMIZE_PLUGIN_HOME/fn.sidecar-order.dev/v1alpha1/sidecarorder/SidecarOrder
As Argo CD's config management plugin: sidecar-order --argocd (its generate command; see the README).

Options:
  --config FILE     functionConfig for plain manifests (kind SidecarOrder, or a ConfigMap)
  --in-place        rewrite the files instead of printing the stream (nothing is written on an error)
  --check           change nothing, print nothing but the results: exit 1 when a workload needs a change
  --format FORMAT   text (default), or github: results as GitHub Actions annotations on stdout
                    (with --check or --in-place), or comments: results as YAML comments after
                    the stream when the run succeeds (Helm 3 shows a post-renderer's stderr only
                    on failure: --post-renderer-args --format=comments)
  --explain         print each workload's predicted start and shutdown timeline (from the kubelet
                    model) as sidecar-order would leave it; with --check, as it is now
  --argocd          Argo CD plugin generate: order the manifests of the working directory
  --help            show this text
  --version         print the version

Config (kind SidecarOrder, apiVersion fn.sidecar-order.dev/v1alpha1) fields: strategy
(auto|native|legacy), kubernetesVersion, kubeletVersion, sidecars (preset/name/image, wait,
startupProbe, after, ...), mode (apply|check), selectors, exclude. See the README.
Exit code: 1 when a result is an error (the output is still written; --in-place then writes
nothing), 2 for a usage error, else 0.
`;

/** Where the executable reads and writes; tests and the build's warm-up pass their own. */
export interface Io {
  readStdin(): Uint8Array;
  out(text: string): void;
  err(text: string): void;
  /** The name the executable was started as (a kustomize plugin is started as SidecarOrder). */
  invokedAs: string;
  env: Record<string, string | undefined>;
  /** The working directory (where .sidecar-order.yaml is looked for); default the process's. */
  cwd?: () => string;
  /** Whether stdin is a terminal: then nobody is piping input, and waiting for it would hang. */
  stdinIsTTY?: () => boolean;
}

/**
 * Write all of `text` to a file descriptor, synchronously: cheaper to start than process.stdout
 * (which a cold process has to build), and done before the exit code is set.
 */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      // The reader has gone (`| head`): nothing more can be written, and no one is there to be told.
      if ((e as NodeJS.ErrnoException).code === "EPIPE") return;
      // A non-blocking pipe that is full: wait for the reader.
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

/**
 * A terminal is a character device: a pipe or a file (every kpt, kustomize and Helm run) is
 * answered by one fstat, and node:tty (which loads Node's streams, milliseconds in a cold
 * process) is asked only about character devices such as a terminal or /dev/null.
 */
function stdinIsTerminal(): boolean {
  try {
    if (!fstatSync(0).isCharacterDevice()) return false;
  } catch {
    return false; // stdin closed: not a terminal (isatty says the same)
  }
  return isatty(0);
}

export const processIo: Io = {
  readStdin: () => readFileSync(0),
  out: (t) => writeAll(1, t),
  err: (t) => writeAll(2, t),
  invokedAs: basename(process.argv[1] ?? ""),
  env: process.env,
  cwd: () => process.cwd(),
  stdinIsTTY: () => stdinIsTerminal(),
};

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  config: { type: "string" },
  "in-place": { type: "boolean" },
  check: { type: "boolean" },
  format: { type: "string" },
  argocd: { type: "boolean" },
  explain: { type: "boolean" },
} as const;

interface Options {
  help?: boolean;
  version?: boolean;
  config?: string;
  "in-place"?: boolean;
  check?: boolean;
  format?: string;
  argocd?: boolean;
  explain?: boolean;
}

class UsageError extends Error {}

/** The options and paths, or a UsageError in the user's words (Node's own text quotes oddly). */
function parseOptions(argv: string[]): { values: Options; positionals: string[] } {
  // kpt and kustomize pass no arguments: loading Node's parser would cost about 0.5 ms of each run.
  if (argv.length === 0) return { values: {}, positionals: [] };
  const { values, positionals, tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: OPTIONS });
  const names = Object.keys(OPTIONS);
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = (OPTIONS as Record<string, { type: string }>)[t.name];
    if (!spec) {
      const near = nearest(t.name, names);
      throw new UsageError(`unknown option ${t.rawName}${near ? `; did you mean --${near}?` : ""}`);
    }
    if (spec.type === "string" && t.value === undefined) throw new UsageError(`--${t.name} needs a value: --${t.name} ${t.name === "format" ? "github" : "FILE"}`);
    if (spec.type === "boolean" && t.value !== undefined) throw new UsageError(`--${t.name} takes no value (got --${t.name}=${t.value})`);
  }
  return { values: values as Options, positionals };
}

/**
 * Whether stdin is a ResourceList (kpt, kustomize) rather than a plain manifest stream (Helm's
 * post-renderer, a pipe): its top-level mapping says `kind: ResourceList` or a
 * config.kubernetes.io apiVersion. Only the top level counts: a manifest may well hold those words
 * in a string or a nested map (a ConfigMap carrying a test fixture). Read as latin1: only ASCII is
 * looked for, and nothing is validated twice.
 */
export function looksLikeResourceList(input: Uint8Array): boolean {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const head = bytes.toString("latin1", 0, Math.min(bytes.length, HEAD_BYTES));
  const flow = FLOW_ROOT.exec(head);
  if (flow) return flowRootIsResourceList(bytes.toString("latin1"), flow[0].length - 1);
  // Block style: a top-level key is a line at column 0. Cut after a newline: every way the regex
  // matches lies within one line, so a match in the head is a match in the whole, and a list
  // whose head says so is not decoded a second time.
  const cut = bytes.length > HEAD_BYTES ? head.lastIndexOf("\n") : -1;
  if (cut !== -1 && TOP_LEVEL_RESOURCE_LIST.test(head.slice(0, cut + 1))) return true;
  return TOP_LEVEL_RESOURCE_LIST.test(bytes.toString("latin1"));
}

const TOP_LEVEL_RESOURCE_LIST = /^kind[ \t]*:[ \t]*(["']?)ResourceList\1[ \t]*(?:#.*)?$|^apiVersion[ \t]*:[ \t]*["']?config\.kubernetes\.io\//m;

/** kpt and kustomize write a ResourceList's own keys first: the head is looked at before the whole input. */
const HEAD_BYTES = 4096;

/** Text (a BOM in latin1, blank and comment lines, a `---` line) before a `{` that opens the document: JSON or flow style. A comment runs to its line's end, so the many ways a line of `#`s could be split are never tried. */
const FLOW_ROOT = /^(?:\xEF\xBB\xBF)?(?:[ \t\r\n]|#[^\n]*(?:\n|$))*(?:---[ \t\r]*(?:#[^\n]*)?(?:\n|$)(?:[ \t\r\n]|#[^\n]*(?:\n|$))*|---[ \t]*)?\{/;

/** Flow-style tokens, after any white space: quoted scalars, indicators, comments, and plain words (a `:` inside a word, as in an image tag, stays in it). */
const FLOW_TOKEN = /\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[{}[\],:]|#[^\n]*|(?:[^\s{}[\],:#"']|:(?![\s{}[\],]|$))(?:[^\s{}[\],:]|:(?![\s{}[\],]|$))*)/y;

/** Whether the outermost mapping of the flow text opening at `open` has kind ResourceList or a config.kubernetes.io apiVersion (keys in nested maps do not count). */
function flowRootIsResourceList(text: string, open: number): boolean {
  let depth = 0;
  let scalar: string | undefined; // the last scalar at depth 1: a key if a `:` follows
  let key: string | undefined; // a depth-1 key waiting for its value
  FLOW_TOKEN.lastIndex = open;
  for (let m = FLOW_TOKEN.exec(text); m; m = FLOW_TOKEN.exec(text)) {
    const t = m[1]!;
    if (t[0] === "#") continue;
    if (t === "{" || t === "[") {
      depth++;
      key = scalar = undefined;
    } else if (t === "}" || t === "]") {
      if (--depth <= 0) return false;
      key = scalar = undefined;
    } else if (t === ":") {
      key = depth === 1 ? scalar : undefined;
      scalar = undefined;
    } else if (t === ",") {
      key = scalar = undefined;
    } else if (depth === 1) {
      const value = unquoted(t);
      if (key === "kind" && value === "ResourceList") return true;
      if (key === "apiVersion" && value.startsWith("config.kubernetes.io/")) return true;
      scalar = key === undefined ? value : undefined;
      key = undefined;
    }
  }
  return false;
}

function unquoted(token: string): string {
  if (token[0] === "'") return token.slice(1, -1).replace(/''/g, "'");
  if (token[0] !== '"') return token;
  try {
    return JSON.parse(token) as string;
  } catch {
    return token.slice(1, -1);
  }
}

function main(argv: string[], io: Io): number {
  const invokedAs = io.invokedAs;
  const pluginConfig = argv.length === 1 && io.env["KUSTOMIZE_PLUGIN_CONFIG_STRING"] !== undefined;
  if (invokedAs === PLUGIN_NAME || pluginConfig) {
    const out = runPlugin(argv[0] ?? "", io.readStdin());
    io.out(out.stdout);
    io.err(out.stderr);
    return out.exitCode;
  }
  let parsed;
  try {
    parsed = parseOptions(argv);
    usageRules(parsed.values, parsed.positionals);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`sidecar-order: ${e.message}; see --help\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const cwd = io.cwd?.() ?? process.cwd();
  if (values.argocd) return emit(io, runArgoGenerate(cwd, io.env));
  // (--check and --explain need PATH arguments, and --format github --check or --in-place, which do;
  // with none, --config and --format comments are left to refuse for a ResourceList.)
  const plainOnly = values.config !== undefined;
  let stdin: Uint8Array | undefined;
  if (positionals.length === 0) {
    if (io.stdinIsTTY?.()) {
      io.err("sidecar-order: nothing to read: pipe manifests or a ResourceList into it, or give PATH arguments; see --help\n");
      return 2;
    }
    stdin = io.readStdin();
    if (looksLikeResourceList(stdin)) {
      if (plainOnly) throw new InputError("stdin is a ResourceList, which carries its own functionConfig: --config is for plain manifests (set the options, mode: check among them, in the functionConfig instead)");
      if (values.format !== undefined) throw new InputError("stdin is a ResourceList, which carries its results in its own results field: --format is for plain manifests");
      const out = runResourceList(stdin);
      io.out(out.text);
      // Some callers show only stderr on failure (standalone kustomize says "exit status 1"): say why there too.
      if (out.exitCode !== 0) io.err(formatResults(out.results.filter((r) => r.severity === "error")));
      return out.exitCode;
    }
  }
  // Plain manifests: files, or a stream on stdin (Helm's --post-renderer, a pipe).
  const found = findConfig(values.config, cwd);
  if (values["in-place"] && modeOf(found.functionConfig) === "check") {
    io.err(`sidecar-order: ${found.path ?? "the config"} sets mode: check, which changes nothing, and --in-place asks to rewrite the files: remove one of them (or use --check); see --help\n`);
    return 2;
  }
  const input = stdin;
  if (values.explain) {
    const check = values.check === true;
    return emit(io, runExplain(positionals, { functionConfig: found.functionConfig, ...(found.path !== undefined ? { configPath: found.path } : {}), check, readStdin: () => input ?? io.readStdin() }));
  }
  const out = runFiles(positionals.length > 0 ? positionals : ["-"], {
    functionConfig: values.check ? withOptions(found.functionConfig, { mode: "check" }) : found.functionConfig,
    ...(found.path !== undefined ? { configPath: found.path } : {}),
    inPlace: values["in-place"] === true,
    check: values.check === true,
    format: values.format === "github" ? "github" : "text",
    readStdin: () => input ?? io.readStdin(),
  });
  // On a failure the caller shows stderr (Helm 3 does); on success only the stream.
  if (values.format === "comments" && out.exitCode === 0) return emit(io, { stdout: withCommentLines(out.stdout, out.stderr.split("\n").filter((l) => l !== "")), stderr: "", exitCode: 0 });
  return emit(io, out);
}

/** Combinations that cannot mean anything, refused before any input is read. */
function usageRules(values: Options, positionals: readonly string[]): void {
  if (values.format !== undefined && values.format !== "text" && values.format !== "github" && values.format !== "comments") {
    throw new UsageError(`--format ${values.format} is not a format: use text, github or comments`);
  }
  if (values.format === "comments" && (values.check || values["in-place"])) {
    throw new UsageError("--format comments writes the results after the stream: leave out --check and --in-place, which print no stream");
  }
  if (values.check && values["in-place"]) throw new UsageError("--check and --in-place cannot go together: --check changes nothing");
  if (values.format === "github" && !values.check && !values["in-place"]) {
    throw new UsageError("--format github prints GitHub workflow commands on stdout, where the stream would go: add --check (or --in-place)");
  }
  if (values.argocd && (positionals.length > 0 || values.config !== undefined || values.check || values["in-place"] || values.format !== undefined)) {
    throw new UsageError("--argocd takes no paths or other options: it reads the working directory and Argo CD's environment");
  }
  // Helm runs a post-renderer with no PATH and takes its stdout for the release's manifests: results
  // there would install an empty release (and an upgrade would delete everything), so say it.
  if ((values.check || values.explain) && positionals.length === 0 && !values.argocd) {
    const flag = values.explain ? "--explain" : "--check";
    throw new UsageError(`${flag} needs PATH arguments: it prints ${values.explain ? "timelines" : "results"}, not manifests, so as Helm's --post-renderer it would hand Helm a release without them; for a chart, pipe its rendered output in: \`helm template REL CHART | sidecar-order ${flag} -\``);
  }
  if (values["in-place"] && (positionals.length === 0 || positionals.includes("-"))) {
    throw new UsageError("--in-place needs file or directory arguments (stdin cannot be rewritten)");
  }
  if (values.explain && (values["in-place"] || values.format !== undefined)) throw new UsageError("--explain prints timelines, not the stream or results: leave out --in-place and --format");
}

function emit(io: Io, out: { stdout: string; stderr: string; exitCode: 0 | 1 }): number {
  io.out(out.stdout);
  io.err(out.stderr);
  return out.exitCode;
}

/** Run the executable; returns the exit code. Never throws, never prints a stack trace. */
export function cli(argv: string[], io: Io = processIo): number {
  try {
    return main(argv, io);
  } catch (e) {
    // One line that says what is wrong (set SIDECAR_ORDER_DEBUG for more).
    const message = e instanceof InputError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
    io.err(`sidecar-order: ${oneLine(message)}\n`);
    if (io.env["SIDECAR_ORDER_DEBUG"] && e instanceof Error) io.err(`${e.stack}\n`);
    return 1;
  }
}
