/**
 * Native sidecars (KEP-753): each sidecar becomes an init container with `restartPolicy: Always`.
 * Later init containers and the app containers start once it is *started*: its startupProbe has
 * succeeded (never the readinessProbe) and its postStart hook has returned. It is stopped after the
 * app containers, in reverse order. This fails closed: a sidecar that never starts holds the pod.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
import { IN_PLACE_RESIZE } from "../facts/kubernetes";
import { atLeast, formatVersion, type TargetVersions } from "../facts/versions";
import type { Container, Handler, PodTemplateView, Probe } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import { checkAfter } from "./after";
import { commandText, holdHook, meshFirst, startOrder, waitLimitSeconds, type LegacyOptions } from "./legacy";
import { editAt, emptyPlan, sameValue, type Plan, type Slot } from "./plan";
import { judgePreStop } from "./prestop";
import { probeBudget, probePeriod } from "../pod/probe-timing";

export { judgePreStop } from "./prestop";

/** Mesh network-setup init containers: they must finish before the proxy exists. */
export const NETWORK_SETUP_INIT_CONTAINERS = ["istio-init", "istio-validation", "linkerd-init", "linkerd-network-validator", "kuma-init"];

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;

export interface NativeOptions extends LegacyOptions {
  /** The target's versions, where the config gives them. */
  target?: TargetVersions;
}

/** An init container of the final list: where it comes from, and the sidecar it is, if any. */
interface Entry {
  slot: Slot;
  c: Container;
  sidecar?: MatchedSidecar;
}

export function planNative(template: PodTemplateView, matched: readonly MatchedSidecar[], opts: NativeOptions): Plan {
  const plan = emptyPlan();
  const sidecars = startOrder(matched);
  const toMove = sidecars.filter((s) => s.list === "containers");
  // Already native sidecars are left alone; an `after` they break, or a gate they lack, is said.
  for (const s of sidecars) if (s.list === "initContainers") ungated(plan, s);
  if (toMove.length === 0) {
    checkAfter(plan, template, matched);
    return plan;
  }

  const { containers } = template.spec;
  const entries = initOrder(plan, template, sidecars, toMove);
  plan.order = {
    initContainers: entries.map((e) => e.slot),
    containers: containers.map((_, index) => ({ from: "containers" as const, index })).filter((s) => !toMove.some((m) => m.index === s.index)),
  };
  // In the order they will start, which a mesh proxy or an `after` may make other than the list's.
  const names = entries.filter((e) => e.sidecar && toMove.includes(e.sidecar)).map((e) => `"${e.c.name}"`).join(", ");
  const many = toMove.length > 1;
  const sidecarWord = many ? "sidecars" : "sidecar";
  plan.remarks.unshift(
    `moved ${sidecarWord} ${names} to spec.initContainers with restartPolicy: Always (native ${sidecarWord}: started before the app containers${many ? " in this order" : ""}, stopped after them${many ? " in reverse order" : ""})`,
  );

  for (const s of toMove) {
    const c = s.container;
    const target = { list: "initContainers" as const, name: c.name };
    plan.edits.push({ target, path: ["restartPolicy"], value: "Always", says: "" }); // told by the move
    resizePolicy(plan, c, opts.target);
    gate(plan, s, opts);
    shutdown(plan, s);
    collapseLifecycle(plan, c);
    if (s.settings.stopAfterAppExplicit && s.settings.stopAfterApp) {
      plan.remarks.push(`stopAfterApp needs no preStop wait for "${c.name}": native sidecars are stopped after the app containers`);
    }
  }
  checkAfter(plan, template, matched);
  return plan;
}

/**
 * The new spec.initContainers. A mesh proxy (a sidecar with network-setup init containers) goes
 * right after its network setup, which moves to the front: every other init container then runs
 * inside the mesh, as with Istio's and Linkerd's own native injection. Any other sidecar goes
 * after the network setup and the sidecars that are native already, before the other init
 * containers. An `after` between a moving sidecar and a native one is honoured either way.
 */
