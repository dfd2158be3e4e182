/**
 * Matching containers to sidecar rules remembers each (name, image) pair per set of rules: the
 * answer must be the one asking every rule gives, whatever came before.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import { matchSidecars } from "../../src/sidecars/match";
import { resolveRules, ruleMatches, type SidecarRule } from "../../src/sidecars/rules";
import { stringEntries } from "../../src/plain";
import type { Container, PodTemplateView } from "../../src/pod/types";

function rulesFor(config: Record<string, unknown>): readonly SidecarRule[] {
  const loaded = loadConfig({ apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "x" }, ...config });
  return resolveRules(loaded.config!).rules;
}

const pod = (containers: Container[]): PodTemplateView => ({ annotations: {}, labels: {}, spec: { containers, initContainers: [] } });

describe("matching containers to sidecar rules", () => {
  const presets = rulesFor({});
  const configured = rulesFor({ sidecars: [{ name: "proxy", image: "*/proxyv2:*" }, { preset: "cloud-sql-proxy" }] });

  it("gives, for every container, the rule that asking every rule gives", () => {
    const names = fc.constantFrom("app", "proxy", "istio-proxy", "cloud-sql-proxy", "linkerd-proxy", "a\u0000b");
    const images = fc.constantFrom("docker.io/istio/proxyv2:1.26.0", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", "example/app:1", "b", "\u0000c", "");
    fc.assert(
      fc.property(fc.array(fc.array(fc.record({ name: names, image: images }), { minLength: 1, maxLength: 4 }), { maxLength: 6 }), (pods) => {
        for (const rules of [presets, configured]) {
          for (const containers of pods) {
            const unique = containers.filter((c, i) => containers.findIndex((d) => d.name === c.name) === i);
            const found = matchSidecars(pod(unique), rules).sidecars;
            const expected = unique.flatMap((c, index) => {
              const rule = rules.find((r) => ruleMatches(r, c));
              return rule ? [{ index, rule }] : [];
            });
            expect(found.map((s) => ({ index: s.index, rule: s.rule }))).toEqual(expected);
          }
        }
      }),
    );
  });
});

describe("stringEntries", () => {
  it("returns a map of strings alone as it is, copies only the strings of any other, and gives none for what is not a map", () => {
    const strings = { a: "1", b: "2" };
    expect(stringEntries(strings)).toBe(strings);
    const mixed = { a: "1", n: 2, b: "2", o: { x: "y" }, z: null };
    const copy = stringEntries(mixed);
    expect(copy).toEqual({ a: "1", b: "2" });
    expect(copy).not.toBe(mixed);
    expect(stringEntries({})).toEqual({});
    for (const notAMap of [undefined, null, "a", ["a"], 1]) expect(stringEntries(notAMap)).toEqual({});
  });
});
