/**
 * Istio's proxy (`istio-proxy`, image proxyv2).
 * @see https://istio.io/latest/docs/reference/commands/pilot-agent/#pilot-agent-wait
 */
import { everySecond, imageOf, type Preset } from "./types";

const DEFAULT_PORT = 15021;

export const istio: Preset = {
  name: "istio",
  title: "Istio proxy",
  containerNames: ["istio-proxy"],
  images: ["*/proxyv2:*", "*/proxyv2", "proxyv2:*"],
  adminPort: DEFAULT_PORT,
  wait: ({ adminPort, timeoutSeconds }) => ({
    value: [
      "pilot-agent",
      "wait",
      `--timeoutSeconds=${timeoutSeconds}`,
      ...(adminPort === DEFAULT_PORT ? [] : [`--url=http://localhost:${adminPort}/healthz/ready`]),
    ],
  }),
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/healthz/ready", port: adminPort } }, timeoutSeconds) }),
  // Istio's own native mode drains on preStop instead of exiting.
  nativePreStop: { exec: { command: ["pilot-agent", "request", "--debug-port=15020", "POST", "drain"] } },
  stop: "drains for terminationDrainDuration on SIGTERM; native: preStop `pilot-agent request POST drain`",
  jobExit: "have the app call `curl -fsS -X POST http://localhost:15020/quitquitquit` when it is done",
  sleepBinary: (c) => (/distroless/.test(imageOf(c)) ? undefined : "sleep"),
  stopAfterApp: true,
  initContainersBefore: ["istio-init", "istio-validation"],
  initContainersAfter: ["vault-agent-init"],
  webhook: {
    // A revision label (revision-based injection) opts in; sidecar.istio.io/inject, checked last, decides.
    inject: [
      { key: "istio.io/rev", values: ["*"], on: "label" },
      { key: "sidecar.istio.io/inject", values: ["true"], on: "either" },
    ],
    legacy: { istioProxyConfig: true },
    native: { key: "sidecar.istio.io/nativeSidecar", value: "true" },
  },
};