function initOrder(plan: Plan, template: PodTemplateView, sidecars: readonly MatchedSidecar[], toMove: readonly MatchedSidecar[]): Entry[] {
  const { initContainers } = template.spec;
  const before = new Set(NETWORK_SETUP_INIT_CONTAINERS);
  for (const s of toMove) for (const n of s.settings.initContainersBefore) before.add(n);
  for (const s of toMove) for (const n of s.settings.initContainersAfter) before.delete(n);
  const native = (c: Container) => c.restartPolicy === "Always";
  const setup = (c: Container) => before.has(c.name) && !native(c);
  const all: Entry[] = initContainers.map((c, index) => {
    const e: Entry = { slot: { from: "initContainers", index }, c };
    const sidecar = sidecars.find((s) => s.list === "initContainers" && s.index === index);
    if (sidecar) e.sidecar = sidecar;
    return e;
  });
  const entryOf = (s: MatchedSidecar): Entry => ({ slot: { from: "containers", index: s.index }, c: s.container, sidecar: s });
  const dependsOn = (a: MatchedSidecar | undefined, b: MatchedSidecar | undefined) => !!a?.rule && !!b?.rule && a.rule.dependsOn.includes(b.rule);

  const { fronts, ahead, others } = meshFirst(plan, toMove, "initContainers");
  let head: Entry[] = [];
  let rest = all;
  if (fronts.length > 0) {
    const setups = all.filter((e) => setup(e.c));
    // Native sidecars a mesh proxy must start after come up with it.
    const pulled = all.filter((e) => !setup(e.c) && native(e.c) && fronts.some((f) => dependsOn(f, e.sidecar)));
    rest = all.filter((e) => !setups.includes(e) && !pulled.includes(e));
    head = [...setups, ...pulled, ...ahead.map(entryOf), ...fronts.map(entryOf)];
    const firstOther = all.findIndex((e) => !setup(e.c));
    // Only init containers that are all network setup: none jumps anything.
    const jumped = firstOther === -1 ? [] : setups.filter((e) => all.indexOf(e) > firstOther).map((e) => `"${e.c.name}"`);
    const proxies = fronts.map((s) => `"${s.container.name}"`).join(", ");
    if (jumped.length > 0) {
      const passed = all.slice(firstOther, all.indexOf(setups[setups.length - 1]!)).filter((e) => !setups.includes(e)).map((e) => `"${e.c.name}"`);
      plan.remarks.push(
        `moved network-setup init container${jumped.length > 1 ? "s" : ""} ${jumped.join(", ")} ahead of ${passed.join(", ")}, followed by ${proxies}, so the init containers after ${fronts.length > 1 ? "them" : "it"} run inside the mesh (as the mesh's own native injection orders them)`,
      );
    }
    for (const e of pulled) {
      const passed = rest.filter((r) => all.indexOf(r) < all.indexOf(e)).map((r) => `"${r.c.name}"`);
      if (passed.length) plan.remarks.push(`moved native sidecar "${e.c.name}" ahead of ${passed.join(", ")}: ${proxies} must start after it (after)`);
    }
  }
  if (others.length === 0) return [...head, ...rest];

  // Other sidecars: after the network setup and the native sidecars, unless `after` says otherwise.
  let insertAt = 0;
  rest.forEach((e, i) => {
    if (setup(e.c) || native(e.c)) insertAt = i + 1;
  });
  const at = others.map((s) => {
    let pos = insertAt;
    rest.forEach((e, i) => {
      if (dependsOn(e.sidecar, s)) pos = Math.min(pos, i);
    });
    rest.forEach((e, i) => {
      if (dependsOn(s, e.sidecar)) pos = Math.max(pos, i + 1);
    });
    return { s, pos };
  });
  const first = Math.min(...at.map((x) => x.pos));
  const last = Math.max(...at.map((x) => x.pos));
  // Init containers that need a sidecar (e.g. vault-agent-init after a mesh proxy) follow it.
  const needers = new Set(others.flatMap((s) => s.settings.initContainersAfter));
  const early = rest.filter((e, i) => i < last && needers.has(e.c.name) && !native(e.c));
  const out: Entry[] = [...head];
  for (let i = 0; i <= rest.length; i++) {
    for (const x of at) if (x.pos === i) out.push(entryOf(x.s));
    if (i === last) out.push(...early);
    const e = rest[i];
    if (e && !early.includes(e)) out.push(e);
  }

  const names = others.map((s) => `"${s.container.name}"`).join(", ");
  const many = others.length > 1;
  const sidecarWord = many ? "sidecars" : "sidecar";
  for (const e of early) plan.remarks.push(`moved init container "${e.c.name}" after ${sidecarWord} ${names}: it needs ${many ? "them" : "the sidecar"}`);
  for (const e of rest.slice(0, first)) {
    if (setup(e.c) || native(e.c) || early.includes(e)) continue;
    plan.notes.push({
      severity: "warning",
      target: { list: "initContainers", name: e.c.name },
      message: `init container "${e.c.name}" (initContainers[${all.indexOf(e)}]) runs before ${sidecarWord} ${names} ${many ? "start" : "starts"}, so it cannot use ${many ? "them" : "it"}; if it needs ${many ? "them" : "the sidecar"}, move it after the network-setup init containers`,
    });
  }
  return out;
}

