/**
 * Dapr's sidecar (`daprd`).
 * @see https://docs.dapr.io/reference/arguments-annotations-overview/
 */
import { everySecond, type Preset } from "./types";

export const dapr: Preset = {
  name: "dapr",
  title: "Dapr sidecar",
  containerNames: ["daprd"],
  images: ["*/daprd:*", "*/daprd", "*/dapr/daprd*"],
  adminPort: 3500,
  wait: () => ({ none: "daprd has no wait command; the app itself must poll GET localhost:3500/v1.0/healthz/outbound before it uses Dapr" }),
  // No startupProbe upstream; the outbound health endpoint answers once Dapr can serve the app.
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/v1.0/healthz/outbound", port: adminPort } }, timeoutSeconds) }),
  stop: "POST localhost:3500/v1.0/shutdown, or SIGTERM",
  jobExit: "have the app call `curl -fsS -X POST http://localhost:3500/v1.0/shutdown` when it is done",
  sleepBinary: () => undefined,
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: [],
  webhook: {
    inject: [{ key: "dapr.io/enabled", values: ["true"], on: "annotation" }],
    legacy: { none: "Dapr has no switch that holds the app until daprd is ready; the app must poll /v1.0/healthz/outbound" },
    native: { key: "dapr.io/enable-native-sidecar", value: "true" },
  },
};
