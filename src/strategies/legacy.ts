/**
 * The legacy technique: sidecars first in `spec.containers`, each with a postStart exec hook
 * that returns only when the sidecar is ready. The kubelet starts containers one at a time and
 * waits for each postStart hook, so the app containers start after the sidecars are ready.
 * It fails open: if the hook fails or times out, the kubelet kills the sidecar and starts the app.
 * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
 */
import type { Container, ListName, PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { checkAfter } from "./after";
import { emptyPlan, sameValue, type Plan, type Slot } from "./plan";

export const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

export interface LegacyOptions {
  onConflict: "keep" | "replace" | "error";
}

export function commandText(command: readonly string[]): string {
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/** Sidecars in start order: config/annotation rank, then their order in the pod. */
export function startOrder(sidecars: readonly MatchedSidecar[]): MatchedSidecar[] {
  return [...sidecars].sort((a, b) => a.rank - b.rank || a.index - b.index);
}

/**
 * A mesh proxy (a sidecar with network-setup init containers) starts ahead of the other sidecars:
 * the mesh sends their traffic through it, so a sidecar started before it cannot connect (and its
 * wait or startupProbe may never pass). Only the sidecars it must start after (its `after`, and
 * theirs in turn) go ahead of it, with a warning. `sidecars` are in startOrder; said in `plan`.
 */
export function meshFirst(plan: Plan, sidecars: readonly MatchedSidecar[], list: ListName): { fronts: MatchedSidecar[]; ahead: MatchedSidecar[]; others: MatchedSidecar[] } {
  const fronts = sidecars.filter((s) => s.settings.initContainersBefore.length > 0);
  const dependsOn = (a: MatchedSidecar, b: MatchedSidecar) => !!a.rule && !!b.rule && a.rule.dependsOn.includes(b.rule);
  const ahead = new Set<MatchedSidecar>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of sidecars) {
      if (fronts.includes(s) || ahead.has(s)) continue;
      if (![...fronts, ...ahead].some((f) => dependsOn(f, s))) continue;
      ahead.add(s);
      grew = true;
    }
  }
  const others = sidecars.filter((s) => !fronts.includes(s) && !ahead.has(s));
  if (fronts.length === 0) return { fronts, ahead: [], others };
  const gate = list === "initContainers" ? "startupProbe" : "wait command";
  for (const s of sidecars.filter((x) => ahead.has(x))) {
    const f = fronts.find((x) => dependsOn(x, s)) ?? fronts[0]!;
    plan.notes.push({
      severity: "warning",
      target: { list, name: s.container.name },
      message: `sidecar "${s.container.name}" starts before the mesh proxy "${f.container.name}", as \`after\` asks; the mesh sends the pod's traffic through "${f.container.name}", so connections from "${s.container.name}" fail until it is up, and if its ${gate} needs them the pod ${list === "initContainers" ? "never starts" : "waits for it in vain"}: leave out that \`after\` unless its traffic is kept out of the mesh`,
    });
  }
  const listedFirst = others.filter((o) => fronts.some((f) => o.rank < f.rank));
  if (listedFirst.length > 0) {
    const proxies = fronts.map((f) => `"${f.container.name}"`).join(", ");
    plan.remarks.push(`${proxies} ${fronts.length > 1 ? "start" : "starts"} before ${listedFirst.map((o) => `"${o.container.name}"`).join(", ")}, though listed after: a mesh proxy starts ahead of the other sidecars, whose traffic the mesh sends through it (an \`after\` on the proxy changes that)`);
  }
  return { fronts, ahead: sidecars.filter((s) => ahead.has(s)), others };
}

