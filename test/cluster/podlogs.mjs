// The containers' own output, from the kubelet's CRI log files:
//   <podLogsDir>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log
// Each file is opened as soon as it appears and kept open, so its text can still be read after
// the kubelet deletes it (it removes a deleted pod's containers, and their logs, within seconds).
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { parseTime } from "./events.mjs";
import { paths } from "./paths.mjs";

export class PodLogs {
  constructor(namespace, pod) {
    this.prefix = `${namespace}_${pod}_`;
    this.files = new Map(); // path → {container, restart, fd, offset, chunks}
  }

  /** Opens files that appeared and reads what was appended to every open one. */
  poll() {
    let dirs = [];
    try {
      dirs = readdirSync(paths.podLogs).filter((d) => d.startsWith(this.prefix));
    } catch {
      /* no pod-logs dir yet */
    }
    for (const d of dirs) {
      let containers = [];
      try {
        containers = readdirSync(join(paths.podLogs, d));
      } catch {
        continue;
      }
      for (const container of containers) {
        let files = [];
        try {
          files = readdirSync(join(paths.podLogs, d, container));
        } catch {
          continue;
        }
        for (const f of files) {
          const m = /^(\d+)\.log$/.exec(f);
          const path = join(paths.podLogs, d, container, f);
          if (!m || this.files.has(path) || !existsSync(path)) continue;
          try {
            this.files.set(path, { container, restart: Number(m[1]), fd: openSync(path, "r"), offset: 0, chunks: [] });
          } catch {
            /* gone again */
          }
        }
      }
    }
    for (const f of this.files.values()) {
      if (f.fd === null) continue;
      const size = fstatSync(f.fd).size;
      while (f.offset < size) {
        const buf = Buffer.alloc(Math.min(1 << 20, size - f.offset));
        const n = readSync(f.fd, buf, 0, buf.length, f.offset);
        if (n <= 0) break;
        f.offset += n;
        f.chunks.push(buf.subarray(0, n));
      }
    }
  }

  close() {
    this.poll();
    for (const f of this.files.values()) {
      if (f.fd !== null) closeSync(f.fd);
      f.fd = null;
    }
  }

  #sorted() {
    return [...this.files.values()].sort((a, b) => a.container.localeCompare(b.container) || a.restart - b.restart);
  }

  /** {container: text}: every restart's output in order, CRI prefixes removed. */
  text() {
    const byContainer = {};
    for (const f of this.#sorted()) byContainer[f.container] = (byContainer[f.container] ?? "") + criToText(Buffer.concat(f.chunks).toString("utf8"));
    return byContainer;
  }

  /**
   * {container: [{t, stream, text}]}: each output line with the time the runtime read it (ns
   * since T0, a BigInt of ns since the epoch), for ordering a container's own messages against
   * the events.
   */
  lines(t0) {
    const byContainer = {};
    for (const f of this.#sorted()) {
      const list = (byContainer[f.container] ??= []);
      for (const l of criLines(Buffer.concat(f.chunks).toString("utf8"))) list.push({ t: Number(l.t - t0), stream: l.stream, text: l.text });
    }
    return byContainer;
  }
}

/** CRI log lines → [{t (BigInt ns), stream, text}], partial (P) pieces joined to their line. */
export function criLines(s) {
  const out = [];
  let open = null;
  for (const line of s.split("\n")) {
    const m = /^(\S+) (stdout|stderr) ([FP])(?: (.*))?$/.exec(line);
    if (!m) continue;
    if (!open) open = { t: parseTime(m[1]) ?? 0n, stream: m[2], text: "" };
    open.text += m[4] ?? "";
    if (m[3] === "F") {
      out.push(open);
      open = null;
    }
  }
  if (open) out.push(open);
  return out;
}

/**
 * CRI log lines "<RFC3339Nano> <stdout|stderr> <F|P> <text>" → the text: a P (partial) line
 * continues on the next line; an F line ends with a newline.
 */
export function criToText(s) {
  let out = "";
  for (const line of s.split("\n")) {
    const m = /^\S+ (?:stdout|stderr) ([FP])(?: (.*))?$/.exec(line);
    if (!m) continue;
    out += m[2] ?? "";
    if (m[1] === "F") out += "\n";
  }
  return out;
}
