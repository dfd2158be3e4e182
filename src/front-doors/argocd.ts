/**
 * Argo CD's config management plugin `generate`: run in the application's directory with Argo
 * CD's build environment, print the ordered manifests (YAML only) on stdout.
 *
 * - A directory with a kustomization is built with `kustomize build .` first; any other
 *   directory is read as plain manifests (*.yaml, *.yml and Kubernetes *.json, recursively; a
 *   Kptfile is left out).
 * - Config: `.sidecar-order.yaml` in the app directory (or the `config` parameter's file), with
 *   plugin parameters and `ARGOCD_ENV_*` variables laid over it; `KUBE_VERSION` (the destination
 *   cluster's) gives the version when neither sets one.
 * - On success nothing goes to stderr: Argo CD 3 appends a plugin's stderr to its manifests. The
 *   results are written as YAML comments after the manifests instead; on failure they go to stderr
 *   (Argo CD shows it) and the exit code is 1.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/config-management-plugins/
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { editDistance, loadConfig, nearest } from "../config/load";
import { InputError } from "../krm/resource-list";
import { formatResult, formatResults, oneLine, type Result } from "../krm/results";
import { runFiles } from "../files";
import { withCommentLines } from "../krm/stream";
import { OPTION_KEYS, clusterVersion, findConfig, hasKubernetesVersion, readConfigFile, withOptions } from "./config";

export interface GenerateOutput {
  stdout: string;
  stderr: string;
  exitCode: 0 | 1;
}

type Env = Readonly<Record<string, string | undefined>>;

const KUSTOMIZATIONS = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** `KUBERNETES_VERSION`, `kubernetesVersion` and `kubernetes-version` all name `kubernetesVersion`. */
function optionKey(name: string): string | undefined {
  const flat = name.replace(/[_-]/g, "").toLowerCase();
  return OPTION_KEYS.find((k) => k.toLowerCase() === flat);
}

/**
 * The option a variable's name misspells, if it is a near miss: one letter off, two for options of
 * eight letters or more. Options of fewer than six letters (mode) are left out, as too many
 * everyday words (NODE, ZONE) are a letter or two from them, and so are names that hold an option
 * whole (DB_CONFIG, STRATEGY_V2): another tool's, named after it on purpose.
 */
function typoOf(suffix: string): string | undefined {
  const flat = suffix.replace(/[_-]/g, "").toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of [...OPTION_KEYS, "config"]) {
    const o = option.toLowerCase();
    if (o.length < 6 || flat.includes(o)) continue;
    const d = editDistance(flat, o);
    if (d <= (o.length >= 8 ? 2 : 1) && d < bestDistance) [best, bestDistance] = [option, d];
  }
  return best;
}

