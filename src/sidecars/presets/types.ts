/**
 * A preset is what sidecar-order knows about one real sidecar: how to recognise it, how to wait
 * for it (legacy), how to probe it (native), how it stops, and how an app in a Job stops it.
 * Data plus small functions; adding a sidecar is one file here and its test.
 */
import type { PresetName } from "../../config/schema";
import type { Container, Handler, Probe } from "../../pod/types";

/** What a preset's functions may look at. */
export interface PresetInput {
  container: Container;
  adminPort: number;
  timeoutSeconds: number;
  /** The pod template's annotations (some proxies read their ports from them). */
  annotations: Record<string, string>;
}

/** A value, or the reason there is none (said in a warning), with what the user can change to have one. */
export type Maybe<T> = { value: T } | { none: string; fix?: string };

export interface WebhookSwitches {
  /** Annotations or labels (key → values meaning "on"; "*" is any value) that opt a pod template into injection; the last one present decides. */
  inject: { key: string; values: string[]; on: "annotation" | "label" | "either" }[];
  /** Pod-template annotation that holds the app until the injected proxy is ready (legacy). */
  legacy?: { key: string; value: string } | { istioProxyConfig: true } | { none: string };
  /** Pod-template annotation that makes the injected proxy a native sidecar. */
  native?: { key: string; value: string } | { none: string };
}

export interface Preset {
  name: PresetName;
  /** Human name, e.g. "Istio proxy". */
  title: string;
  containerNames: string[];
  /** Image globs. */
  images: string[];
  /** Admin or health port the wait command and probe use. */
  adminPort: number;
  /** The admin port the container's own args set, when they set one (it wins over adminPort). */
  adminPortFromArgs?(container: Container): number | undefined;
  /**
   * Args a container needs for the wait command and probe to work (the README's table shows what
   * they give then; without them the preset gives none, and says why).
   * @default none
   */
  documentedArgs?: readonly string[];
  /** Legacy: the postStart exec command that returns once the sidecar is ready. */
  wait(input: PresetInput): Maybe<string[]>;
  /** Native: the startupProbe. */
  startupProbe(input: PresetInput): Maybe<Probe>;
  /** Native: a preStop hook that drains without exiting, added when the sidecar has no preStop. */
  nativePreStop?(input: PresetInput): Maybe<Handler>;
  /** Whether a postStart command is this sidecar's own wait (any flags): a native startupProbe makes it redundant. */
  isWait?(command: readonly string[]): boolean;
  /** What a graceful stop looks like (README). */
  stop: string;
  /** How an app in a Job stops the sidecar when it is done (legacy). */
  jobExit: string;
  /** Legacy stopAfterApp: the `sleep` binary in this image, if it has one. */
  sleepBinary(container: Container): string | undefined;
  /** Legacy stopAfterApp default. */
  stopAfterApp: boolean;
  /** Init containers that must finish before the sidecar starts (native). */
  initContainersBefore: string[];
  /** Init containers that need the sidecar (native), e.g. vault-agent-init after a mesh proxy. */
  initContainersAfter: string[];
  /** Problems with how the container is set up for what we emit (warnings). */
  check?(input: PresetInput): PresetCheck[];
  /** For proxies a webhook injects at admission. */
  webhook?: WebhookSwitches;
}

/** `--timeout=120s`-style durations. */
export const seconds = (n: number) => `${n}s`;

/** Every second, for as long as the sidecar may take. */
export function everySecond(handler: Handler, timeoutSeconds: number): Probe {
  return { ...handler, periodSeconds: 1, failureThreshold: timeoutSeconds };
}

export function argsOf(c: Container): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])].filter((a): a is string => typeof a === "string");
}

/** `[binary, subcommand?]` of a command, the binary without its directory. */
export function commandHead(command: readonly string[]): [string, string | undefined] {
  return [(command[0] ?? "").replace(/^.*\//, ""), command[1]];
}

export const imageOf = (c: Container) => (typeof c.image === "string" ? c.image : "");

/** A set-up problem a preset found, said after `sidecar "name"`. */
export interface PresetCheck {
  message: string;
  /** Only a problem under this strategy (e.g. what only the kubelet's probes need). */
  strategy?: "legacy" | "native";
}
