/**
 * `after` and `initContainersAfter` are promises about start order. A plan keeps them wherever it
 * moves a sidecar; this says where it cannot: between sidecars that are native already (left where
 * they are), from a native sidecar to one in spec.containers (init containers all start first), and
 * for an init container that needs a sidecar native already but runs before it.
 */
import type { ListName, PodTemplateView } from "../pod/types";
import type { MatchedSidecar } from "../sidecars/match";
import type { Plan } from "./plan";

export function checkAfter(plan: Plan, template: PodTemplateView, sidecars: readonly MatchedSidecar[]): void {
  const finalNames = (list: ListName): string[] =>
    plan.order ? plan.order[list].map((slot) => template.spec[slot.from][slot.index]!.name) : template.spec[list].map((c) => c.name);
  const init = finalNames("initContainers");
  const containers = finalNames("containers");
  const place = (name: string): { list: ListName; at: number } =>
    init.includes(name) ? { list: "initContainers", at: init.indexOf(name) } : { list: "containers", at: init.length + containers.indexOf(name) };

  for (const s of sidecars) {
    for (const dep of s.rule?.dependsOn ?? []) {
      for (const t of sidecars.filter((x) => x.rule === dep)) {
        const me = place(s.container.name);
        const it = place(t.container.name);
        if (it.at < me.at) continue;
        const fix =
          me.list === "initContainers" && it.list === "containers"
            ? `a native sidecar starts before every container of spec.containers; make "${t.container.name}" a native sidecar too (strategy native, Kubernetes 1.29 or later)`
            : `sidecar-order leaves sidecars that are native already where they are; move "${s.container.name}" after "${t.container.name}" in spec.initContainers`;
        plan.notes.push({
          severity: "warning",
          target: { list: me.list, name: s.container.name },
          message: `sidecar "${s.container.name}" starts before "${t.container.name}", although sidecars[${s.rule!.index}].after names "${dep.key}"; ${fix}`,
        });
      }
    }
  }
  // Init containers that need a native sidecar (initContainersAfter) must run after it.
  for (const s of sidecars) {
    const at = init.indexOf(s.container.name);
    if (at === -1) continue;
    for (const name of s.settings.initContainersAfter) {
      const before = init.indexOf(name);
      const c = template.spec.initContainers.find((x) => x.name === name);
      if (before === -1 || before > at || !c || c.restartPolicy === "Always") continue;
      const own = s.rule?.spec.initContainersAfter?.includes(name);
      const says = own ? `sidecars[${s.rule!.index}].initContainersAfter names it` : `${s.settings.source} says it needs the sidecar`;
      plan.notes.push({
        severity: "warning",
        target: { list: "initContainers", name },
        message: `init container "${name}" runs before sidecar "${s.container.name}" starts, although ${says}, so it cannot reach it; sidecar-order leaves sidecars that are native already where they are: move "${name}" after "${s.container.name}" in spec.initContainers`,
      });
    }
    // Init containers the sidecar needs first (a mesh's network setup, initContainersBefore) must run before it.
    for (const name of s.settings.initContainersBefore) {
      const after = init.indexOf(name);
      const c = template.spec.initContainers.find((x) => x.name === name);
      if (after === -1 || after < at || !c || c.restartPolicy === "Always") continue;
      const own = s.rule?.spec.initContainersBefore?.includes(name);
      const says = own ? `sidecars[${s.rule!.index}].initContainersBefore names it` : `${s.settings.source} runs it before the sidecar`;
      plan.notes.push({
        severity: "warning",
        target: { list: "initContainers", name },
        message: `init container "${name}" runs only after sidecar "${s.container.name}" has started, although ${says}; a sidecar that needs what it sets up never passes its startupProbe, and then "${name}" and the app never start; sidecar-order leaves sidecars that are native already where they are: move "${name}" before "${s.container.name}" in spec.initContainers`,
      });
    }
  }
}
