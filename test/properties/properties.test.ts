/**
 * Property tests over generated ResourceLists (FAST_CHECK_RUNS=N for longer runs; the default
 * keeps `npm test` at about 2,600 generated lists in total, a few minutes on 2 cores). A failure
 * prints the shrunk input as YAML.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { lightParse, lightReadIf } from "../../src/krm/light-yaml";
import { printsAsWritten } from "../../src/krm/edit";
import { InputError, readResourceList, writeResourceList } from "../../src/krm/resource-list";
import { keepKeyLineComments, PRINT_OPTIONS, toText, usesWideLists } from "../../src/krm/print";
import { runResourceList } from "../../src/run";
import { simulate, waitsFor, stopsAfter, type ContainerFacts, type PodSpec } from "../../src/model/kubelet";
import { formattedText, oddText, resourceListText, sharedListText } from "./generators";
import { apiRuleViolations, ownRuleViolations, targetOf, validateWorkload, type Target } from "./schema";

const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env["FAST_CHECK_RUNS"] ?? 1)));

type Plain = Record<string, unknown>;
type C = { name: string; restartPolicy?: string; startupProbe?: Plain; readinessProbe?: unknown; resizePolicy?: unknown; lifecycle?: { postStart?: Plain; preStop?: unknown } };

function fail(message: string, input: string): never {
  throw new Error(`${message}\n--- input (YAML) ---\n${input}`);
}

/** Every pod spec of an item, with its path, whatever the kind. */
function podSpecs(item: Plain): Plain[] {
  const out: Plain[] = [];
  const visit = (node: unknown, depth: number) => {
    if (depth > 6 || typeof node !== "object" || node === null) return;
    const o = node as Plain;
    if (Array.isArray(o["containers"])) out.push(o);
    for (const [k, v] of Object.entries(o)) if (k !== "containers" && k !== "initContainers") visit(v, depth + 1);
  };
  visit(item, 0);
  return out;
}

/** The target API server a generated list's function config names (parsed once per input). */
let lastTarget: { input: string; target: Target | undefined } | undefined;
function targetOfInput(input: string): Target | undefined {
  if (lastTarget?.input !== input) lastTarget = { input, target: targetOf((parse(input, { merge: true, maxAliasCount: -1 }) as { functionConfig?: unknown }).functionConfig) };
  return lastTarget.target;
}

/**
 * The API server's rules (schema.ts's API_RULES, each checked against a real kube-apiserver by
 * test/cluster/apiserver.cluster.test.ts) for the target the config names, and the function's own
 * rules about what it adds.
 */
function checkApiRules(before: Plain, after: Plain, input: string): void {
  const beforeSpecs = podSpecs(before);
  const target = targetOfInput(input);
  podSpecs(after).forEach((spec, i) => {
    const problems = [...apiRuleViolations(spec, target), ...ownRuleViolations(beforeSpecs[i], spec)];
    if (problems.length) fail(problems.join("; "), input);
  });
}

/** Through the kubelet model: what the function set up holds the app until the sidecar is ready, and stops it last. */
function checkKubelet(spec: Plain, input: string): void {
  const containers = spec["containers"] as C[];
  const init = (spec["initContainers"] as C[] | undefined) ?? [];
  const facts: Record<string, ContainerFacts> = {};
  for (const [i, c] of [...init, ...containers].entries()) {
    const native = c.restartPolicy === "Always";
    const plainInit = init.includes(c) && !native;
    facts[c.name] = {
      runningAfter: 0.5,
      readyAfter: 1 + (i % 3),
      ...(c.lifecycle?.postStart ? { postStart: { waitsForReady: true, timeoutSeconds: 600 } } : {}),
      ...(plainInit ? { exitsAfter: 1 } : {}),
    };
  }
  const model: PodSpec = { containers: containers as PodSpec["containers"], initContainers: init as PodSpec["containers"], restartPolicy: "Always", terminationGracePeriodSeconds: 600 };
  const events = simulate(model, { containers: facts, terminateAt: 1000 });
  const natives = init.filter((c) => c.restartPolicy === "Always" && (c.startupProbe || c.lifecycle?.postStart));
  for (const s of natives) {
    for (const app of containers) if (!waitsFor(events, app.name, s.name)) fail(`app ${app.name} started before native sidecar ${s.name} was started`, input);
    for (const app of containers) if (!stopsAfter(events, s.name, app.name)) fail(`native sidecar ${s.name} stopped before app ${app.name}`, input);
  }
  // Legacy: containers ahead of the first one without a hold hook are held sidecars: each later
  // container starts once the sidecar is ready (its hook returns then; a startupProbe of its own
  // only runs after the kubelet's pass over spec.containers, so "started" may come later).
  const ready = (name: string) => events.findIndex((e) => e.what === "ready" && e.name === name);
  const start = (name: string) => events.findIndex((e) => e.what === "start" && e.name === name);
  for (const [i, c] of containers.entries()) {
    if (!c.lifecycle?.postStart?.["exec"]) break;
    for (const later of containers.slice(i + 1)) if (!(ready(c.name) >= 0 && ready(c.name) < start(later.name))) fail(`${later.name} started before held sidecar ${c.name} was ready`, input);
  }
}

