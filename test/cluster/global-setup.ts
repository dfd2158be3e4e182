/**
 * Brings the test cluster up once for `npm run test:cluster` (building the components with the
 * project's own build.sh when they are missing or stale) and down again afterwards. Without root
 * or Linux the scenarios are skipped with a visible message; under CI=true that is a failure.
 */
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

function step(what: string, command: string, args: string[]): void {
  const started = Date.now();
  console.log(`test:cluster: ${what} ...`);
  const r = spawnSync(command, args, { stdio: "inherit", cwd: join(here, "../..") });
  if (r.status !== 0) throw new Error(`test:cluster: ${what} failed (exit ${r.status ?? r.signal})`);
  console.log(`test:cluster: ${what} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export default function setup(): (() => Promise<void>) | undefined {
  const canRun = process.platform === "linux" && process.getuid?.() === 0;
  if (!canRun) {
    const why = "the cluster tests need root on Linux (a kubelet, containerd and runc)";
    if (process.env["CI"] === "true") throw new Error(`test:cluster: ${why}, and CI=true`);
    console.warn(`SKIPPED: ${why}; none of the cluster scenarios run here`);
    return undefined;
  }
  step("build kubelet, kube-apiserver and etcd (test/cluster/build.sh)", "bash", [join(here, "build.sh")]);
  step("cluster up", "node", [join(here, "harness.mjs"), "up"]);
  process.env["SIDECAR_ORDER_CLUSTER"] = "up";
  // Asynchronous, so vitest's workers are not kept waiting while the cluster stops.
  return () =>
    new Promise<void>((done, failed) => {
      const started = Date.now();
      console.log("test:cluster: cluster down ...");
      spawn("node", [join(here, "harness.mjs"), "down"], { stdio: "inherit", cwd: join(here, "../..") }).on("exit", (code) => {
        console.log(`test:cluster: cluster down took ${((Date.now() - started) / 1000).toFixed(1)} s`);
        if (code === 0) done();
        else failed(new Error(`test:cluster: cluster down failed (exit ${code})`));
      });
    });
}
