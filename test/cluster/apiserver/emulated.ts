/**
 * A second kube-apiserver, the same v1.34 binary run with `--emulated-version=1.MINOR`: the
 * feature gates and APIs of that older minor (kube-apiserver 1.34 emulates 1.31 to 1.34), with
 * 1.34's validation code. It shares the test cluster's etcd under its own key prefix, its
 * certificate and token, listens on a free port on 127.0.0.1 and is stopped by its pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, readFileSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ApiServer, KUBECONFIG } from "./client";

const cluster = join(__dirname, "..");
const state = join(cluster, ".state");
const pki = join(state, "etc", "pki");

function env(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(cluster, "cluster.env"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Emulated {
  api: ApiServer;
  version: string;
  stop(): Promise<void>;
}

export async function startEmulatedApiServer(minor: number): Promise<Emulated> {
  const e = env();
  const version = `1.${minor}`;
  const port = await freePort();
  const dir = join(state, `apiserver-emulated-${version}`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(state, "logs"), { recursive: true });
  const log = openSync(join(state, "logs", `kube-apiserver-emulated-${version}.log`), "w");
  const child: ChildProcess = spawn(
    join(cluster, ".bin", "kube-apiserver"),
    [
      `--emulated-version=${version}`,
      `--etcd-servers=http://127.0.0.1:${e["ETCD_CLIENT_PORT"]}`,
      `--etcd-prefix=/sidecar-order-emulated-${version}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--tls-cert-file=${join(pki, "apiserver.crt")}`,
      `--tls-private-key-file=${join(pki, "apiserver.key")}`,
      `--cert-dir=${dir}`,
      `--token-auth-file=${join(pki, "tokens.csv")}`,
      "--authorization-mode=AlwaysAllow",
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${join(pki, "sa.key")}`,
      `--service-cluster-ip-range=${e["SERVICE_CIDR"]}`,
      "--endpoint-reconciler-type=none",
      "--disable-admission-plugins=ServiceAccount",
      "--allow-privileged=true",
      "--profiling=false",
    ],
    { stdio: ["ignore", log, log] },
  );
  closeSync(log);
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `exit ${code ?? signal}`));
  const kill = () => {
    if (exited === undefined) child.kill("SIGKILL");
  };
  process.once("exit", kill);

  const api = new ApiServer(KUBECONFIG, `https://127.0.0.1:${port}`);
  const stop = async () => {
    api.close();
    process.off("exit", kill);
    if (exited !== undefined) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 90_000;
  while (!(await api.ready())) {
    if (exited !== undefined || Date.now() > deadline) {
      await stop();
      const why = exited ?? "not ready after 90 s";
      throw new Error(`kube-apiserver --emulated-version=${version}: ${why}; see test/cluster/.state/logs/kube-apiserver-emulated-${version}.log`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { api, version, stop };
}
