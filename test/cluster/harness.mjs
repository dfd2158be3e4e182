#!/usr/bin/env node
// The test cluster's one interface:
//   npm run cluster -- up            start containerd, etcd, kube-apiserver and a standalone kubelet
//   npm run cluster -- run FILE...   run each workload in FILEs as a static pod; JSON on stdout
//   npm run cluster -- down [--purge] stop all of it and undo its changes to the host
//   npm run cluster -- status        what runs
// Needs root on Linux (exit 2 otherwise). See README.md beside this file.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { here } from "./paths.mjs";

const [cmd, ...rest] = process.argv.slice(2);
const usage = "usage: npm run cluster -- up | run FILE... | down [--purge] | status";

if (process.platform !== "linux") {
  process.stderr.write(`cluster: needs Linux (this is ${process.platform})\n`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  process.stderr.write("cluster: needs root (containerd, the kubelet, cgroups and sysctls)\n");
  process.exit(2);
}

const script = { up: "up.sh", down: "down.sh", status: "status.sh" }[cmd];
if (script) {
  const r = spawnSync("bash", [join(here, script), ...rest], { stdio: ["ignore", "inherit", "inherit"] });
  process.exit(r.status ?? 1);
} else if (cmd === "run") {
  const { run } = await import("./run.mjs");
  process.exit(await run(rest));
} else {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