/** The API server accepts resizePolicy on a native sidecar only where InPlacePodVerticalScaling is on. */
function resizePolicy(plan: Plan, c: Container, target: TargetVersions | undefined): void {
  if (c.resizePolicy === undefined) return;
  const api = target?.api;
  if (api && atLeast(api, IN_PLACE_RESIZE.onByDefault)) return; // kept: accepted from 1.33
  const from = formatVersion(IN_PLACE_RESIZE.onByDefault);
  const t = { list: "initContainers" as const, name: c.name };
  plan.edits.push({ target: t, path: ["resizePolicy"], value: undefined, says: `removed the resizePolicy of "${c.name}" (init containers may set it only from Kubernetes ${from})` });
  const why = api
    ? `the target runs Kubernetes ${formatVersion(api)}, and the API server keeps resizePolicy on init containers, native sidecars included, only from ${from} (${IN_PLACE_RESIZE.gate} on by default; before, it drops or rejects it)`
    : `the API server keeps it on init containers, native sidecars included, only from Kubernetes ${from} (${IN_PLACE_RESIZE.gate} on by default; before, it drops or rejects it); set kubernetesVersion to ${from} or later to keep it`;
  plan.notes.push({
    severity: "warning",
    target: t,
    message: `sidecar "${c.name}" cannot keep its resizePolicy as a native sidecar: ${why}; an in-place resize of its resources then follows the default policy`,
  });
}

/**
 * A sidecar that is native already with nothing that makes it count as started only when ready:
 * said on every run, as the conversion that left it so said it (the legacy strategy says the same
 * of a sidecar with no wait on every run).
 */
function ungated(plan: Plan, s: MatchedSidecar): void {
  const c = s.container;
  if (c.restartPolicy !== "Always" || c.startupProbe || c.lifecycle?.postStart) return;
  // A preset that knows its sidecar has nothing to gate on at all, neither probe nor wait (Vault's
  // agent), said so when it converted it; advice that cannot be followed, on every run, is noise.
  // One that can be followed (cloud-sql-proxy's --health-check) is said.
  const fix = s.settings.noStartupProbeFix;
  if (s.settings.noStartupProbe && !s.settings.wait && !fix) return;
  const readiness = c.readinessProbe ? " (its readinessProbe holds nothing back: native sidecars gate on the startupProbe)" : "";
  const why = fix ? ` (${s.settings.preset?.title ?? "its preset"} gives none: ${s.settings.noStartupProbe})` : "";
  plan.notes.push({
    severity: "warning",
    target: { list: "initContainers", name: c.name },
    path: ["startupProbe"],
    message: `native sidecar "${c.name}" has no startupProbe or postStart hook${readiness}${why}, so the containers after it start as soon as its process runs, not when it is ready; ${fix ? `${fix}, or ` : ""}give it a startupProbe in the workload (sidecar-order leaves a sidecar that is native already as it is: a startupProbe in its sidecars entry applies only when it converts one)`,
  });
}

