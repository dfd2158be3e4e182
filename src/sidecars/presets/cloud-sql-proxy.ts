/**
 * The Cloud SQL Auth Proxy v2 (`cloud-sql-proxy`).
 * @see https://github.com/GoogleCloudPlatform/cloud-sql-proxy#kubernetes-health-checks
 */
import type { Container } from "../../pod/types";
import { isPlain } from "../../plain";
import { argsOf, commandHead, everySecond, imageOf, seconds, type Preset, type PresetCheck } from "./types";

const DEFAULT_PORT = 9090;

export const cloudSqlProxy: Preset = {
  name: "cloud-sql-proxy",
  title: "Cloud SQL Auth Proxy",
  containerNames: ["cloud-sql-proxy"],
  images: ["*/cloud-sql-proxy:*", "*/cloud-sql-proxy"],
  adminPort: DEFAULT_PORT,
  documentedArgs: ["--health-check", "--http-address=0.0.0.0"],
  // `--http-port=9191`, `--http-port 9191` or CSQL_PROXY_HTTP_PORT moves the health endpoints; probe and wait follow it.
  adminPortFromArgs: (c) => {
    const value = setting(c, "http-port");
    if (typeof value !== "string") return undefined;
    const port = Number(value);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  },
  // Without --health-check the proxy serves no /startup: a wait or probe on it would never succeed,
  // and the pod would never start. None is given then, and the strategy's warning says what to add.
  wait: ({ container, adminPort, timeoutSeconds }) =>
    healthCheck(container)
      ? { value: ["/cloud-sql-proxy", "wait", "--max", seconds(timeoutSeconds), ...(adminPort === DEFAULT_PORT ? [] : [`--http-port=${adminPort}`])] }
      : { none: NO_HEALTH_CHECK, fix: HEALTH_CHECK_FIX },
  isWait: (command) => {
    const [bin, sub] = commandHead(command);
    return bin === "cloud-sql-proxy" && sub === "wait";
  },
  // The kubelet probes the pod's address: a proxy listening on localhost only is held by its wait command instead.
  startupProbe: ({ container, adminPort, timeoutSeconds }) =>
    !healthCheck(container)
      ? { none: NO_HEALTH_CHECK, fix: HEALTH_CHECK_FIX }
      : !allAddresses(container)
        ? { none: "it serves /startup on localhost only, where the kubelet cannot reach it" }
        : { value: everySecond({ httpGet: { path: "/startup", port: adminPort } }, timeoutSeconds) },
  stop: "with --quitquitquit: POST localhost:9091/quitquitquit, or `/cloud-sql-proxy shutdown`; SIGTERM otherwise",
  jobExit: "start the proxy with --quitquitquit and have the app call `curl -fsS -X POST http://localhost:9091/quitquitquit` when it is done",
  // The default image is distroless; the -alpine and -bullseye/-bookworm variants have a shell.
  sleepBinary: (c) => (/-(alpine|bullseye|bookworm)/.test(imageOf(c)) ? "sleep" : undefined),
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: [],
  check: ({ container, adminPort }) => {
    // Only what the probe or wait would rest on: without health checks nothing was assumed.
    const unseen = healthCheck(container) ? ["health-check", "http-address", "http-port"].filter((n) => setting(container, n) === ELSEWHERE) : [];
    const out: PresetCheck[] = [];
    if (unseen.length > 0) {
      const address = allAddresses(container) ? "0.0.0.0" : "localhost";
      out.push({ message: `may take ${unseen.map((n) => `--${n}`).join(", ")} from env that sidecar-order cannot read (envFrom or valueFrom), so it assumed health checks on ${address}, port ${adminPort}; if that is not so, set them in its args or as env values` });
    }
    // Without health checks the strategy warns that nothing holds the app (NO_HEALTH_CHECK, HEALTH_CHECK_FIX).
    if (!healthCheck(container)) return out;
    // The legacy wait runs inside the container, where localhost is fine; the kubelet's probe is not.
    if (!allAddresses(container)) {
      out.push({ message: "serves /startup on localhost only, where the kubelet cannot probe it, so its wait command holds the containers after it instead of a startupProbe; add --http-address=0.0.0.0 to its args (or CSQL_PROXY_HTTP_ADDRESS to its env) for the probe", strategy: "native" });
    }
    return out;
  },
};

const NO_HEALTH_CHECK = "it is not started with --health-check, so it serves no /startup to ask";
const HEALTH_CHECK_FIX = "add --health-check and --http-address=0.0.0.0 to its args (or CSQL_PROXY_HEALTH_CHECK and CSQL_PROXY_HTTP_ADDRESS to its env)";

/** Set where the proxy's own setting cannot be read: an env var from a ConfigMap or Secret. */
const ELSEWHERE = Symbol("set elsewhere");

/**
 * One of the proxy's settings, as it reads them: the flag (`--name`, `--name=value`, `--name
 * value`; a flag with no value is "true") over its CSQL_PROXY_ variable, which upstream's
 * Kubernetes example recommends. ELSEWHERE when the variable, or an envFrom, may set it unseen.
 * @see https://github.com/GoogleCloudPlatform/cloud-sql-proxy/tree/main/examples/k8s-health-check
 */
function setting(c: Container, name: string): string | typeof ELSEWHERE | undefined {
  const args = argsOf(c);
  for (const [i, a] of args.entries()) {
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}`) {
      // A boolean flag takes no separate value (`--health-check false` is the flag and an instance name).
      const next = args[i + 1];
      return name !== "health-check" && next !== undefined && !next.startsWith("-") ? next : "true";
    }
  }
  const variable = `CSQL_PROXY_${name.toUpperCase().replace(/-/g, "_")}`;
  const env = Array.isArray(c.env) ? (c.env as unknown[]).find((e): e is Record<string, unknown> => isPlain(e) && e["name"] === variable) : undefined;
  if (env) return typeof env["value"] === "string" ? env["value"] : env["valueFrom"] !== undefined ? ELSEWHERE : "";
  return Array.isArray(c.envFrom) && c.envFrom.length > 0 ? ELSEWHERE : undefined;
}

/** Go's strconv.ParseBool, which the proxy's flags and variables go through. */
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

function healthCheck(c: Container): boolean {
  const v = setting(c, "health-check");
  return v === ELSEWHERE || (typeof v === "string" && TRUE.has(v));
}

function allAddresses(c: Container): boolean {
  const v = setting(c, "http-address");
  return v === ELSEWHERE || v === "0.0.0.0" || v === "::" || v === "[::]";
}
