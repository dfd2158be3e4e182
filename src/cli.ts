/** The executable: stdin → ResourceList → stdout, exit code from the results. No logic of its own. */
import { readFileSync } from "node:fs";
import { InputError } from "./krm/resource-list";
import { runResourceList } from "./run";
import { VERSION } from "./version";

const USAGE = `sidecar-order ${VERSION}: make sidecars start before the app containers of Kubernetes workloads.

A KRM function: reads a ResourceList on stdin, writes it to stdout with results.

  kpt fn eval DIR --exec sidecar-order -- strategy=legacy sidecars=NAME[,NAME]
  kpt fn eval DIR --exec sidecar-order --fn-config config.yaml
  kpt fn render DIR --allow-exec        (Kptfile pipeline: mutators: - exec: sidecar-order)

Options:
  --help       show this text
  --version    print the version
`;

function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.includes("--version")) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`sidecar-order: unexpected argument ${JSON.stringify(argv[0])}; see --help\n`);
    return 2;
  }
  const input = readFileSync(0);
  const out = runResourceList(input);
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