/** Make sure the sidecar only counts as started once it is ready. */
function gate(plan: Plan, s: MatchedSidecar, opts: NativeOptions): void {
  const c = s.container;
  const target = { list: "initContainers" as const, name: c.name };
  const hold = c.lifecycle?.postStart;
  const command = hold?.exec?.command;
  const ownWait = Array.isArray(command) && (s.settings.isWait?.(command) || (s.settings.wait !== undefined && sameValue(command, s.settings.wait)));
  // The wait hook a legacy output gave the sidecar goes (below); a probe added in its place allows
  // at least as long as that wait did (unless the config says how long), or a sidecar slow to
  // start would now be killed and restarted.
  const waited = ownWait ? waitLimitSeconds(command) : undefined;
  const cover = s.settings.startTimeExplicit ? undefined : waited;
  let probed = true;
  if (c.startupProbe) {
    if (c.startupProbe.successThreshold !== undefined && c.startupProbe.successThreshold !== 1) {
      plan.edits.push({ target, path: ["startupProbe", "successThreshold"], value: 1, says: `set the startupProbe successThreshold of "${c.name}" to 1 (the only value the API server accepts)` });
    }
    const budget = probeBudget(c.startupProbe);
    if (waited !== undefined && waited > budget) {
      plan.notes.push({
        severity: "warning",
        target,
        path: ["startupProbe"],
        message: `the startupProbe of "${c.name}" gives up after ${budget} s, but the postStart wait it now stands in for (${commandText(command!)}) allowed ${waited} s: a sidecar that takes longer to start is restarted and the app keeps waiting; raise its failureThreshold if it can take that long`,
      });
    }
  } else if (s.settings.startupProbe) {
    const { probe, stretched } = coverWait(s.settings.startupProbe, cover);
    plan.edits.push({ target, path: ["startupProbe"], value: probe, says: `added a startupProbe to "${c.name}" so the containers after it wait until it is ready${stretched}` });
  } else if (c.readinessProbe && handlerOf(c.readinessProbe)) {
    const { probe, stretched } = coverWait(deriveStartupProbe(c.readinessProbe, s.settings.timeoutSeconds), cover);
    plan.edits.push({
      target,
      path: ["startupProbe"],
      value: probe,
      says: `added a startupProbe to "${c.name}" derived from its readinessProbe (checked every second for up to ${probe.failureThreshold} s)${stretched}, because native sidecars gate on the startupProbe, never the readinessProbe`,
    });
    // The entry's own wait comes after a probe in the order of gates: said, not dropped in silence.
    const entryWait = s.rule?.spec.wait?.exec;
    if (entryWait) plan.remarks.push(`the wait.exec of "${c.name}"'s sidecars entry (${commandText(entryWait)}) is not used: a native sidecar gates on a startupProbe, and its readinessProbe gives one; set the entry's startupProbe to choose the probe yourself`);
  } else {
    probed = false;
    if (s.settings.wait) {
      // No probe to gate on: the wait command blocks as a postStart hook here too.
      holdHook(plan, c, s.settings.wait, opts, "initContainers", s.settings.isWait);
    } else if (!hold) {
      const why = s.settings.noStartupProbe ? ` (${s.settings.preset?.title ?? "its preset"} gives none: ${s.settings.noStartupProbe})` : "";
      plan.notes.push({
        severity: "warning",
        target,
        path: ["startupProbe"],
        message: `native sidecar "${c.name}" has no startupProbe, readinessProbe or wait command${why}, so the containers after it start as soon as its process runs, not when it is ready; ${s.settings.noStartupProbeFix ? `${s.settings.noStartupProbeFix}, or ` : ""}give it a startupProbe (or startupProbe/wait.exec in its sidecars entry)`,
      });
    }
  }
  const hookEdited = plan.edits.some((e) => e.target !== "template" && e.target.name === c.name && e.path.join(".") === "lifecycle.postStart");
  if (!hold || hookEdited) return;
  if (probed && ownWait) {
    // The probe holds the app now, and the hook's own timeout (pilot-agent wait: 60 s) would kill
    // a sidecar the probe still allows to start. Istio's and Linkerd's native injection add none.
    plan.edits.push({
      target,
      path: ["lifecycle", "postStart"],
      value: undefined,
      says: `removed the postStart hook of "${c.name}" (it runs "${commandText(command!)}"): the startupProbe holds the containers after it now${waited !== undefined && waited < probeBudget(finalProbe(plan, c)) ? `, and the hook's own timeout (${waited} s) would kill a sidecar that is slower to start than the probe allows` : ""}`,
    });
    return;
  }
  // Typically a hook sidecar-order does not know: native sidecars wait for postStart too.
  plan.remarks.push(`the postStart hook of "${c.name}" stays and still holds the containers after it`);
}

/** The startupProbe the sidecar ends up with: one the plan adds, else its own. */
function finalProbe(plan: Plan, c: Container): Probe {
  const added = editAt(plan, c.name, "startupProbe");
  return (added?.value as Probe | undefined) ?? c.startupProbe ?? {};
}

/** The probe, its failureThreshold raised to cover `seconds` of waiting if it would give up sooner. */
function coverWait(probe: Probe, seconds: number | undefined): { probe: Probe; stretched: string } {
  if (seconds === undefined || probeBudget(probe) >= seconds) return { probe, stretched: "" };
  const period = probePeriod(probe);
  const failureThreshold = Math.ceil((seconds - (probe.initialDelaySeconds ?? 0)) / period);
  return { probe: { ...probe, failureThreshold }, stretched: ` (failureThreshold ${failureThreshold}: as long as the postStart wait it replaces allowed, ${seconds} s)` };
}

export function handlerOf(probe: Probe): Handler | undefined {
  for (const h of HANDLERS) if (probe[h] !== undefined) return { [h]: probe[h] } as Handler;
  return undefined;
}

/** Same check as the readinessProbe, every second, for as long as the sidecar may take. */
export function deriveStartupProbe(readiness: Probe, timeoutSeconds: number): Probe {
  const probe: Probe = { ...handlerOf(readiness) };
  if (readiness.timeoutSeconds !== undefined) probe.timeoutSeconds = readiness.timeoutSeconds;
  probe.periodSeconds = 1;
  probe.failureThreshold = Math.max(1, Math.ceil(timeoutSeconds));
  probe.successThreshold = 1;
  return probe;
}

