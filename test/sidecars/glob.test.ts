/** Image globs: the builtins-based matcher against a RegExp reading of the same glob. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatch } from "../../src/sidecars/rules";

/** The glob as a RegExp: `*` any run, `?` one character, the rest literal. */
const reference = (glob: string, value: string) =>
  new RegExp(`^${[...glob].map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&"))).join("")}$`).test(value);

describe("globMatch", () => {
  it.each([
    ["*/istio/proxyv2:*", "docker.io/istio/proxyv2:1.26.0", true],
    ["*/istio/proxyv2:*", "istio/proxyv2:1.26.0", false],
    ["gcr.io/cloud-sql-connectors/cloud-sql-proxy:*", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", true],
    ["*proxy*", "proxy", true],
    ["a*b*a", "aba", true],
    ["a*b*a", "ab", false],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["*?", "", false],
    ["", "", true],
  ])("%s against %s is %s", (glob, value, want) => {
    expect(globMatch(glob, value)).toBe(want);
    expect(reference(glob, value)).toBe(want);
  });

  it("agrees with a RegExp reading of the glob", () => {
    const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 10 }).map((a) => a.join(""));
    fc.assert(
      fc.property(text(["a", "b", "/", ":", "*", "?", "."]), text(["a", "b", "/", ":", "."]), (glob, value) => {
        expect(globMatch(glob, value)).toBe(reference(glob, value));
      }),
      { numRuns: 5000 },
    );
  });
});
