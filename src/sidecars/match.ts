/**
 * Which containers of a pod template are sidecars: those a rule matches (config entries or
 * presets) and those the pod template names in its `sidecar-order.dev/sidecars` annotation.
 */
import type { Container, ListName, PodTemplateView } from "../pod/types";
import { PRESETS } from "./presets";
import type { Preset } from "./presets/types";
import { ruleMatches, settingsFor, type SidecarRule, type SidecarSettings } from "./rules";

export const SIDECARS_ANNOTATION = "sidecar-order.dev/sidecars";

export interface MatchedSidecar {
  list: ListName;
  /** Index in its list, as found. */
  index: number;
  container: Container;
  /** The rule that matched; undefined when only the annotation names it. */
  rule: SidecarRule | undefined;
  settings: SidecarSettings;
  /** Start order: rule rank first, then annotation order. */
  rank: number;
}

export interface MatchOutcome {
  sidecars: MatchedSidecar[];
  /** Names in the annotation that no container has. */
  unknownNames: string[];
  /** Names in the annotation of init containers that run to completion (left where they are). */
  plainInitNames: string[];
  /**
   * Init containers that run to completion but that a rule names as a sidecar (by the container's
   * name: a preset's image also fits its run-to-completion init containers, istio-init's proxyv2).
   * A sidecar never completes, so the pod would stay in Init: said, left where they are.
   */
  plainInitSidecars: { index: number; container: Container; rule: SidecarRule }[];
}

export function annotatedNames(annotations: Record<string, string>): string[] {
  const raw = annotations[SIDECARS_ANNOTATION];
  if (typeof raw !== "string") return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * The first rule that matches a container: a rule looks at the container's name and image only,
 * and a package repeats them (one proxy image in every workload), so each pair is matched once
 * per set of rules.
 */
const matched = new WeakMap<readonly SidecarRule[], Map<string, Map<string, SidecarRule | null>>>();

function firstMatch(rules: readonly SidecarRule[], c: Container): SidecarRule | undefined {
  let byName = matched.get(rules);
  if (!byName) matched.set(rules, (byName = new Map()));
  let byImage = byName.get(c.name);
  if (!byImage) byName.set(c.name, (byImage = new Map()));
  const image = typeof c.image === "string" ? c.image : "";
  let rule = byImage.get(image);
  if (rule === undefined) byImage.set(image, (rule = rules.find((r) => ruleMatches(r, c)) ?? null));
  return rule ?? undefined;
}

/** Sidecars among spec.containers and spec.initContainers (restartable ones only). */
export function matchSidecars(template: PodTemplateView, rules: readonly SidecarRule[]): MatchOutcome {
  const named = annotatedNames(template.annotations);
  const found: MatchedSidecar[] = [];
  const plainInitNames: string[] = [];
  const plainInitSidecars: MatchOutcome["plainInitSidecars"] = [];
  for (const list of ["initContainers", "containers"] as const) {
    template.spec[list].forEach((container, index) => {
      // Plain init containers run to completion before the app: they are never sidecars (one the
      // annotation or a rule names is left where it is, and said so).
      if (list === "initContainers" && container.restartPolicy !== "Always") {
        if (named.includes(container.name)) plainInitNames.push(container.name);
        else {
          const rule = rules.find((r) => ruleMatches(r, container) && namesContainer(r, container));
          if (rule) plainInitSidecars.push({ index, container, rule });
        }
        return;
      }
      const rule = firstMatch(rules, container);
      const nameIndex = named.indexOf(container.name);
      if (!rule && nameIndex === -1) return;
      found.push({ list, index, container, rule, settings: settingsFor(rule, container, template.annotations), rank: rule ? rule.rank : rules.length + nameIndex });
    });
  }
  const present = new Set([...template.spec.containers, ...template.spec.initContainers].map((c) => c.name));
  return { sidecars: found, unknownNames: named.filter((n) => !present.has(n)), plainInitNames, plainInitSidecars };
}

/** Whether the rule matches the container by its name (an entry's `name`, or a preset's container names). */
function namesContainer(r: SidecarRule, c: Container): boolean {
  if (r.spec.name !== undefined) return r.spec.name === c.name;
  return r.spec.image === undefined && r.preset !== undefined && r.preset.containerNames.includes(c.name);
}

/** Every preset as a rule of its own, to recognise its container whatever the config lists. */
const PRESET_RULES: readonly SidecarRule[] = PRESETS.map((preset, rank) => ({ key: preset.name, index: -1, preset, spec: { preset: preset.name }, rank, dependsOn: [] }));
/** Mesh presets (a proxy with network-setup init containers), to recognise an unlisted proxy. */
const MESH_RULES = PRESET_RULES.filter((r) => r.preset!.initContainersBefore.length > 0);

/** The containers that run beside the app: native sidecars (restartable init containers) and spec.containers. */
function running(template: PodTemplateView): { list: ListName; index: number; container: Container }[] {
  const init = template.spec.initContainers.map((container, index) => ({ list: "initContainers" as const, index, container })).filter((e) => e.container.restartPolicy === "Always");
  return [...init, ...template.spec.containers.map((container, index) => ({ list: "containers" as const, index, container }))];
}

/** Whether the pod has the preset's container already (listed in the config or not): its injector then leaves the pod alone. */
export function hasContainerOf(template: PodTemplateView, preset: Preset): boolean {
  return running(template).some(({ container }) => firstMatch(PRESET_RULES, container)?.preset === preset);
}

/**
 * Running containers that no rule matched but a mesh preset would: a config whose sidecars leave
 * the mesh out moves the sidecars it lists ahead of the proxy.
 */
export function unlistedMeshProxies(template: PodTemplateView, outcome: MatchOutcome): { list: ListName; index: number; container: Container; preset: Preset }[] {
  if (outcome.sidecars.length === 0) return [];
  return running(template).flatMap((e) => {
    if (outcome.sidecars.some((s) => s.container === e.container)) return [];
    const preset = firstMatch(MESH_RULES, e.container)?.preset; // cached by name and image, like the config's rules
    return preset ? [{ ...e, preset }] : [];
  });
}