export function planLegacy(template: PodTemplateView, matched: readonly MatchedSidecar[], opts: LegacyOptions): Plan {
  const plan = emptyPlan();
  const listed = startOrder(matched.filter((s) => s.list === "containers"));
  if (listed.length === 0) {
    checkAfter(plan, template, matched);
    return plan;
  }
  const { fronts, ahead, others } = meshFirst(plan, listed, "containers");
  const sidecars = [...ahead, ...fronts, ...others];

  const containers = template.spec.containers;
  const isSidecar = new Set(sidecars.map((s) => s.index));
  const apps = containers.map((c, index) => ({ c, index })).filter(({ index }) => !isSidecar.has(index));
  const order: Slot[] = [...sidecars.map((s) => ({ from: "containers" as const, index: s.index })), ...apps.map(({ index }) => ({ from: "containers" as const, index }))];
  if (order.some((slot, i) => slot.index !== i)) {
    plan.order = { containers: order, initContainers: template.spec.initContainers.map((_, index) => ({ from: "initContainers" as const, index })) };
    const names = sidecars.map((s) => `"${s.container.name}"`).join(", ");
    plan.remarks.unshift(`moved sidecar${sidecars.length > 1 ? "s" : ""} ${names} to the front of spec.containers`);
  }

  for (const s of sidecars) {
    if (s.settings.wait) holdHook(plan, s.container, s.settings.wait, opts, "containers", s.settings.isWait);
    else noWait(plan, s.container, s.settings.noWait, s.settings.noWaitFix, s.settings.startupProbe !== undefined);
  }

  const firstApp = apps[0]?.c;
  if (firstApp && template.annotations[DEFAULT_CONTAINER_ANNOTATION] === undefined) {
    // kubectl exec/logs pick the first container unless told otherwise; keep them on the app.
    plan.edits.push({
      target: "template",
      path: ["metadata", "annotations", DEFAULT_CONTAINER_ANNOTATION],
      value: firstApp.name,
      says: `set ${DEFAULT_CONTAINER_ANNOTATION} to "${firstApp.name}" so kubectl exec and logs still pick the app`,
    });
  }
  checkAfter(plan, template, matched);
  return plan;
}

/** Warn that a sidecar is ordered first but nothing holds the app until it is ready. */
function noWait(plan: Plan, c: Container, reason: string | undefined, presetFix: string | undefined, probed: boolean): void {
  const waitExec = "add wait.exec (a command in its image that blocks until it is ready and times out) to its sidecars entry";
  // Native sidecars are the way out only where the preset has a startupProbe to give them.
  const fix = reason ? `${reason}; ${probed ? "use native sidecars (Kubernetes 1.29 or later), which gate on a startupProbe instead" : presetFix ? `${presetFix}, or ${waitExec}` : waitExec}` : waitExec;
  plan.notes.push({
    severity: "warning",
    target: { list: "containers", name: c.name },
    path: ["lifecycle", "postStart"],
    message: `sidecar "${c.name}" is started before the app containers but has no wait command, so they start as soon as its process runs, not when it is ready; ${fix}`,
  });
}

/** Give a sidecar a blocking postStart hook running `wait`, respecting an existing one per onConflict. */
export function holdHook(plan: Plan, c: Container, wait: readonly string[], opts: LegacyOptions, list: ListName, isWait?: (command: readonly string[]) => boolean): void {
  const target = { list, name: c.name };
  const desired = { exec: { command: [...wait] } };
  const existing = c.lifecycle?.postStart;
  const noTimeout = () => {
    if (showsTimeout(wait)) return;
    plan.notes.push({
      severity: "warning",
      target,
      path: ["lifecycle", "postStart"],
      message: `the wait command of sidecar "${c.name}" (${commandText(wait)}) shows no timeout: the kubelet gives postStart hooks none, so a wait that never returns holds the pod forever; make it give up (a --timeout flag, or timeout 120 in front of it)`,
    });
  };
  if (existing === undefined) {
    plan.edits.push({
      target,
      path: ["lifecycle", "postStart"],
      value: desired,
      says: `added a postStart hook to "${c.name}" that holds the containers after it until it is ready (${commandText(wait)})`,
    });
    noTimeout();
    return;
  }
  if (sameValue(existing, desired)) return;
  // The sidecar's own wait, as its mesh injects it (`pilot-agent wait` with its own flags): it holds
  // the app already, and its flags are the user's choice; only onConflict: replace swaps it.
  const command = existing.exec?.command;
  if (opts.onConflict !== "replace" && Array.isArray(command) && isWait?.(command)) return;
  const fix = `set onConflict: replace to use "${commandText(wait)}" instead`;
  switch (opts.onConflict) {
    case "replace":
      plan.edits.push({ target, path: ["lifecycle", "postStart"], value: desired, says: `replaced the postStart hook of "${c.name}" with one that holds the containers after it until it is ready (${commandText(wait)})` });
      noTimeout();
      return;
    case "error":
      plan.notes.push({ severity: "error", target, path: ["lifecycle", "postStart"], proposedValue: desired, message: `sidecar "${c.name}" already has a different postStart hook; nothing was changed in this workload; ${fix}, or remove the hook` });
      return;
    case "keep":
      plan.notes.push({ severity: "warning", target, path: ["lifecycle", "postStart"], proposedValue: desired, message: `sidecar "${c.name}" already has a different postStart hook; it was kept, so the app waits only as long as that hook does; ${fix}` });
  }
}

