/**
 * Validation against the Kubernetes 1.33 structural schema, as shipped by kubernetes-models 4.5;
 * and the API server's rules for what sidecar-order emits, written out (API_RULES, below).
 */
import { Pod, PodTemplate, ReplicationController } from "kubernetes-models/v1";
import { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";

type Plain = Record<string, unknown>;
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Pod": Pod,
  "v1/PodTemplate": PodTemplate,
  "v1/ReplicationController": ReplicationController,
  "apps/v1/Deployment": Deployment,
  "apps/v1/ReplicaSet": ReplicaSet,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/DaemonSet": DaemonSet,
  "batch/v1/Job": Job,
  "batch/v1/CronJob": CronJob,
};

/** The schema's complaint about a built-in workload, or undefined (also for kinds it does not know). */
export function validateWorkload(item: Plain): string | undefined {
  const Model = MODELS[`${String(item["apiVersion"])}/${String(item["kind"])}`];
  if (!Model) return undefined;
  try {
    new Model(item as never).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The API server's rules for what sidecar-order emits, by hand: each one the real kube-apiserver
 * enforces, checked rule by rule against it (test/cluster/apiserver.cluster.test.ts: a pod that
 * breaks a rule is rejected, or loses a field, and one that keeps it is taken as written). Sources
 * are k8s.io/kubernetes v1.34.4's pkg/apis/core/validation/validation.go (validation) and
 * pkg/api/pod/util.go (GetValidationOptionsFromPodSpecAndMeta: which options follow which gate;
 * dropDisabledPodFields: fields a server with a gate off removes before validating, silently).
 */

/** The target's API server, as the function config names it (major.minor; patch and vendor suffix ignored). */
export interface Target {
  major: number;
  minor: number;
}

/** `kubernetesVersion` of a SidecarOrder function config: "1.31", "v1.30.2", "1.30.2-gke.1587003". */
export function targetOf(functionConfig: unknown): Target | undefined {
  const text = (functionConfig as Plain | undefined)?.["kubernetesVersion"];
  const m = typeof text === "string" ? /^v?(\d+)\.(\d+)(?:[.+-].*)?$/.exec(text) : null;
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Whether the target is `minor` or later; an unknown target is not (the oldest servers decide). */
const from = (t: Target | undefined, minor: number) => t !== undefined && (t.major > 1 || (t.major === 1 && t.minor >= minor));

type Container = Plain & { name?: unknown; restartPolicy?: unknown; lifecycle?: Plain; resizePolicy?: unknown };
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];
const HOOK_HANDLERS = ["exec", "httpGet", "tcpSocket", "sleep"];

function lists(spec: Plain): { init: Container[]; regular: Container[] } {
  const init = Array.isArray(spec["initContainers"]) ? (spec["initContainers"] as Container[]) : [];
  const regular = Array.isArray(spec["containers"]) ? (spec["containers"] as Container[]) : [];
  return { init, regular };
}
const sidecar = (c: Container) => c.restartPolicy === "Always";
const isMap = (x: unknown): x is Plain => typeof x === "object" && x !== null && !Array.isArray(x);

/** Every handler of a container with where it is: lifecycle hooks and probes. */
function handlers(c: Container): { where: string; handler: Plain; kinds: string[] }[] {
  const out: { where: string; handler: Plain; kinds: string[] }[] = [];
  for (const hook of ["postStart", "preStop"]) {
    const h = c.lifecycle?.[hook];
    if (isMap(h)) out.push({ where: `lifecycle.${hook}`, handler: h, kinds: HOOK_HANDLERS });
  }
  for (const p of PROBES) if (isMap(c[p])) out.push({ where: p, handler: c[p], kinds: PROBE_HANDLERS });
  return out;
}

export interface ApiRule {
  id: string;
  /** What the API server requires, in words. */
  rule: string;
  /** Where k8s.io/kubernetes v1.34.4 enforces it. */
  source: string;
  /** The rule's complaints about one pod spec, for a target API server (undefined: not given). */
  check(spec: Plain, target: Target | undefined): string[];
}

export const API_RULES: readonly ApiRule[] = [
  {
    id: "unique-names",
    rule: "container names are unique across initContainers and containers",
    source: "validation.go validateInitContainers / validateContainers (field.Duplicate)",
    check(spec) {
      const { init, regular } = lists(spec);
      const names = [...init, ...regular].map((c) => String(c.name));
      const dup = names.filter((n, i) => names.indexOf(n) !== i);
      return dup.length ? [`container names not unique: ${[...new Set(dup)].join(", ")}`] : [];
    },
  },
  {
    id: "containers-required",
    rule: "a pod spec has at least one regular container",
    source: "validation.go validateContainers (field.Required)",
    check(spec) {
      return lists(spec).regular.length === 0 ? ["a pod spec has no containers"] : [];
    },
  },
  {
    id: "no-restartPolicy-on-containers",
    rule:
      "a regular container has no restartPolicy. v1.34 does not reject one: with the ContainerRestartRules gate off (alpha in 1.34) it drops it " +
      "before validating, so the container is stored without it; with the gate on it is a per-container restart policy",
    source: 'util.go dropContainerRestartRules; validation.go validateContainers ("may not be set for non-init containers", where the field survives)',
    check(spec) {
      return lists(spec).regular.filter((c) => c.restartPolicy !== undefined).map((c) => `restartPolicy on regular container ${String(c.name)}`);
    },
  },
  {
    id: "init-restartPolicy-Always",
    rule:
      "an init container's restartPolicy, when set, is Always. v1.34 drops any other value before validating (ContainerRestartRules off), " +
      "so the container is stored as a plain init container",
    source: "util.go dropContainerRestartRules; validation.go validateInitContainerRestartPolicy (field.NotSupported, where the field survives)",
    check(spec) {
      return lists(spec).init.filter((c) => c.restartPolicy !== undefined && c.restartPolicy !== "Always").map((c) => `init container ${String(c.name)} has restartPolicy ${String(c.restartPolicy)}`);
    },
  },
  {
    id: "plain-init-no-lifecycle-or-probes",
    rule: "an init container without restartPolicy: Always has no lifecycle, livenessProbe, readinessProbe or startupProbe",
    source: 'validation.go validateInitContainers ("may not be set for init containers without restartPolicy=Always")',
    check(spec) {
      const out: string[] = [];
      for (const c of lists(spec).init) {
        if (sidecar(c)) continue;
        for (const f of ["lifecycle", ...PROBES]) if (c[f] !== undefined) out.push(`${f} on plain init container ${String(c.name)}`);
      }
      return out;
    },
  },
  {
    id: "init-resizePolicy-from-1.33",
    rule:
      "resizePolicy on an init container (a native sidecar or a plain one: the check does not look at restartPolicy) is taken from 1.33, " +
      "where InPlacePodVerticalScaling is on by default (validation option AllowSidecarResizePolicy). Below 1.33 the gate is off by default " +
      "and the server silently drops resizePolicy from every container before validating; where a user turned the alpha gate on, " +
      "1.27-1.31 reject it on init containers. An unknown target counts as below 1.33",
    source: "validation.go validateInitContainers (!opts.AllowSidecarResizePolicy); util.go dropDisabledPodFields (InPlacePodVerticalScaling)",
    check(spec, target) {
      if (from(target, 33)) return [];
      return lists(spec).init.filter((c) => c.resizePolicy !== undefined).map((c) => `resizePolicy on init container ${String(c.name)}: a server below 1.33 drops it (or rejects it, with the alpha gate on)`);
    },
  },
  {
    id: "successThreshold-1",
    rule: "a startupProbe's and a livenessProbe's successThreshold is 1 (0 is defaulted to 1)",
    source: 'validation.go validateStartupProbe / validateLivenessProbe ("must be 1")',
    check(spec) {
      const out: string[] = [];
      for (const c of [...lists(spec).init, ...lists(spec).regular]) {
        for (const p of ["startupProbe", "livenessProbe"]) {
          const t = (c[p] as Plain | undefined)?.["successThreshold"];
          if (t !== undefined && t !== 1 && t !== 0) out.push(`${p} successThreshold ${String(t)} on ${String(c.name)}`);
        }
      }
      return out;
    },
  },
  {
    id: "one-handler",
    rule: "each hook and probe names exactly one handler (hooks: exec, httpGet, tcpSocket, sleep; probes: exec, httpGet, tcpSocket, grpc), and an exec handler has a command",
    source: 'validation.go validateHandler ("may not specify more than 1 handler type", "must specify a handler type"), validateExecAction',
    check(spec) {
      const out: string[] = [];
      for (const c of [...lists(spec).init, ...lists(spec).regular]) {
        for (const { where, handler, kinds } of handlers(c)) {
          const n = kinds.filter((k) => handler[k] !== undefined).length;
          if (n !== 1) out.push(`${where} of ${String(c.name)} has ${n} handler types`);
          const exec = handler["exec"];
          if (isMap(exec) && !(Array.isArray(exec["command"]) && exec["command"].length > 0)) out.push(`${where} of ${String(c.name)}: exec without a command`);
        }
      }
      return out;
    },
  },
  {
    id: "probe-numbers",
    rule: "a probe's initialDelaySeconds, timeoutSeconds, periodSeconds, successThreshold and failureThreshold are not negative, and its terminationGracePeriodSeconds is above 0",
    source: "validation.go validateProbe (ValidateNonnegativeField)",
    check(spec) {
      const out: string[] = [];
      for (const c of [...lists(spec).init, ...lists(spec).regular]) {
        for (const p of PROBES) {
          const probe = c[p];
          if (!isMap(probe)) continue;
          for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
            if (typeof probe[f] === "number" && (probe[f] as number) < 0) out.push(`${p}.${f} ${String(probe[f])} on ${String(c.name)}`);
          }
          const g = probe["terminationGracePeriodSeconds"];
          if (typeof g === "number" && g <= 0) out.push(`${p}.terminationGracePeriodSeconds ${g} on ${String(c.name)}`);
        }
      }
      return out;
    },
  },
  {
    id: "sleep-within-grace",
    rule: "a sleep hook's seconds are at most the pod's terminationGracePeriodSeconds (30 when unset), and above 0 below 1.33 (0 is allowed from 1.33: PodLifecycleSleepActionAllowZero)",
    source: "validation.go validateSleepAction (opts.AllowPodLifecycleSleepActionZeroValue)",
    check(spec, target) {
      const grace = typeof spec["terminationGracePeriodSeconds"] === "number" ? (spec["terminationGracePeriodSeconds"] as number) : 30;
      const out: string[] = [];
      for (const c of [...lists(spec).init, ...lists(spec).regular]) {
        for (const hook of ["postStart", "preStop"]) {
          const sleep = (c.lifecycle?.[hook] as Plain | undefined)?.["sleep"];
          const s = isMap(sleep) ? sleep["seconds"] : undefined;
          if (typeof s !== "number") continue;
          if (s > grace) out.push(`${hook} of ${String(c.name)} sleeps ${s} s, longer than the grace period (${grace} s)`);
          if (s < 0 || (s === 0 && !from(target, 33))) out.push(`${hook} of ${String(c.name)} sleeps ${s} s (0 only from 1.33)`);
        }
      }
      return out;
    },
  },
];

/** Every API rule a pod spec breaks, as "rule-id: complaint". */
export function apiRuleViolations(spec: Plain, target: Target | undefined): string[] {
  return API_RULES.flatMap((r) => r.check(spec, target).map((m) => `${r.id}: ${m}`));
}

/**
 * The function's own rules about what it adds: not API rules (the real server accepts an httpGet
 * postStart and a startupProbe on an app container; the cluster test shows it), but promises of
 * the design. A hold hook is exec (the kubelet runs it before starting the next container); a
 * startupProbe the function adds is on a sidecar, never on an app container. Fields the input
 * already had are not judged.
 */
export function ownRuleViolations(before: Plain | undefined, after: Plain): string[] {
  const was = new Map<string, Container>();
  if (before) for (const c of [...lists(before).regular, ...lists(before).init]) was.set(String(c.name), c);
  const out: string[] = [];
  for (const c of [...lists(after).init, ...lists(after).regular]) {
    const old = was.get(String(c.name));
    const hook = c.lifecycle?.["postStart"];
    if (isMap(hook) && JSON.stringify(hook) !== JSON.stringify(old?.lifecycle?.["postStart"]) && !hook["exec"]) out.push(`emitted a postStart hook that is not exec on ${String(c.name)}`);
    if (c["startupProbe"] !== undefined && JSON.stringify(c["startupProbe"]) !== JSON.stringify(old?.["startupProbe"]) && !sidecar(c)) out.push(`emitted a startupProbe on a non-sidecar ${String(c.name)}`);
  }
  return out;
}
