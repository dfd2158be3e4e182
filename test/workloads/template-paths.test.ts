/** templatePathsIn: a kind's template path made concrete, stepping into every list entry as kustomize's fieldSpecs do. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { templatePathsIn } from "../../src/workloads/pod-templates";

describe("templatePathsIn", () => {
  it.each([
    ["a path through maps only", "spec:\n  template: {spec: {}}\n", ["spec", "template"], [["spec", "template"]]],
    ["a list on the way: one path per entry", "spec:\n  groups:\n  - template: {}\n  - template: {}\n", ["spec", "groups", "template"], [["spec", "groups", 0, "template"], ["spec", "groups", 1, "template"]]],
    ["lists in lists", "spec:\n  a:\n  - b:\n    - t: {}\n    - t: {}\n  - b:\n    - t: {}\n", ["spec", "a", "b", "t"], [["spec", "a", 0, "b", 0, "t"], ["spec", "a", 0, "b", 1, "t"], ["spec", "a", 1, "b", 0, "t"]]],
    ["an empty list: none", "spec:\n  groups: []\n", ["spec", "groups", "template"], []],
    ["a missing field: the path as written, for the reader to name", "spec: {}\n", ["spec", "template"], [["spec", "template"]]],
    ["a scalar entry: its own path, for the reader to say it is no object", "spec:\n  groups:\n  - 3\n", ["spec", "groups", "template"], [["spec", "groups", 0]]],
    ["a list where the path ends: each entry is a template", "spec:\n  pods:\n  - spec: {}\n  - spec: {}\n", ["spec", "pods"], [["spec", "pods", 0], ["spec", "pods", 1]]],
    ["the object itself (a Pod)", "spec: {}\n", [], [[]]],
  ])("%s", (_, doc, path, want) => {
    expect(templatePathsIn(parse(doc), path)).toEqual(want);
  });
});
