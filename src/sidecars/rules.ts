/**
 * The config's sidecars entries (or, with none, every preset) as ordered matching rules, and what
 * each rule means for one matched container.
 */
import type { Config, SidecarSpec } from "../config/schema";
import type { Container, Handler, Probe } from "../pod/types";
import { PRESETS, presetNamed, type Preset } from "./presets";
import type { Maybe, PresetCheck, PresetInput } from "./presets/types";

/** Default for how long the app may wait for a sidecar. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

export interface SidecarRule {
  /** How `after` refers to it: the entry's name, else its preset, else its image. */
  key: string;
  /** Position of the entry in the config's sidecars list; -1 for a default preset. */
  index: number;
  preset?: Preset;
  spec: SidecarSpec;
  /** Start order (topological over `after`, config order for ties). */
  rank: number;
  /** The entries its `after` names. */
  dependsOn: SidecarRule[];
}

export interface RulesOutcome {
  rules: SidecarRule[];
  /** Config problems (unknown `after` names, cycles): error results on the config. */
  problems: { path: string; message: string }[];
  /** True when no sidecars were configured and every preset is in use. */
  allPresets: boolean;
}

export function resolveRules(config: Config): RulesOutcome {
  if (config.sidecars === undefined) {
    const rules = PRESETS.map((preset, rank): SidecarRule => ({ key: preset.name, index: -1, preset, spec: { preset: preset.name }, rank, dependsOn: [] }));
    return { rules, problems: [], allPresets: true };
  }
  const entries = config.sidecars.map((spec, index) => {
    const rule: SidecarRule = { key: spec.name ?? spec.preset ?? spec.image ?? `#${index}`, index, spec, rank: index, dependsOn: [] };
    if (spec.preset) rule.preset = presetNamed(spec.preset);
    return rule;
  });
  const problems: RulesOutcome["problems"] = [...shadowed(entries)];
  const byKey = new Map<string, SidecarRule>();
  for (const r of entries) {
    byKey.set(r.key, r);
    if (r.spec.preset && !byKey.has(r.spec.preset)) byKey.set(r.spec.preset, r);
  }
  const deps = new Map<SidecarRule, SidecarRule[]>();
  for (const r of entries) {
    const list: SidecarRule[] = [];
    for (const [i, ref] of (r.spec.after ?? []).entries()) {
      const target = byKey.get(ref);
      if (!target) {
        problems.push({ path: `sidecars[${r.index}].after[${i}]`, message: `sidecars[${r.index}].after names "${ref}", which is not the name or preset of another sidecars entry (known: ${[...byKey.keys()].join(", ")})` });
      } else if (target === r) {
        problems.push({ path: `sidecars[${r.index}].after[${i}]`, message: `sidecars[${r.index}].after names the entry itself ("${ref}"); a sidecar cannot start after itself` });
      } else list.push(target);
    }
    deps.set(r, list);
    r.dependsOn = list;
  }
  if (problems.length) return { rules: entries, problems, allPresets: false };

  // Kahn's algorithm, always taking the earliest ready entry: stable for ties.
  const ordered: SidecarRule[] = [];
  const pending = [...entries];
  while (pending.length) {
    const next = pending.findIndex((r) => deps.get(r)!.every((d) => ordered.includes(d)));
    if (next === -1) {
      const cycle = pending.map((r) => `"${r.key}"`).join(", ");
      problems.push({ path: `sidecars[${pending[0]!.index}].after`, message: `the sidecars' \`after\` lists form a cycle among ${cycle}; remove one of the dependencies` });
      return { rules: entries, problems, allPresets: false };
    }
    ordered.push(...pending.splice(next, 1));
  }
  ordered.forEach((r, rank) => (r.rank = rank));
  return { rules: ordered, problems, allPresets: false };
}

/**
 * Entries an earlier entry leaves nothing to match: the first matching entry wins, so a repeated
 * entry (and its settings) would never apply.
 */
function shadowed(entries: readonly SidecarRule[]): RulesOutcome["problems"] {
  const out: RulesOutcome["problems"] = [];
  entries.forEach((b, j) => {
    const a = entries.slice(0, j).find((x) => covers(x, b));
    if (!a) return;
    out.push({
      path: `sidecars[${b.index}]`,
      message: `sidecars[${b.index}] (${describe(b)}) matches no container that sidecars[${a.index}] (${describe(a)}) does not match first, so it would never apply; merge the two entries into one`,
    });
  });
  return out;
}