/** Run; fail on a throw, a lost or added item, or a changed byte outside the changed items. */
function runWire(input: string) {
  let out;
  try {
    out = runResourceList(input);
  } catch (e) {
    fail(`threw: ${(e as Error).message}`, input);
  }
  const before = readResourceList(input);
  const after = readResourceList(out.text);
  if (after.items.length !== before.items.length) fail("items were lost or added", input);
  const changed = new Map<number, string>();
  after.items.forEach((item, i) => {
    if (item.body !== before.items[i]!.body) changed.set(i, out.text.slice(item.bodyStart, item.end));
  });
  if (writeResourceList(before, changed, out.results) !== out.text) fail("text outside the changed items differs", input);
  return { out, after, changed };
}

/** A second run on the output (its results taken off) changes no item. */
function expectIdempotent(output: string, after: ReturnType<typeof readResourceList>, input: string): void {
  const again = runResourceList(output.replace(/\nresults:\n[\s\S]*$/, "\n"));
  const againItems = readResourceList(again.text).items.map((x) => x.body);
  if (JSON.stringify(againItems) !== JSON.stringify(after.items.map((x) => x.body))) fail("not idempotent: a second run changed the output", input);
}

describe("properties", () => {
  it("never throws; keeps every item, byte for byte where untouched; idempotent; deterministic; obeys the API server's rules; holds through the kubelet model", () => {
    fc.assert(
      fc.property(resourceListText, (input) => {
        const { out, after, changed } = runWire(input);
        const beforeData = (parse(input) as { items: Plain[] }).items;
        const afterData = (parse(out.text) as { items: Plain[] }).items;
        afterData.forEach((item, i) => {
          const was = beforeData[i]!;
          if (item["kind"] !== was["kind"] || JSON.stringify(item["metadata"]) !== JSON.stringify(was["metadata"]) && item["kind"] !== "Pod") {
            if (item["kind"] !== was["kind"]) fail("items were reordered", input);
          }
          checkApiRules(was, item, input);
          // What was valid for Kubernetes 1.33 stays valid (generated inputs leave out some required fields).
          const problems = validateWorkload(item);
          if (problems && !validateWorkload(was)) fail(`no longer valid for Kubernetes 1.33: ${problems}`, input);
          if (changed.has(i) && out.exitCode === 0) for (const spec of podSpecs(item)) checkKubelet(spec, input);
        });
        if (runResourceList(input).text !== out.text) fail("not deterministic", input);
        expectIdempotent(out.text, after, input);
      }),
      { numRuns: runs(1200) },
    );
  }, 600_000);

  it("the fast path writes exactly what the careful path writes, on odd but valid YAML too", () => {
    fc.assert(
      fc.property(oddText, (input) => {
        let fast: string;
        let careful: string;
        try {
          fast = runResourceList(input).text;
        } catch (e) {
          fast = `threw ${(e as Error).message}`;
        }
        try {
          careful = runResourceList(input, { fast: false }).text;
        } catch (e) {
          careful = `threw ${(e as Error).message}`;
        }
        if (fast !== careful) fail(`fast and careful paths differ:\n--- fast ---\n${fast}\n--- careful ---\n${careful}`, input);
      }),
      { numRuns: runs(1200) },
    );
  }, 600_000);
});

/** Fields the function may change on a container it orders; every other field must survive. */
const ORDERED_FIELDS = new Set(["restartPolicy", "startupProbe", "lifecycle", "resizePolicy"]);

