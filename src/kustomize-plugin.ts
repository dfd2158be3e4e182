/**
 * kustomize's legacy exec plugin protocol, which `kubectl kustomize --enable-alpha-plugins` still
 * runs (it skips `exec:` KRM functions): the executable lives at
 * `$KUSTOMIZE_PLUGIN_HOME/fn.sidecar-order.dev/v1alpha1/sidecarorder/SidecarOrder`, gets the
 * transformer's config file as its first argument, and reads and writes a plain YAML stream.
 * @see https://kubectl.docs.kubernetes.io/guides/extending_kustomize/exec_plugins/
 */
import { exitCode, formatResults } from "./krm/results";
import { readStream, writeStream } from "./krm/stream";
import { readConfigFile } from "./files";
import { processItems } from "./run";

export const PLUGIN_NAME = "SidecarOrder";

export function runPlugin(configFile: string, stdin: Uint8Array): { stdout: string; stderr: string; exitCode: 0 | 1 } {
  const src = readStream(stdin, "the resources from kustomize");
  const { replacements, results } = processItems(src.items, readConfigFile(configFile), src.problems);
  return { stdout: writeStream(src, replacements), stderr: formatResults(results), exitCode: exitCode(results) };
}