/** Whether every container `b` matches is matched by `a`. */
function covers(a: SidecarRule, b: SidecarRule): boolean {
  const own = (r: SidecarRule) => r.spec.name !== undefined || r.spec.image !== undefined;
  if (!own(a) && !own(b)) return a.spec.preset === b.spec.preset;
  if (own(a) && own(b) && a.spec.name === b.spec.name && a.spec.image === b.spec.image) return true;
  // `a` takes every container of a name, whatever its image.
  if (b.spec.name === undefined || a.spec.image !== undefined) return false;
  if (own(a)) return a.spec.name === b.spec.name;
  return (a.preset?.containerNames ?? []).includes(b.spec.name);
}

function describe(r: SidecarRule): string {
  const parts = [r.spec.preset && `preset ${r.spec.preset}`, r.spec.name && `name "${r.spec.name}"`, r.spec.image && `image "${r.spec.image}"`].filter(Boolean);
  return parts.join(", ");
}

/** Globs come from presets and the config: few, and each used for every container of every pod. */
const globParts = new Map<string, { parts: string[]; literal: boolean }>();

/** `*` matches any run of characters (`/` included), `?` one character; the rest is literal. */
export function globMatch(glob: string, value: string): boolean {
  // String builtins rather than a RegExp or a loop over characters: a cold process runs
  // builtins at full speed, and compiles no regular expression.
  let g = globParts.get(glob);
  if (g === undefined) globParts.set(glob, (g = { parts: glob.split("*"), literal: !glob.includes("?") }));
  const { parts, literal } = g;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (parts.length === 1) return value.length === first.length && same(first, value, 0, literal);
  if (value.length < first.length + last.length || !same(first, value, 0, literal) || !same(last, value, value.length - last.length, literal)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    let found = -1;
    if (literal) {
      found = value.indexOf(part, at);
      if (found + part.length > end) found = -1;
    } else {
      for (let k = at; k + part.length <= end; k++) {
        if (same(part, value, k, false)) {
          found = k;
          break;
        }
      }
    }
    if (found === -1) return false;
    at = found + part.length;
  }
  return true;
}

/** Whether `part` (where `?` is any one character, unless the glob has none) stands in `value` at `at`. */
function same(part: string, value: string, at: number, literal: boolean): boolean {
  if (at + part.length > value.length) return false;
  if (literal) return value.startsWith(part, at);
  for (let i = 0; i < part.length; i++) if (part[i] !== "?" && part[i] !== value[at + i]) return false;
  return true;
}

export function ruleMatches(rule: SidecarRule, c: Container): boolean {
  const { name, image } = rule.spec;
  const img = typeof c.image === "string" ? c.image : "";
  if (name !== undefined || image !== undefined) {
    // An entry's own name/image replace the preset's match rules; both must match when both are given.
    return (name === undefined || name === c.name) && (image === undefined || globMatch(image, img));
  }
  const p = rule.preset;
  return p !== undefined && (p.containerNames.includes(c.name) || p.images.some((g) => globMatch(g, img)));
}

/** What sidecar-order does with one matched container. */
export interface SidecarSettings {
  /** "sidecar \"x\"" in messages comes from the container; this names the rule, e.g. "the istio preset". */
  source: string;
  preset?: Preset;
  /** Legacy wait command (postStart exec); also gates a native sidecar that has no probe. */
  wait?: string[];
  /** Why there is no wait command, when a preset says so. */
  noWait?: string;
  /** What to change so the preset has a wait command, when it says. */
  noWaitFix?: string;
  timeoutSeconds: number;
  /** startupProbe for a native sidecar that has none. */
  startupProbe?: Probe;
  initContainersBefore: string[];
  initContainersAfter: string[];
  stopAfterApp: boolean;
  /** Whether stopAfterApp was set explicitly in the config. */
  stopAfterAppExplicit: boolean;
  /** Whether the config sets how long the sidecar may take to start (its entry's startupProbe or timeoutSeconds). */
  startTimeExplicit: boolean;
  /** The image's `sleep`, for a legacy exec preStop wait. */
  sleepBinary?: string;
  nativePreStop?: Handler;
  /** Why the preset's drain cannot be used here (said in the info). */
  noDrain?: string;
  /** Why the preset gives no startupProbe here (said in the warning). */
  noStartupProbe?: string;
  /** What to change so the preset gives a startupProbe, when it says. */
  noStartupProbeFix?: string;
  /** Recognises the preset's own wait command (a native startupProbe makes it redundant). */
  isWait?: (command: readonly string[]) => boolean;
  jobExit?: string;
  /** Set-up problems the preset found (warnings). */
  checks: PresetCheck[];
}

export function settingsFor(rule: SidecarRule | undefined, c: Container, annotations: Record<string, string> = {}): SidecarSettings {
  return new Settings(rule, c, annotations);
}