/**
 * A native sidecar is stopped after the app anyway; a preStop hook that makes it exit now only
 * gets it restarted, so one that does nothing but exit (and sleep) goes. The preset's drain
 * (Istio) is added where the sidecar then has no preStop; any other preStop is the user's and stays.
 */
function shutdown(plan: Plan, s: MatchedSidecar): void {
  const c = s.container;
  const target = { list: "initContainers" as const, name: c.name };
  const drain = s.settings.nativePreStop;
  const title = s.settings.preset?.title ?? "its";
  const preStop = c.lifecycle?.preStop;
  if (!preStop) {
    if (drain) addDrain(plan, c, drain);
    else if (s.settings.noDrain) plan.remarks.push(`no ${title} drain was added to "${c.name}": ${s.settings.noDrain}`);
    return;
  }
  if (drain && sameValue(preStop, drain)) return;
  const verdict = judgePreStop(preStop);
  if (verdict.kind === "exits") {
    const why = "a native sidecar that exits is restarted, and it is stopped after the app containers anyway";
    if (drain) {
      plan.edits.push({ target, path: ["lifecycle", "preStop"], value: drain, says: `replaced the preStop hook of "${c.name}" (${verdict.what}) with ${title} drain (${commandText(drain.exec?.command ?? [])}): ${why}` });
    } else {
      plan.edits.push({ target, path: ["lifecycle", "preStop"], value: undefined, says: `removed the preStop hook of "${c.name}" (${verdict.what}): ${why}` });
    }
  } else if (verdict.kind === "harmless") {
    // A sleep beside the sidecar's own hold hook is the legacy "stop last" wait (sidecar-order's or
    // the mesh's): native sidecars outlive the app anyway, so it gives way to the drain, or goes
    // where there is none (it would only hold back the sidecar's stop, and a Job's completion).
    // Any other sleep is the user's choice.
    const hold = c.lifecycle?.postStart?.exec?.command;
    const stopLast = Array.isArray(hold) && (s.settings.isWait?.(hold) || (s.settings.wait !== undefined && sameValue(hold, s.settings.wait)));
    if (stopLast && drain) {
      plan.edits.push({ target, path: ["lifecycle", "preStop"], value: drain, says: `replaced the preStop hook of "${c.name}" (${verdict.what}) with ${title} drain (${commandText(drain.exec?.command ?? [])}); native sidecars are stopped after the app anyway` });
    } else if (stopLast) {
      plan.edits.push({ target, path: ["lifecycle", "preStop"], value: undefined, says: `removed the preStop hook of "${c.name}" (${verdict.what}), the legacy "stop last" wait: native sidecars are stopped after the app anyway, and it would only hold back the sidecar's stop (and a Job's completion)` });
    } else if (drain) {
      plan.remarks.push(`kept the preStop hook of "${c.name}" (${verdict.what}): the ${title} drain is added only where a sidecar has no preStop of its own`);
    }
  } else {
    plan.notes.push({
      severity: "warning",
      target,
      path: ["lifecycle", "preStop"],
      message: `sidecar "${c.name}" keeps its preStop hook (${verdict.what}); if that hook makes it exit, the kubelet restarts it, since native sidecars are restarted until the app containers have stopped`,
    });
  }
}

function addDrain(plan: Plan, c: Container, drain: Handler): void {
  plan.edits.push({
    target: { list: "initContainers", name: c.name },
    path: ["lifecycle", "preStop"],
    value: drain,
    says: `added a preStop hook to "${c.name}" that drains it without exiting (${commandText(drain.exec?.command ?? [])})`,
  });
}

/** Hooks removed one by one would leave `lifecycle: {}` behind: remove the whole field instead. */
function collapseLifecycle(plan: Plan, c: Container): void {
  const mine = plan.edits.filter((e) => e.target !== "template" && e.target.name === c.name && e.path[0] === "lifecycle");
  const removed = mine.filter((e) => e.value === undefined && e.path.length === 2);
  if (removed.length === 0 || mine.some((e) => e.value !== undefined)) return;
  const gone = new Set(removed.map((e) => String(e.path[1])));
  if (Object.keys(c.lifecycle ?? {}).some((k) => !gone.has(k))) return;
  plan.edits = plan.edits.filter((e) => !removed.includes(e));
  plan.edits.push({ target: removed[0]!.target, path: ["lifecycle"], value: undefined, says: removed.map((e) => e.says).join("; ") });
}