/** An option's name as an environment variable spells it: kubernetesVersion, KUBERNETES_VERSION. */
function envName(option: string): string {
  return option.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** One plugin parameter as Argo CD passes it in ARGOCD_APP_PARAMETERS. */
interface Parameter {
  name?: unknown;
  string?: unknown;
  array?: unknown;
}

/**
 * Options from the build environment: `ARGOCD_ENV_<NAME>` (the Application's plugin env) and the
 * plugin parameters (ARGOCD_APP_PARAMETERS; parameters win). An unknown parameter is an error: it
 * can only come from the Application, and a typo would otherwise be ignored.
 */
export function optionsFromEnv(env: Env): { options: Record<string, string>; configFile?: string; errors: string[] } {
  const options: Record<string, string> = {};
  /** Where each option came from, in the user's words: `ARGOCD_ENV_STRATEGY`, `the strategy parameter`. */
  const from: Record<string, string> = {};
  const errors: string[] = [];
  let configFile: string | undefined;
  for (const [name, value] of Object.entries(env)) {
    // An empty variable is an unset one (a Helm value or an Application left blank).
    if (!name.startsWith("ARGOCD_ENV_") || value === undefined || value === "") continue;
    const suffix = name.slice("ARGOCD_ENV_".length);
    const key = optionKey(suffix);
    if (key) [options[key], from[key]] = [value, name];
    else if (suffix.toLowerCase() === "config") configFile = value;
    else {
      // The Application's plugin env may carry other tools' variables too: only a near miss of an option is a typo.
      const near = typoOf(suffix);
      if (near) errors.push(`${name} is not an option sidecar-order knows; did you mean ARGOCD_ENV_${envName(near)}?`);
    }
  }
  const raw = env["ARGOCD_APP_PARAMETERS"];
  if (raw) {
    let params: unknown;
    try {
      params = JSON.parse(raw);
    } catch {
      errors.push("ARGOCD_APP_PARAMETERS is not JSON");
    }
    for (const p of Array.isArray(params) ? (params as Parameter[]) : []) {
      if (typeof p.name !== "string") continue;
      const value = typeof p.string === "string" ? p.string : Array.isArray(p.array) ? p.array.map(String).join(",") : undefined;
      // An empty parameter is an unset one, as an empty variable is.
      if (value === undefined || value === "") continue;
      if (p.name === "config") {
        configFile = value;
        continue;
      }
      const key = optionKey(p.name);
      if (key) [options[key], from[key]] = [value, `the ${p.name} parameter`];
      else {
        const near = nearest(p.name, [...OPTION_KEYS, "config"]);
        errors.push(`unknown plugin parameter "${p.name}"${near ? `; did you mean "${near}"?` : `; the parameters are ${[...OPTION_KEYS, "config"].join(", ")}`}`);
      }
    }
  }
  // Each value is checked on its own, so a bad one is named as the user set it (not as the data of a ConfigMap they never wrote).
  for (const [key, value] of Object.entries(options)) {
    const loaded = loadConfig({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { [key]: value } });
    for (const r of loaded.results) {
      if (r.severity !== "error") continue;
      // A variable or parameter is a string already: YAML's quoting advice does not apply to it.
      const said = r.message.replace(/^invalid functionConfig: /, "").replace(`data.${key}: `, "").replace(`data.${key} `, `${key} `).replace(/; quote it, e\.g\. .*$/, "").replace(/; if you meant (\S+), quote it: .*$/, "; did you mean $1?");
      errors.push(`${from[key]}: ${said}`);
    }
  }
  return configFile === undefined ? { options, errors } : { options, configFile, errors };
}

/** The manifests of the app directory as one stream: kustomize's output, or the files themselves. */
function kustomizeBuild(dir: string, env: Env): Uint8Array {
  const bin = env["SIDECAR_ORDER_KUSTOMIZE"] || "kustomize";
  const flags = (env["SIDECAR_ORDER_KUSTOMIZE_OPTIONS"] ?? "").split(/\s+/).filter((f) => f !== "");
  const r = spawnSync(bin, ["build", ...flags, "."], { cwd: dir, env: env as NodeJS.ProcessEnv, maxBuffer: 1 << 30 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new InputError(
      missing
        ? `${dir} has a kustomization, but \`${bin}\` was not found; put kustomize on the sidecar's PATH or set SIDECAR_ORDER_KUSTOMIZE to its path`
        : `\`${bin} build\` could not run: ${r.error.message}`,
    );
  }
  if (r.status !== 0) throw new InputError(`\`${bin} build ${[...flags, "."].join(" ")}\` failed: ${oneLine(r.stderr.toString("utf8").trim())}`);
  return r.stdout;
}

export function runArgoGenerate(dir: string, env: Env): GenerateOutput {
  const fromEnv = optionsFromEnv(env);
  if (fromEnv.errors.length > 0) return { stdout: "", stderr: fromEnv.errors.map((e) => `sidecar-order: ${e}\n`).join(""), exitCode: 1 };
  const configPath = fromEnv.configFile !== undefined ? configInRepo(dir, fromEnv.configFile, env) : undefined;
  const found = configPath !== undefined ? { functionConfig: readConfigFile(configPath, "the config parameter's file"), path: configPath } : findConfig(undefined, dir);
  const options = { ...fromEnv.options };
  const notes: Result[] = [];
  const kube = env["KUBE_VERSION"];
  if (kube && !hasKubernetesVersion(withOptions(found.functionConfig, options))) {
    const version = clusterVersion(kube);
    if (version) options["kubernetesVersion"] = version;
    else notes.push({ message: `KUBE_VERSION ${JSON.stringify(kube)} is not a Kubernetes version; it was not used`, severity: "warning" });
  }
  const functionConfig = withOptions(found.functionConfig, options);
  const kustomized = KUSTOMIZATIONS.some((k) => existsSync(join(dir, k)));
  const stream = kustomized ? kustomizeBuild(dir, env) : undefined;
  // Plain manifests: every YAML file but the Kptfile (kpt's, not the cluster's) and the config.
  const paths = kustomized ? ["-"] : ["."];
  const out = withCwd(dir, () =>
    runFiles(paths, {
      functionConfig,
      ...(found.path ? { configPath: found.path } : {}),
      // kubernetesVersion answers for the strategy's version checks too.
      setElsewhere: Object.keys(options).includes("kubernetesVersion") ? [...Object.keys(options), "strategy"] : Object.keys(options),
      inPlace: false,
      readStdin: () => stream ?? new Uint8Array(),
      skipKptfile: true,
    }),
  );
  if (out.exitCode !== 0) return { stdout: out.stdout, stderr: formatResults(notes) + out.stderr, exitCode: 1 };
  const comments = [...notes.map(formatResult), ...out.stderr.split("\n").filter((l) => l !== "")];
  return { stdout: withCommentLines(out.stdout, comments), stderr: "", exitCode: 0 };
}

/**
 * The config parameter's file: a path relative to the app directory that stays inside the
 * repository (the app directory less ARGOCD_APP_SOURCE_PATH, Argo CD's path of the app in the
 * repo; the app directory itself when that is not set). A file outside is never read: an
 * Application's parameters must not reach the repo server's own files.
 */
function configInRepo(dir: string, file: string, env: Env): string {
  if (isAbsolute(file)) throw new InputError(`the config parameter ${JSON.stringify(file)} is an absolute path; give the file's path relative to the app directory (e.g. config/sidecar-order.yaml)`);
  const app = resolve(dir);
  const source = (env["ARGOCD_APP_SOURCE_PATH"] ?? "").replace(/^\.?\/+|\/+$/g, "");
  const root = source && source !== "." && app.endsWith(sep + source.split("/").join(sep)) ? app.slice(0, app.length - source.length - 1) : app;
  const path = resolve(app, file);
  // Where it really is: a link inside the repository may lead out of it. A file that is not
  // there is said to be missing when it is read.
  const pairs: (readonly [string, string])[] = [[root, path]];
  if (existsSync(path)) pairs.push([realpathSync(root), realpathSync(path)]);
  for (const [from, to] of pairs) {
    const inside = relative(from, to);
    if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new InputError(`the config parameter ${JSON.stringify(file)} leads outside the ${root === app ? "app directory" : "repository"}; give a file inside it`);
    }
  }
  return path;
}

/** Paths in results read relative to the app directory, as the user wrote them in the repo. */
function withCwd<T>(dir: string, f: () => T): T {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return f();
  } finally {
    process.chdir(before);
  }
}