/** The data as kubectl and kpt read it (merge keys honoured), in YAML 1.2 or 1.1. */
const read = (text: string, version: "1.1" | "1.2" = "1.2") => parse(text, { merge: true, version, maxAliasCount: -1 }) as { items: Plain[] };

/** Nothing lost: every container keeps its other fields, every annotation stays, and places outside pod templates mean what they meant. */
function checkNothingLost(before: Plain, after: Plain, input: string): void {
  const containers = (item: Plain) => new Map(podSpecs(item).flatMap((s) => [...((s["containers"] as C[]) ?? []), ...((s["initContainers"] as C[]) ?? [])]).map((c) => [c.name, c as Plain]));
  const now = containers(after);
  for (const [name, c] of containers(before)) {
    const later = now.get(name);
    if (!later) fail(`container ${name} was lost`, input);
    for (const [k, v] of Object.entries(c)) if (!ORDERED_FIELDS.has(k) && JSON.stringify(later[k]) !== JSON.stringify(v)) fail(`${name}.${k} changed or was lost`, input);
  }
  for (const [k, v] of Object.entries(before)) {
    if (k.startsWith("x-") && JSON.stringify(after[k]) !== JSON.stringify(v)) fail(`${k}, outside the pod template, changed`, input);
  }
  const annotations = (o: unknown, into: Map<string, unknown>, depth = 0): Map<string, unknown> => {
    if (depth > 8 || typeof o !== "object" || o === null) return into;
    for (const [k, v] of Object.entries(o)) {
      if (k === "annotations" && typeof v === "object" && v !== null) for (const [a, x] of Object.entries(v)) into.set(a, x);
      else annotations(v, into, depth + 1);
    }
    return into;
  };
  const kept = annotations(after, new Map());
  for (const [k] of annotations(before, new Map())) if (!kept.has(k)) fail(`annotation ${k} was lost`, input);
}

describe("properties of inputs that share nodes (anchors, aliases, merge keys) or hold tricky strings", () => {
  it("nothing lost, only the places asked for change, readers agree, idempotent, fast and careful paths agree", () => {
    fc.assert(
      fc.property(sharedListText, (input) => {
        const { out, after, changed } = runWire(input);
        const was = read(input).items;
        const now = read(out.text).items;
        if (JSON.stringify(read(out.text, "1.1")) !== JSON.stringify(read(out.text))) fail("YAML 1.1 and 1.2 readers read the output differently", input);
        now.forEach((item, i) => {
          checkNothingLost(was[i]!, item, input);
          checkApiRules(was[i]!, item, input);
        });
        if (runResourceList(input, { fast: false }).text !== out.text) fail("fast and careful paths differ", input);
        expectIdempotent(out.text, after, input);
      }),
      { numRuns: runs(250) },
    );
  }, 600_000);
});

/** Scalars the core schema reads in different ways, written plain, quoted and in flow collections. */
const TOKENS = ["True", "true", "FALSE", "null", "Null", "~", "", "0x1F", "0o17", "017", "+12", "-0", "1e3", "-.5", ".inf", "-.Inf", ".NaN", "1_000", "yes", "off", "12:30", "a b", "x#y", "http://h/p", "-x", "v1.2", "'q'", '"dq"', "é", "1.", "0.5e-2", "|", "a: b", "- a"];

/** Block YAML text built from those tokens; blocks end with a newline, inline values do not. */
const yamlTree = fc.letrec((tie) => ({
  scalar: fc.constantFrom(...TOKENS).chain((t) =>
    fc.constantFrom(t, `'${t.replace(/'/g, "''")}'`, JSON.stringify(t), `[${t || "a"}, ${JSON.stringify(t)}]`, `{k: ${JSON.stringify(t)}}`, `${t} # comment`),
  ),
  node: fc.oneof({ depthSize: "small" }, tie("scalar"), tie("mapping"), tie("sequence"), tie("literal")),
  literal: fc.constantFrom("|\n  one\n  two\n", "|-\n  keep\n\n  gap\n", ">\n  fold\n  me\n"),
  mapping: fc
    .uniqueArray(fc.tuple(fc.constantFrom("a", "b", "c", "key-1", "x.y/z", '"q k"', "1"), tie("node")), { minLength: 1, maxLength: 4, selector: (e) => (e as [string, string])[0] })
    .map((entries) =>
      (entries as [string, string][])
        .map(([k, v]) => (v.startsWith("|") || v.startsWith(">") ? `${k}: ${v.replace(/\n(?=.)/g, "\n  ")}` : v.endsWith("\n") ? `${k}:\n${v.replace(/^(?=.)/gm, "  ")}` : `${k}: ${v}\n`))
        .join(""),
    ),
  sequence: fc
    .array(tie("node"), { minLength: 1, maxLength: 3 })
    .map((items) => (items as string[]).map((v) => (v.startsWith("|") || v.startsWith(">") ? `- ${v}` : v.endsWith("\n") ? `-\n${v.replace(/^(?=.)/gm, "  ")}` : `- ${v}\n`)).join("")),
}));

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as Plain)[k], (b as Plain)[k]));
  }
  return a === b;
}

