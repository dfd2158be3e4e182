/**
 * The Vault agent sidecar (`vault-agent`); its init container `vault-agent-init` needs the
 * network, so it must run after a native mesh proxy.
 * @see https://developer.hashicorp.com/vault/docs/platform/k8s/injector/annotations
 */
import type { Preset } from "./types";

export const vault: Preset = {
  name: "vault",
  title: "Vault agent",
  containerNames: ["vault-agent"],
  // By name only: the vault image also runs Vault servers, which are no sidecars.
  images: [],
  adminPort: 8200,
  wait: () => ({ none: "the Vault agent has no wait command or readiness endpoint; its init container vault-agent-init renders the first secrets before the app starts" }),
  startupProbe: () => ({ none: "the Vault agent has no health endpoint to probe" }),
  stop: "revokes its token on exit (preStop)",
  jobExit: "set vault.hashicorp.com/agent-pre-populate-only: \"true\" so only the init container runs",
  sleepBinary: () => "sleep",
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: [],
};