const NOT_YET = Symbol("not yet");
const valueOf = <T>(m: Maybe<T> | undefined): T | undefined => (m && "value" in m ? m.value : undefined);
const noneOf = (m: Maybe<unknown> | undefined): string | undefined => (m && "none" in m ? m.none : undefined);
const fixOf = (m: Maybe<unknown> | undefined): string | undefined => (m && "none" in m ? m.fix : undefined);

/**
 * What the preset makes of the container is worked out on first read, once: a sidecar already
 * in order needs few of these answers, and a re-render asks for them in every workload. (A class:
 * an object literal with getters is built far more slowly.)
 */
class Settings implements SidecarSettings {
  readonly source: string;
  readonly preset?: Preset;
  readonly timeoutSeconds: number;
  readonly initContainersBefore: string[];
  readonly initContainersAfter: string[];
  readonly stopAfterApp: boolean;
  readonly stopAfterAppExplicit: boolean;
  readonly startTimeExplicit: boolean;
  readonly isWait?: (command: readonly string[]) => boolean;
  readonly jobExit?: string;
  readonly checks: PresetCheck[];
  private readonly spec: SidecarSpec;
  private readonly input: PresetInput;
  private waitAnswer: Maybe<string[]> | undefined;
  private probeAnswer: Maybe<Probe> | undefined;
  private drainAnswer: Maybe<Handler> | undefined | typeof NOT_YET = NOT_YET;
  private sleepAnswer: string | undefined | typeof NOT_YET = NOT_YET;

  constructor(rule: SidecarRule | undefined, c: Container, annotations: Record<string, string>) {
    const spec: SidecarSpec = rule?.spec ?? {};
    const p = rule?.preset;
    this.spec = spec;
    this.timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.input = { container: c, adminPort: spec.adminPort ?? p?.adminPortFromArgs?.(c) ?? p?.adminPort ?? 0, timeoutSeconds: this.timeoutSeconds, annotations };
    this.source = p ? `the ${p.name} preset` : rule ? `sidecars[${rule.index}]` : "the sidecar-order.dev/sidecars annotation";
    this.initContainersBefore = [...(p?.initContainersBefore ?? []), ...(spec.initContainersBefore ?? [])];
    this.initContainersAfter = [...(p?.initContainersAfter ?? []), ...(spec.initContainersAfter ?? [])];
    this.stopAfterApp = spec.stopAfterApp ?? p?.stopAfterApp ?? false;
    this.stopAfterAppExplicit = spec.stopAfterApp !== undefined;
    this.startTimeExplicit = spec.startupProbe !== undefined || spec.timeoutSeconds !== undefined;
    this.checks = p?.check?.(this.input) ?? [];
    if (p) this.preset = p;
    if (p?.isWait) this.isWait = p.isWait;
    if (p?.jobExit) this.jobExit = p.jobExit;
  }

  private waitOf(): Maybe<string[]> {
    const { spec, preset: p } = this;
    return (this.waitAnswer ??= spec.wait ? { value: [...spec.wait.exec] } : p ? p.wait(this.input) : { none: "" });
  }

  private probeOf(): Maybe<Probe> {
    const { spec, preset: p } = this;
    return (this.probeAnswer ??= spec.startupProbe ? { value: spec.startupProbe as Probe } : p ? p.startupProbe(this.input) : { none: "" });
  }

  private drainOf(): Maybe<Handler> | undefined {
    if (this.drainAnswer === NOT_YET) this.drainAnswer = this.spec.drain === false ? undefined : this.preset?.nativePreStop?.(this.input);
    return this.drainAnswer;
  }

  get wait(): string[] | undefined {
    return valueOf(this.waitOf());
  }

  /** Only a preset says why it has no wait command. */
  get noWait(): string | undefined {
    return this.preset && noneOf(this.waitOf());
  }

  /** The preset's advice for having a wait command (or a startupProbe: the same setting gives both). */
  get noWaitFix(): string | undefined {
    return this.preset && fixOf(this.waitOf());
  }

  get startupProbe(): Probe | undefined {
    return valueOf(this.probeOf());
  }

  get noStartupProbe(): string | undefined {
    return this.preset && noneOf(this.probeOf());
  }

  get noStartupProbeFix(): string | undefined {
    return this.preset && fixOf(this.probeOf());
  }

  get sleepBinary(): string | undefined {
    if (this.sleepAnswer === NOT_YET) this.sleepAnswer = this.preset?.sleepBinary(this.input.container) || undefined;
    return this.sleepAnswer;
  }

  get nativePreStop(): Handler | undefined {
    return valueOf(this.drainOf());
  }

  get noDrain(): string | undefined {
    return noneOf(this.drainOf());
  }
}
