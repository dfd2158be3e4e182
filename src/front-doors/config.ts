/**
 * Where the plain-manifest front doors (files, Helm, Argo CD, pre-commit) find their config:
 * `--config FILE`, else `.sidecar-order.yaml` in the working directory, else the defaults; and
 * options given as strings (a flag, Argo CD's environment) laid over it.
 */
import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { isScalar, parseAllDocuments } from "yaml";
import { InputError, decode } from "../krm/resource-list";
import { CONFIGMAP_KEYS } from "../config/load";
import { isPlain, type Plain } from "../plain";

/** The config file the front doors look for in the working directory (the repo root under pre-commit). */
export const CONFIG_FILE = ".sidecar-order.yaml";

export function readConfigFile(path: string, flag = "--config"): unknown {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const link = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(path) : undefined;
    const code = (e as NodeJS.ErrnoException).code;
    const why = link !== undefined && code === "ENOENT" ? `it is a symbolic link to ${link}, which does not exist` : code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : "cannot read the file";
    throw new InputError(`${flag} ${path}: ${why}`);
  }
  let text: string;
  try {
    // UTF-8, and no carriage return alone (YAML's line break the yaml package reads as none).
    text = decode(bytes);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.message.replace(/^input\b/, `${flag} ${path}`));
    throw e;
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const all = Array.isArray(docs) ? docs : [];
  const error = all.flatMap((d) => d.errors)[0];
  if (error) throw new InputError(`${flag} ${path} is not valid YAML: ${error.message.split("\n")[0]}`);
  // Documents that hold nothing (a trailing `---`, comments only) do not count.
  const used = all.filter((d) => d.contents !== null && !(isScalar(d.contents) && d.contents.value === null));
  if (used.length > 1) throw new InputError(`${flag} ${path} holds ${used.length} YAML documents; a config file holds one (kind SidecarOrder, or a ConfigMap)`);
  try {
    return used[0]?.toJS() ?? null;
  } catch (e) {
    throw new InputError(`${flag} ${path} cannot be read: ${(e as Error).message.split("\n")[0]}`);
  }
}

export interface FoundConfig {
  functionConfig: unknown;
  /** The file it came from, if any. */
  path?: string;
}

/** `--config FILE` when given, else `.sidecar-order.yaml` in `dir` when present, else none (the defaults). */
export function findConfig(explicit: string | undefined, dir: string): FoundConfig {
  if (explicit !== undefined) return { functionConfig: readConfigFile(explicit), path: explicit };
  const local = join(dir, CONFIG_FILE);
  // lstat: a link whose target is gone is a config the user meant, not no config.
  if (lstatSync(local, { throwIfNoEntry: false })) return { functionConfig: readConfigFile(local, "the config file"), path: local };
  return { functionConfig: undefined };
}

/** The option names a string can set, as the ConfigMap form spells them. */
export const OPTION_KEYS: readonly string[] = Object.keys(CONFIGMAP_KEYS);

/**
 * The config with `options` (ConfigMap-style strings: `sidecars: istio,vault`) laid over it.
 * A ConfigMap gets them in `data`; a SidecarOrder gets them converted as a ConfigMap's would be;
 * no config becomes a ConfigMap of them. Anything else is returned as it is, for the loader to refuse.
 */
export function withOptions(functionConfig: unknown, options: Readonly<Record<string, string>>): unknown {
  if (Object.keys(options).length === 0) return functionConfig;
  if (functionConfig === undefined || functionConfig === null) {
    // No name: results then name no ConfigMap the user never wrote.
    return { apiVersion: "v1", kind: "ConfigMap", data: { ...options } };
  }
  if (!isPlain(functionConfig)) return functionConfig;
  if (functionConfig["kind"] === "ConfigMap") {
    const data = isPlain(functionConfig["data"]) ? functionConfig["data"] : {};
    return { ...functionConfig, data: { ...data, ...options } };
  }
  const typed: Plain = { ...functionConfig };
  for (const [key, value] of Object.entries(options)) {
    const convert = CONFIGMAP_KEYS[key];
    typed[key] = convert ? convert(value) : value;
  }
  return typed;
}

/** The config's mode, as a SidecarOrder or a ConfigMap sets it. */
export function modeOf(functionConfig: unknown): unknown {
  if (!isPlain(functionConfig)) return undefined;
  const where = functionConfig["kind"] === "ConfigMap" ? functionConfig["data"] : functionConfig;
  return isPlain(where) ? where["mode"] : undefined;
}

/** Whether the config names the cluster's version already. */
export function hasKubernetesVersion(functionConfig: unknown): boolean {
  if (!isPlain(functionConfig)) return false;
  const where = functionConfig["kind"] === "ConfigMap" ? functionConfig["data"] : functionConfig;
  return isPlain(where) && where["kubernetesVersion"] !== undefined && where["kubernetesVersion"] !== null;
}

/**
 * A cluster's reported version as kubernetesVersion takes it: `1.27.9`, `v1.33.2+k3s1`,
 * `v1.30.4-eks-a737599` as they are (the patch level counts where a known defect was fixed in a
 * patch release). Undefined when it is not a version.
 */
export function clusterVersion(version: string): string | undefined {
  const trimmed = version.trim();
  return /^v?\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?$/.test(trimmed) ? trimmed : undefined;
}