describe("the light reader", () => {
  it("reads exactly what the yaml package reads, or declines", () => {
    fc.assert(
      fc.property(yamlTree.mapping, (doc: string) => {
        const light = lightParse(doc);
        if (light === undefined) return;
        const d = parseDocument(doc, { uniqueKeys: true });
        if (d.errors.length) fail(`the light reader accepted what yaml rejects: ${d.errors[0]!.message}`, doc);
        const ref = d.toJS();
        if (!sameValue(light, ref)) fail(`light ${JSON.stringify(light)} != yaml ${JSON.stringify(ref)}`, doc);
      }),
      { numRuns: runs(3000) },
    );
  });

  it("reads an item where it stands in its list (lines after the first indented by the list's column) as it reads the item alone", () => {
    fc.assert(
      fc.property(yamlTree.mapping, fc.integer({ min: 1, max: 6 }), (doc: string, column: number) => {
        const pad = " ".repeat(column);
        // Lines after the first gain `column` spaces; blank lines may stay blank, as in real lists.
        const inList = doc.replace(/\n(?=[^\n])/g, `\n${pad}`);
        const alone = lightParse(doc);
        const inPlace = lightParse(inList, column);
        if (!sameValue(inPlace, alone)) fail(`in place ${JSON.stringify(inPlace)} != alone ${JSON.stringify(alone)} (column ${column})`, inList);
      }),
      { numRuns: runs(3000) },
    );
  });
});

describe("the light reader's checking mode", () => {
  const head = fc.constantFrom("", "apiVersion: apps/v1\n", "kind: Deployment\n", "apiVersion: 'v1'\nkind: \"Service\" # c\n", "kind: Pod\napiVersion: v1\n", "kind:\n", "kind: [a]\n", "kind: 12\n", "apiVersion: |\n  x\n", '"kind": Pod\n');

  it("accepts exactly what the reader accepts, and reads the same top-level apiVersion and kind", () => {
    fc.assert(
      fc.property(head, yamlTree.mapping, fc.integer({ min: 0, max: 6 }), (first: string, rest: string, column: number) => {
        const doc = first + rest;
        const inList = doc.replace(/\n(?=[^\n])/g, `\n${" ".repeat(column)}`);
        const read = lightParse(inList, column);
        // Nothing wanted: only checked, and only apiVersion and kind read.
        const checked = lightReadIf(inList, column, () => false)?.head;
        if ((read === undefined) !== (checked === undefined)) fail(`the reader ${read === undefined ? "declines" : "accepts"} but checking ${checked === undefined ? "declines" : "accepts"}`, inList);
        if (read === undefined || checked === undefined || typeof read !== "object" || read === null || Array.isArray(read)) return;
        for (const key of ["apiVersion", "kind"] as const) {
          const v = (read as Plain)[key];
          // A collection is not read in checking mode (the caller then reads the whole item).
          if (typeof v === "object" && v !== null) continue;
          if (!sameValue(checked[key], v) && !(v === null && checked[key] === undefined)) fail(`checking reads ${key} ${JSON.stringify(checked[key])}, the reader ${JSON.stringify(v)}`, inList);
        }
      }),
      { numRuns: runs(3000) },
    );
  });
});

