/**
 * Consul's data plane (`consul-dataplane`).
 * @see https://developer.hashicorp.com/consul/docs/connect/dataplane/consul-dataplane
 */
import type { Preset } from "./types";

export const consul: Preset = {
  name: "consul",
  title: "Consul dataplane",
  containerNames: ["consul-dataplane"],
  images: ["*/consul-dataplane:*", "*/consul-dataplane"],
  adminPort: 20600,
  // consul-dataplane's source binds /graceful_startup to 127.0.0.1 (cdpLifecycleBindAddr in
  // pkg/consuldp/lifecycle.go) and answers 503 at once while Envoy is not ready: a hook's httpGet
  // goes to the pod IP and is not retried, so it could not wait.
  wait: () => ({
    none: "consul-dataplane has no wait command, and its /graceful_startup endpoint listens on 127.0.0.1 only (lifecycle hooks call the pod IP) and does not block",
  }),
  startupProbe: ({ timeoutSeconds }) => ({
    value: { exec: { command: ["/usr/local/bin/consul-dataplane", "-check-proxy-health"] }, periodSeconds: 1, failureThreshold: timeoutSeconds },
  }),
  stop: "graceful shutdown through /graceful_shutdown on 127.0.0.1:20600",
  jobExit: "have the app call `curl -fsS -X POST http://127.0.0.1:20600/graceful_shutdown` when it is done",
  sleepBinary: () => undefined,
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: ["vault-agent-init"],
};
