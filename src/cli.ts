/** The executable: argv, stdin/stdout and the exit code; the work happens elsewhere. */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { runFiles } from "./files";
import { InputError } from "./krm/resource-list";
import { PLUGIN_NAME, runPlugin } from "./kustomize-plugin";
import { runResourceList } from "./run";
import { VERSION } from "./version";

export const USAGE = `sidecar-order ${VERSION}
Makes the sidecars of Kubernetes workloads start before the app containers (and, natively,
stop after them): native sidecars (an init container with restartPolicy: Always gated by a
startupProbe) where the cluster has them, else the sidecar first in spec.containers with a
postStart hook that waits until it is ready. Knows istio, linkerd, kuma, consul,
cloud-sql-proxy, dapr, opentelemetry and vault.

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
Exit code: 1 when a result is an error (the output is still written), else 0.
`;

function main(argv: string[]): number {
  const invokedAs = basename(process.argv[1] ?? "");
  const pluginConfig = argv.length === 1 && process.env["KUSTOMIZE_PLUGIN_CONFIG_STRING"] !== undefined;
  if (invokedAs === PLUGIN_NAME || pluginConfig) {
    const out = runPlugin(argv[0] ?? "", readFileSync(0));
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
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
    process.stderr.write(`sidecar-order: ${(e as Error).message}; see --help\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    const out = runFiles(positionals, { config: values.config, inPlace: values["in-place"] === true, readStdin: () => readFileSync(0) });
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.exitCode;
  }
  if (values.config !== undefined || values["in-place"]) {
    process.stderr.write("sidecar-order: --config and --in-place need PATH arguments (a KRM function takes its config from the ResourceList); see --help\n");
    return 2;
  }
  const out = runResourceList(readFileSync(0));
  process.stdout.write(out.text);
  return out.exitCode;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // Never a stack trace: one line that says what is wrong (set SIDECAR_ORDER_DEBUG for more).
  const message = e instanceof InputError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
  process.stderr.write(`sidecar-order: ${message}\n`);
  if (process.env["SIDECAR_ORDER_DEBUG"] && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
