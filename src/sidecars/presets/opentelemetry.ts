/**
 * The OpenTelemetry Collector as a sidecar.
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/extension/healthcheckextension
 */
import { everySecond, type Preset } from "./types";

export const opentelemetry: Preset = {
  name: "opentelemetry",
  title: "OpenTelemetry Collector",
  containerNames: ["otc-container", "otel-collector", "opentelemetry-collector"],
  images: ["*opentelemetry-collector*", "*otel/opentelemetry-collector*"],
  adminPort: 13133,
  wait: () => ({ none: "the collector image is distroless: it has no shell and no binary that waits" }),
  // Needs the health_check extension listening on 0.0.0.0:13133 (newer collectors default to localhost).
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/", port: adminPort } }, timeoutSeconds) }),
  stop: "flushes and exits on SIGTERM",
  jobExit: "the collector has no exit endpoint; on clusters before 1.29 run it outside the Job's pod (a DaemonSet or gateway)",
  sleepBinary: () => undefined,
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: [],
};
