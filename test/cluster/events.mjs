// The run's sources of timed events, each parsed into {t: BigInt ns since the epoch, ...}:
//   - `ctr events` in the k8s.io namespace (CtrWatcher): containerd's own task events with
//     nanosecond times: /containers/create, /tasks/start, /tasks/exit (with the exit status),
//     /tasks/exec-started; container ids are mapped to pod and container names from the
//     kubelet's labels (`ctr containers info`).
//   - the kubelet's log (klog text, microseconds, at --v=3): probe results, preStop hooks, kills.
//   - containerd's debug log: which exec is a lifecycle hook (timeout 0) and which a probe.
import { spawn, execFile } from "node:child_process";
import { closeSync, existsSync, fstatSync, openSync, readSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { paths } from "./paths.mjs";

const execFileP = promisify(execFile);

/** The absolute path of program NAME on the PATH. */
function findInPath(name) {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not on the PATH`);
}

/** The k8s.io namespace label CtrWatcher.subscribed() sets to see its own event come back. */
const syncLabel = "sidecar-order.test/events-sync";

/** Wall-clock nanoseconds now (the offset to hrtime is taken once; sub-ms steps are exact). */
const wallBase = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export const nowNs = () => wallBase + process.hrtime.bigint();

/** "2025-12-01 21:49:00.123456789 +0000 UTC" or RFC 3339 with fraction → ns since epoch. */
export function parseTime(s) {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?/.exec(s.trim());
  if (!m) return null;
  let zone = m[4] ?? "Z";
  if (zone !== "Z" && !zone.includes(":")) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? "").padEnd(9, "0"));
}

/** containerd's timestamps in event payloads: a string or {seconds, nanos}. */
function payloadTime(v) {
  if (!v) return null;
  if (typeof v === "string") return parseTime(v);
  if (typeof v === "object" && "seconds" in v) return BigInt(v.seconds) * 1_000_000_000n + BigInt(v.nanos ?? 0);
  return null;
}

/** One line of `ctr events`: "<time> <namespace> <topic> <json>". */
export function parseCtrLine(line) {
  const m = /^(\S+ \S+ [+-]\d{4} \S+) (\S+) (\/\S+) (.*)$/.exec(line);
  if (!m) return null;
  const t = parseTime(m[1]);
  let payload = {};
  try {
    payload = JSON.parse(m[4]);
  } catch {
    /* keep {} */
  }
  const ev = { t, namespace: m[2], topic: m[3], payload };
  if (m[3] === "/tasks/exit") ev.exitedAt = payloadTime(payload.exited_at) ?? t;
  return ev;
}

/** klog's "key=value" and key="quoted value" pairs. */
function klogPairs(s) {
  const kv = {};
  for (const m of s.matchAll(/([A-Za-z][\w.]*)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    let v = m[2];
    if (v.startsWith('"')) {
      try {
        v = JSON.parse(v);
      } catch {
        v = v.slice(1, -1);
      }
    }
    kv[m[1]] = v;
  }
  return kv;
}

/**
 * One klog text line: 'I1201 21:49:00.123456   1234 file.go:12] "Message" key="v" ...' → {t, msg,
 * kv}. klog writes local time without a year: the year is the current one (or the last, for a
 * December line read in January).
 */
export function parseKlogLine(line, now = new Date()) {
  const m = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\s+\d+ [^\]]+\] (.*)$/.exec(line);
  if (!m) return null;
  let year = now.getFullYear();
  if (Number(m[2]) - 1 > now.getMonth() + 1) year -= 1;
  const ms = new Date(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime();
  const t = BigInt(ms) * 1_000_000n + BigInt(m[7]) * 1000n;
  const rest = m[8];
  let msg = rest;
  let pairs = "";
  if (rest.startsWith('"')) {
    const end = /^"(?:[^"\\]|\\.)*"/.exec(rest);
    if (end) {
      msg = JSON.parse(end[0]);
      pairs = rest.slice(end[0].length);
    }
  }
  return { t, level: m[1], msg, kv: klogPairs(pairs) };
}

/** One logrus text line of containerd: time="..." level=debug msg="..." → {t, level, msg}. */
export function parseContainerdLine(line) {
  const kv = klogPairs(line);
  if (!kv.time || kv.msg === undefined) return null;
  const t = parseTime(kv.time);
  return t == null ? null : { t, level: kv.level, msg: kv.msg };
}

/** Follows a growing text file from its current end (or OFFSET); `poll()` returns new whole lines. */
export class LogFollower {
  constructor(file, parse) {
    this.file = file;
    this.parse = parse;
    this.rest = "";
    this.lines = [];
    try {
      const fd = openSync(file, "r");
      this.offset = fstatSync(fd).size;
      closeSync(fd);
    } catch {
      this.offset = 0;
    }
  }

  poll() {
    let fd;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return [];
    }
    const fresh = [];
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // truncated or replaced
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(1 << 20, size - this.offset));
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.rest + buf.subarray(0, n).toString("utf8");
        const parts = text.split("\n");
        this.rest = parts.pop();
        for (const l of parts) {
          const p = this.parse(l);
          if (p) fresh.push(p);
        }
      }
    } finally {
      closeSync(fd);
    }
    this.lines.push(...fresh);
    return fresh;
  }
}

/**
 * `ctr events` for the run's duration, its pid recorded in .state/pids/events-PID.pid (so that
 * down.sh stops it should the run die). Keeps every event of the k8s.io namespace and, for each
 * container id, the kubelet's labels: {pod, namespace, container, sandbox}.
 */
export class CtrWatcher {
  constructor() {
    this.events = [];
    this.info = new Map(); // container id → labels (a Promise while being read)
    this.rest = "";
    const ctr = realpathSync(findInPath("ctr"));
    this.proc = spawn(ctr, ["--address", paths.containerdSock, "--namespace", "k8s.io", "events"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.pidFile = join(paths.pids, `events-${this.proc.pid}.pid`);
    writeFileSync(this.pidFile, `${this.proc.pid} ${ctr}\n`);
    this.stderr = "";
    this.proc.stderr.on("data", (d) => (this.stderr += d));
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (d) => this.#data(d));
    this.exited = new Promise((resolve) => this.proc.on("exit", resolve));
  }

  #data(chunk) {
    const parts = (this.rest + chunk).split("\n");
    this.rest = parts.pop();
    for (const line of parts) {
      const ev = parseCtrLine(line);
      if (ev?.topic === "/namespaces/update" && this.token && ev.payload.labels?.[syncLabel] === this.token) this.synced = true;
      if (!ev || ev.namespace !== "k8s.io") continue;
      this.events.push(ev);
      const id = ev.payload.id ?? ev.payload.container_id;
      if (ev.topic === "/containers/create" && id) this.#learn(id);
    }
  }

  #learn(id) {
    if (this.info.has(id)) return;
    const p = execFileP("ctr", ["--address", paths.containerdSock, "--namespace", "k8s.io", "containers", "info", id], {
      maxBuffer: 16 << 20,
    })
      .then(({ stdout }) => {
        const labels = JSON.parse(stdout).Labels ?? {};
        const v = {
          pod: labels["io.kubernetes.pod.name"],
          namespace: labels["io.kubernetes.pod.namespace"],
          uid: labels["io.kubernetes.pod.uid"],
          container: labels["io.kubernetes.container.name"],
          sandbox: labels["io.cri-containerd.kind"] === "sandbox",
        };
        this.info.set(id, v);
        return v;
      })
      .catch(() => {
        this.info.set(id, null);
        return null;
      });
    this.info.set(id, p);
  }

  /**
   * Resolves once the subscription is live (events that happen before it are not delivered): sets
   * a label on the k8s.io namespace until the watcher sees that update, then removes the label.
   */
  async subscribed() {
    this.token = `${process.pid}-${Date.now()}`;
    const ctr = (value) =>
      execFileP("ctr", ["--address", paths.containerdSock, "namespaces", "label", "k8s.io", `${syncLabel}=${value}`]);
    const deadline = Date.now() + 10_000;
    while (!this.synced) {
      if (Date.now() > deadline) throw new Error(`ctr events saw nothing in 10 s: ${this.stderr.trim()}`);
      await ctr(this.token);
      for (let i = 0; i < 10 && !this.synced; i++) await new Promise((r) => setTimeout(r, 20));
    }
    await ctr("");
  }

  /** Waits until every container seen so far has its labels. */
  async settled() {
    await Promise.all([...this.info.values()].filter((v) => v instanceof Promise));
  }

  /** Container ids of pod NAME in NAMESPACE: {containers: Map id → name, sandboxes: Set}. */
  idsOf(name, namespace) {
    const containers = new Map();
    const sandboxes = new Set();
    for (const [id, v] of this.info) {
      if (!v || v instanceof Promise || v.pod !== name || v.namespace !== namespace) continue;
      if (v.sandbox) sandboxes.add(id);
      else if (v.container) containers.set(id, v.container);
    }
    return { containers, sandboxes };
  }

  async stop() {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
    rmSync(this.pidFile, { force: true });
  }
}
