/** The executable: argv, stdin/stdout and the exit code; the work happens elsewhere. */
import { readFileSync, writeSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { runFiles } from "./files";
import { InputError } from "./krm/resource-list";
import { formatResults, oneLine } from "./krm/results";
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

On plain files (results on stderr):
  sidecar-order [--config FILE] [--in-place] PATH...   # files, directories, - for stdin

As a kustomize legacy exec plugin (kubectl kustomize --enable-alpha-plugins): install this file as
  $KUSTOMIZE_PLUGIN_HOME/fn.sidecar-order.dev/v1alpha1/sidecarorder/SidecarOrder

Options:
  --config FILE   functionConfig for plain files (kind SidecarOrder, or a ConfigMap)
  --in-place      rewrite the files instead of printing the stream (nothing is written on an error)
  --help          show this text
  --version       print the version

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
      // A non-blocking pipe that is full: wait for the reader.
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

export const processIo: Io = {
  readStdin: () => readFileSync(0),
  out: (t) => writeAll(1, t),
  err: (t) => writeAll(2, t),
  invokedAs: basename(process.argv[1] ?? ""),
  env: process.env,
};

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
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
        config: { type: "string" },
        "in-place": { type: "boolean" },
      },
    });
  } catch (e) {
    io.err(`sidecar-order: ${(e as Error).message}; see --help\n`);
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
  if (positionals.length > 0) {
    const out = runFiles(positionals, { config: values.config, inPlace: values["in-place"] === true, readStdin: io.readStdin });
    io.out(out.stdout);
    io.err(out.stderr);
    return out.exitCode;
  }
  if (values.config !== undefined || values["in-place"]) {
    io.err("sidecar-order: --config and --in-place need PATH arguments (a KRM function takes its config from the ResourceList); see --help\n");
    return 2;
  }
  const out = runResourceList(io.readStdin());
  io.out(out.text);
  // Some callers show only stderr on failure (standalone kustomize says "exit status 1"): say why there too.
  if (out.exitCode !== 0) io.err(formatResults(out.results.filter((r) => r.severity === "error")));
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
