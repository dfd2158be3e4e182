/**
 * The Cloud SQL Auth Proxy v2 (`cloud-sql-proxy`).
 * @see https://github.com/GoogleCloudPlatform/cloud-sql-proxy#kubernetes-health-checks
 */
import { argsOf, commandHead, everySecond, imageOf, seconds, type Preset } from "./types";

const DEFAULT_PORT = 9090;

export const cloudSqlProxy: Preset = {
  name: "cloud-sql-proxy",
  title: "Cloud SQL Auth Proxy",
  containerNames: ["cloud-sql-proxy"],
  images: ["*/cloud-sql-proxy:*", "*/cloud-sql-proxy"],
  adminPort: DEFAULT_PORT,
  documentedArgs: ["--health-check", "--http-address=0.0.0.0"],
  // `--http-port=9191` or `--http-port 9191` moves the health endpoints; probe and wait follow it.
  adminPortFromArgs: (c) => {
    const args = argsOf(c);
    for (const [i, a] of args.entries()) {
      const value = a.startsWith("--http-port=") ? a.slice("--http-port=".length) : a === "--http-port" ? args[i + 1] : undefined;
      const port = Number(value);
      if (value !== undefined && Number.isInteger(port) && port > 0 && port < 65536) return port;
    }
    return undefined;
  },
  // Without --health-check the proxy serves no /startup: a wait or probe on it would never succeed,
  // and the pod would never start. None is given then (the check below says what to add).
  wait: ({ container, adminPort, timeoutSeconds }) =>
    healthCheck(container)
      ? { value: ["/cloud-sql-proxy", "wait", "--max", seconds(timeoutSeconds), ...(adminPort === DEFAULT_PORT ? [] : [`--http-port=${adminPort}`])] }
      : { none: NO_HEALTH_CHECK },
  isWait: (command) => {
    const [bin, sub] = commandHead(command);
    return bin === "cloud-sql-proxy" && sub === "wait";
  },
  // The kubelet probes the pod's address: a proxy listening on localhost only is held by its wait command instead.
  startupProbe: ({ container, adminPort, timeoutSeconds }) =>
    !healthCheck(container)
      ? { none: NO_HEALTH_CHECK }
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
  check: ({ container }) => {
    if (!healthCheck(container)) {
      return [{ message: "is not started with --health-check, so it serves no /startup, and sidecar-order gives it no wait command or startupProbe: the containers after it may start before it is ready; add --health-check (and --http-address=0.0.0.0) to its args" }];
    }
    // The legacy wait runs inside the container, where localhost is fine; the kubelet's probe is not.
    if (!allAddresses(container)) {
      return [{ message: "serves /startup on localhost only, where the kubelet cannot probe it, so its wait command holds the containers after it instead of a startupProbe; add --http-address=0.0.0.0 to its args for the probe", strategy: "native" }];
    }
    return [];
  },
};

const NO_HEALTH_CHECK = "it is not started with --health-check, so it serves no /startup to ask";

function healthCheck(c: Parameters<typeof argsOf>[0]): boolean {
  return argsOf(c).includes("--health-check");
}

function allAddresses(c: Parameters<typeof argsOf>[0]): boolean {
  const args = argsOf(c);
  return args.some((a) => /^--http-address=0\.0\.0\.0$/.test(a)) || args.includes("0.0.0.0");
}
