/**
 * The Cloud SQL Auth Proxy v2 (`cloud-sql-proxy`).
 * @see https://github.com/GoogleCloudPlatform/cloud-sql-proxy#kubernetes-health-checks
 */
import { argsOf, commandHead, everySecond, imageOf, seconds, type Preset, type PresetCheck } from "./types";

const DEFAULT_PORT = 9090;

export const cloudSqlProxy: Preset = {
  name: "cloud-sql-proxy",
  title: "Cloud SQL Auth Proxy",
  containerNames: ["cloud-sql-proxy"],
  images: ["*/cloud-sql-proxy:*", "*/cloud-sql-proxy"],
  adminPort: DEFAULT_PORT,
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
  wait: ({ adminPort, timeoutSeconds }) => ({
    value: ["/cloud-sql-proxy", "wait", "--max", seconds(timeoutSeconds), ...(adminPort === DEFAULT_PORT ? [] : [`--http-port=${adminPort}`])],
  }),
  isWait: (command) => {
    const [bin, sub] = commandHead(command);
    return bin === "cloud-sql-proxy" && sub === "wait";
  },
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/startup", port: adminPort } }, timeoutSeconds) }),
  stop: "with --quitquitquit: POST localhost:9091/quitquitquit, or `/cloud-sql-proxy shutdown`; SIGTERM otherwise",
  jobExit: "start the proxy with --quitquitquit and have the app call `curl -fsS -X POST http://localhost:9091/quitquitquit` when it is done",
  // The default image is distroless; the -alpine and -bullseye/-bookworm variants have a shell.
  sleepBinary: (c) => (/-(alpine|bullseye|bookworm)/.test(imageOf(c)) ? "sleep" : undefined),
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: [],
  check: ({ container }) => {
    const args = argsOf(container);
    const out: PresetCheck[] = [];
    if (!args.includes("--health-check")) out.push({ message: "is not started with --health-check, so its wait command and /startup probe have nothing to ask; add --health-check to its args" });
    if (!args.some((a) => /^--http-address=0\.0\.0\.0$/.test(a)) && !args.includes("0.0.0.0")) {
      // The legacy wait runs inside the container, where localhost is fine; the kubelet's probe is not.
      out.push({ message: "listens for health checks on localhost only, where the kubelet's startupProbe cannot reach it; add --http-address=0.0.0.0 to its args", strategy: "native" });
    }
    return out;
  },
};
