/**
 * What a sidecar's preStop hook does, judged narrowly: a hook "exits" only when every step of it
 * is a sleep or makes the container stop (a terminating signal to PID 1, pkill/killall, or a
 * call to a quit/shutdown endpoint); it "sleeps" when every step is a sleep. Anything else, such
 * as `kill -USR1 1; sleep 3` (flush, then wait), is the user's and is never removed.
 */
import type { Handler } from "../pod/types";
import { commandText } from "./legacy";

export type PreStopVerdict = {
  /** exits: only stops the container (and maybe sleeps); harmless: only sleeps; unknown: anything else. */
  kind: "exits" | "harmless" | "unknown";
  /** "it runs \"…\"", for messages. */
  what: string;
};

type Step = "exits" | "sleeps" | "other";

/** An exit endpoint in a URL or argument: Istio/cloud-sql-proxy quitquitquit, Linkerd/Dapr shutdown, consul's graceful_shutdown. */
const EXIT_PATH = /(^|[/\s])(quitquitquit|shutdown|graceful_shutdown|quit)(\b|$)/;
/** Signals whose default action ends a process and which daemons do not use for anything else. */
const TERMINATING = new Set(["TERM", "KILL", "INT", "QUIT", "ABRT", "2", "3", "6", "9", "15"]);
/** Signal names and numbers `kill -X` accepts (so `pkill -f` is a flag, not a signal). */
const SIGNALS = new Set(
  "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS"
    .split(" ")
    .concat(Array.from({ length: 64 }, (_, i) => String(i + 1))),
);
const SHELLS = /(^|\/)(ba|da|a|z)?sh$/;

export function judgePreStop(h: Handler): PreStopVerdict {
  if (h.sleep) return { kind: "harmless", what: "a sleep" };
  const command = h.exec?.command;
  if (Array.isArray(command)) {
    const what = `it runs "${commandText(command)}"`;
    const steps = stepsOf(command);
    if (!steps) return { kind: "unknown", what };
    const kinds = steps.map(classify);
    if (kinds.every((k) => k === "sleeps")) return { kind: "harmless", what };
    if (kinds.every((k) => k !== "other") && kinds.includes("exits")) return { kind: "exits", what };
    return { kind: "unknown", what };
  }
  const path = h.httpGet?.["path"];
  if (typeof path === "string") {
    return { kind: EXIT_PATH.test(path) ? "exits" : "unknown", what: `it calls ${path}` };
  }
  return { kind: "unknown", what: "a hook sidecar-order cannot judge" };
}

/** The simple commands of an exec hook: itself, or the steps of a plain `sh -c` script. */
function stepsOf(command: readonly string[]): string[][] | undefined {
  if (command.length === 3 && SHELLS.test(command[0] ?? "") && /^-[a-z]*c$/.test(command[1] ?? "")) {
    const script = command[2] ?? "";
    // Pipes, substitutions, redirections, quotes and control flow: too much to judge.
    if (/[|`$<>(){}\\]|\b(if|then|while|for|until|case|do)\b/.test(script.replace(/\|\|/g, ";"))) return undefined;
    const steps = script
      .replace(/["']/g, "")
      .split(/;|&&|\|\||&|\n/)
      .map((s) => s.trim().split(/\s+/).filter((w) => w !== ""))
      .filter((w) => w.length > 0);
    return steps.length > 0 ? steps : undefined;
  }
  return [[...command]];
}

function classify(words: readonly string[]): Step {
  let w = [...words];
  while (w[0] === "exec" || w[0] === "command") w = w.slice(1);
  const bin = (w[0] ?? "").replace(/^.*\//, "");
  if (bin === "sleep") return w.length === 2 && /^\d+(\.\d+)?[smh]?$/.test(w[1] ?? "") ? "sleeps" : "other";
  if (bin === "true" || bin === ":") return "sleeps"; // does nothing
  if (bin === "kill") return killStep(w.slice(1));
  if (bin === "pkill" || bin === "killall") return signalOf(w.slice(1)).every((s) => TERMINATING.has(s)) ? "exits" : "other";
  // curl/wget/pilot-agent request … to a quit or shutdown endpoint; `cloud-sql-proxy shutdown`.
  if (w.slice(1).some((a) => EXIT_PATH.test(a))) return "exits";
  return "other";
}

/** `kill [-SIG | -s SIG | -n N | --signal SIG] 1`: exits only with a terminating signal to PID 1. */
function killStep(args: readonly string[]): Step {
  const signals = signalOf(args);
  const targets = args.filter((a, i) => !a.startsWith("-") && !["-s", "-n", "--signal"].includes(args[i - 1] ?? ""));
  if (targets.length === 0 || !targets.every((t) => t === "1")) return "other";
  return signals.every((s) => TERMINATING.has(s)) ? "exits" : "other";
}

/** The signal names a kill-like command sends (TERM when none is given). */
function signalOf(args: readonly string[]): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (["-s", "-n", "--signal"].includes(args[i - 1] ?? "")) out.push(norm(a));
    else if (/^--signal=/.test(a)) out.push(norm(a.slice("--signal=".length)));
    else if (/^-\w+$/.test(a) && SIGNALS.has(norm(a.slice(1)))) out.push(norm(a.slice(1)));
  });
  return out.length ? out : ["TERM"];
}

const norm = (s: string) => s.toUpperCase().replace(/^SIG/, "");