/** Waits that give up on their own, and when, if no flag says (pilot-agent wait: 60 s; cloud-sql-proxy wait: --max 30s). */
const SELF_TIMED_DEFAULT: readonly [RegExp, number][] = [
  [/(^|\/)pilot-agent$/, 60],
  [/(^|\/)cloud-sql-proxy$/, 30],
];

/**
 * How long a wait command runs at most, where it says: `timeout DURATION` in front of it or at the
 * head of its `sh -c` script (coreutils' options skipped; `timeout 0` sets no limit), a
 * timeout-like flag of its own with a number (`--timeout=60`, `--max 2m`), or a self-timed wait's
 * default; undefined when it does not say.
 */
export function waitLimitSeconds(command: readonly string[]): number | undefined {
  const script = shellScript(command);
  const words = script ?? command;
  if (/(^|\/)timeout$/.test(words[0] ?? "")) {
    let i = 1;
    while (words[i]?.startsWith("-")) i += /^(-s|--signal|-k|--kill-after)$/.test(words[i]!) ? 2 : 1;
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(words[i] ?? "");
    const seconds = m ? Number(m[1]) * ({ "": 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]! : undefined;
    if (seconds) return seconds;
  }
  // Inside a script a flag may time one try of a loop that never ends; and `--connect-timeout 1` is no limit.
  if (script) return undefined;
  // A number of seconds, or a Go duration (`5m30s`, `1h`: cloud-sql-proxy's --max, linkerd-await's --timeout).
  const flag = /(?:^|\s)--?(?:timeout|timeoutSeconds|max|max-wait|wait-timeout)[= ]((?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|m|s))+|\d+)(?=\s|$)/.exec(command.join(" "));
  if (flag) return goDurationSeconds(flag[1]!);
  if (command[1] === "wait") return SELF_TIMED_DEFAULT.find(([re]) => re.test(command[0] ?? ""))?.[1];
  return undefined;
}

/** Seconds in a plain number (seconds) or a Go duration such as `2m30s`. */
function goDurationSeconds(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let seconds = 0;
  for (const [, n, u] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s)/g)) seconds += Number(n) * unit[u!]!;
  // 8.3m is 498 s, not 498.00000000000006.
  return Math.round(seconds * 1000) / 1000;
}

/** The words of an `sh -c` (bash, dash) script, or undefined for any other command. */
function shellScript(command: readonly string[]): string[] | undefined {
  return /(^|\/)(ba|da)?sh$/.test(command[0] ?? "") && command[1] === "-c" ? (command[2] ?? "").trim().split(/\s+/) : undefined;
}

/** Whether a wait command visibly gives up: a timeout-like flag, run under `timeout`, or a wait that times out by default. */
function showsTimeout(command: readonly string[]): boolean {
  if (waitLimitSeconds(command) !== undefined) return true;
  // An `sh -c` script shows a limit only by `timeout` at its head (inside, a flag may time one try of a loop).
  return !shellScript(command) && command.some((arg) => /timeout|deadline|^--max\b/i.test(arg));
}
