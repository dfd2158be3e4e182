/**
 * Istio's proxy (`istio-proxy`, image proxyv2).
 * @see https://istio.io/latest/docs/reference/commands/pilot-agent/#pilot-agent-wait
 */
import { ISTIO_REQUEST_PORTS, ISTIO_STATUS_PORT_ANNOTATION, istioStatusPort } from "../../facts/meshes";
import { commandHead, everySecond, imageOf, type Preset } from "./types";

const DEFAULT_PORT = 15021;

/** Why pilot-agent cannot be asked whether it is ready, or undefined when it can. */
function noStatusServer(annotations: Record<string, string>): string | undefined {
  const port = istioStatusPort(annotations);
  if (port === 0) return `the pod template sets ${ISTIO_STATUS_PORT_ANNOTATION}: "0", so pilot-agent runs no status server and its readiness endpoint (/healthz/ready on 15021) never answers`;
  if (port === undefined) return `the pod template's ${ISTIO_STATUS_PORT_ANNOTATION} is not a port number, so Istio's injector would reject the pod`;
  return undefined;
}

export const istio: Preset = {
  name: "istio",
  title: "Istio proxy",
  containerNames: ["istio-proxy"],
  images: ["*/proxyv2:*", "*/proxyv2", "proxyv2:*"],
  // Envoy's health listener: it forwards /healthz/ready to the agent's status port, wherever
  // status.sidecar.istio.io/port puts it, so probes and `pilot-agent wait` stay on 15021.
  adminPort: DEFAULT_PORT,
  wait: ({ adminPort, timeoutSeconds, annotations }) => {
    const none = noStatusServer(annotations);
    if (none) return { none };
    return {
      value: ["pilot-agent", "wait", `--timeoutSeconds=${timeoutSeconds}`, ...(adminPort === DEFAULT_PORT ? [] : [`--url=http://localhost:${adminPort}/healthz/ready`])],
    };
  },
  startupProbe: ({ adminPort, timeoutSeconds, annotations }) => {
    const none = noStatusServer(annotations);
    if (none) return { none };
    return { value: everySecond({ httpGet: { path: "/healthz/ready", port: adminPort } }, timeoutSeconds) };
  },
  // Istio's own native injection drains on preStop (on the agent's status port) instead of exiting.
  nativePreStop: ({ annotations }) => {
    const none = noStatusServer(annotations);
    if (none) return { none };
    const port = istioStatusPort(annotations)!;
    if (!ISTIO_REQUEST_PORTS.includes(port)) {
      return { none: `its status port is ${port} (${ISTIO_STATUS_PORT_ANNOTATION}), and pilot-agent request refuses every --debug-port but ${ISTIO_REQUEST_PORTS.join(", ")}` };
    }
    return { value: { exec: { command: ["pilot-agent", "request", `--debug-port=${port}`, "POST", "drain"] } } };
  },
  isWait: (command) => {
    const [bin, sub] = commandHead(command);
    return bin === "pilot-agent" && sub === "wait";
  },
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