describe("the light reader deciding on the way whether to build (lightReadIf)", () => {
  it("builds what the reader builds when apiVersion and kind are wanted (or not strings), nothing otherwise, and declines with it", () => {
    const head = fc.constantFrom("", "apiVersion: apps/v1\nkind: Deployment\n", "kind: Pod\napiVersion: v1\n", "apiVersion: v1\n", "a: 1\napiVersion: v1\nkind: X\n", "kind: 12\napiVersion: v1\n", '"kind": Pod\napiVersion: v1\n');
    fc.assert(
      fc.property(head, yamlTree.mapping, fc.integer({ min: 0, max: 6 }), fc.boolean(), (first: string, rest: string, column: number, want: boolean) => {
        const inList = (first + rest).replace(/\n(?=[^\n])/g, `\n${" ".repeat(column)}`);
        const read = lightParse(inList, column);
        const got = lightReadIf(inList, column, () => want);
        if ((read === undefined) !== (got === undefined)) fail(`the reader ${read === undefined ? "declines" : "accepts"} but lightReadIf ${got === undefined ? "declines" : "accepts"}`, inList);
        if (!got) return;
        const strings = typeof got.head.apiVersion === "string" && typeof got.head.kind === "string";
        if (want || !strings) {
          if (!sameValue(got.data, read)) fail(`lightReadIf built ${JSON.stringify(got.data)}, the reader ${JSON.stringify(read)}`, inList);
        } else if (got.data !== undefined) fail("built what was not wanted", inList);
      }),
      { numRuns: runs(3000) },
    );
  });
});

describe("editing a changed item in its own text (krm/edit.ts)", () => {
  const agree = (input: string) => {
    let fast: string;
    let careful: string;
    try {
      fast = runResourceList(input).text;
    } catch (e) {
      fast = `threw ${(e as Error).message}`;
    }
    try {
      careful = runResourceList(input, { fast: false }).text;
    } catch (e) {
      careful = `threw ${(e as Error).message}`;
    }
    if (fast !== careful) fail(`fast (edited in place) and careful (re-printed) paths differ:\n--- fast ---\n${fast}\n--- careful ---\n${careful}`, input);
  };

  it("writes what re-printing through yaml writes, wherever comments, blank lines and spacing stand", () => {
    fc.assert(fc.property(formattedText, agree), { numRuns: runs(1500) });
  }, 600_000);

  it("takes for written as yaml prints it only text that yaml prints back as it is", () => {
    fc.assert(
      fc.property(formattedText, (input) => {
        let items;
        try {
          items = readResourceList(input, { fast: false }).items;
        } catch (e) {
          if (e instanceof InputError) return; // a mutation that made the YAML invalid
          throw e;
        }
        for (const item of items) {
          if (item.frozen || !printsAsWritten(item.body)) continue;
          const doc = parseDocument(item.body);
          if (doc.errors.length) continue;
          // The printer's options for this item (print.ts: printItem), and key-line comments kept where they are.
          keepKeyLineComments(doc, item.body);
          const printed = toText(doc, { ...PRINT_OPTIONS, indentSeq: usesWideLists(item.body) });
          const expected = item.body.endsWith("\n") ? item.body : `${item.body}\n`;
          if (printed !== expected) fail(`yaml prints it otherwise:\n${printed}`, item.body);
        }
      }),
      { numRuns: runs(1500) },
    );
  }, 600_000);
});

describe("fuzzing", () => {
  it("mangled input gets an InputError or a ResourceList, never another exception", () => {
    const mangled = fc
      .tuple(resourceListText, fc.array(fc.tuple(fc.nat(), fc.constantFrom("", ":", "- ", "\t", "{", "]", "'", '"', "&a ", "*a", "\n  ", "#", "!!", "\\u0000", "---\n", "%")), { minLength: 1, maxLength: 4 }))
      .map(([text, edits]) => {
        let t = text;
        for (const [at, s] of edits) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + s + t.slice(i + (s === "" ? 3 : 0));
        }
        return t;
      });
    fc.assert(
      fc.property(mangled, (input) => {
        try {
          const out = runResourceList(input);
          // Garbage the function passes through untouched stays garbage; what it reads cleanly, it writes cleanly.
          let readable = true;
          try {
            parse(input);
          } catch {
            readable = false;
          }
          if (!readable) return;
          let kind: unknown;
          try {
            kind = (parse(out.text) as { kind?: unknown }).kind;
          } catch (e) {
            fail(`wrote YAML that does not parse: ${(e as Error).message}`, input);
          }
          if (kind !== "ResourceList") fail("wrote something that is not a ResourceList", input);
        } catch (e) {
          if (!(e instanceof InputError)) fail(`threw ${(e as Error).name}: ${(e as Error).message}`, input);
          if ((e as Error).message.includes("\n")) fail("an input error of more than one line", input);
        }
      }),
      { numRuns: runs(1000) },
    );
  });
});
