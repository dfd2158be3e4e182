// Paths and settings of the test cluster for the Node modules: the same as lib.sh's, from this
// file's location and cluster.env.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const here = dirname(fileURLToPath(import.meta.url));

/** cluster.env's KEY=VALUE lines. */
export const env = Object.fromEntries(
  readFileSync(join(here, "cluster.env"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);

export const state = join(here, ".state");
export const paths = {
  state,
  pids: join(state, "pids"),
  logs: join(state, "logs"),
  manifests: join(state, "manifests"),
  podLogs: join(state, "pod-logs"),
  containerdSock: join(state, "containerd", "containerd.sock"),
  kubeletLog: join(state, "logs", "kubelet.log"),
  containerdLog: join(state, "logs", "containerd.log"),
  kubeconfig: join(state, "kubeconfig"),
};

export const kubeletPodsUrl = `http://127.0.0.1:${env.KUBELET_READONLY_PORT}/pods`;
