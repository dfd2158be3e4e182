/**
 * Linkerd's proxy (`linkerd-proxy`).
 * @see https://linkerd.io/2/reference/proxy-configuration/
 */
import { LINKERD_NATIVE_KEYS } from "../../facts/meshes";
import { commandHead, everySecond, seconds, type Preset } from "./types";

export const linkerd: Preset = {
  name: "linkerd",
  title: "Linkerd proxy",
  containerNames: ["linkerd-proxy"],
  images: ["*/linkerd/proxy:*", "*/linkerd/proxy"],
  adminPort: 4191,
  wait: ({ adminPort, timeoutSeconds }) => ({ value: ["/usr/lib/linkerd/linkerd-await", `--timeout=${seconds(timeoutSeconds)}`, `--port=${adminPort}`] }),
  isWait: (command) => {
    const [bin] = commandHead(command);
    return bin === "linkerd-await";
  },
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/ready", port: adminPort } }, timeoutSeconds) }),
  stop: "exits on SIGTERM; legacy: preStop `/bin/sleep N` (config.alpha.linkerd.io/proxy-wait-before-exit-seconds)",
  jobExit: "enable the proxy's shutdown endpoint (annotation config.linkerd.io/proxy-admin-shutdown: enabled) and have the app call `curl -fsS -X POST http://localhost:4191/shutdown` when it is done",
  // Linkerd's own proxy-wait-before-exit-seconds runs /bin/sleep in this image.
  sleepBinary: () => "/bin/sleep",
  stopAfterApp: true,
  initContainersBefore: ["linkerd-init", "linkerd-network-validator"],
  initContainersAfter: ["vault-agent-init"],
  webhook: {
    inject: [{ key: "linkerd.io/inject", values: ["enabled", "ingress"], on: "annotation" }],
    legacy: { key: "config.linkerd.io/proxy-await", value: "enabled" },
    // The key depends on the release (src/facts/meshes.ts); this one every release with native sidecars reads.
    native: { key: LINKERD_NATIVE_KEYS.alpha, value: "true" },
  },
};
