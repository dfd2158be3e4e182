/**
 * The catalogue of bad inputs (test/bad-inputs/, expectations in its index.yaml), run through the
 * BUILT executable as kpt runs it: the file on stdin, the exit code, stdout and stderr checked.
 * Inputs too big to commit are generated here, and so are a few odd but valid inputs that must
 * go through (exit 0).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isNode, isSeq, parse, parseDocument } from "yaml";

const bin = resolve(__dirname, "../dist/sidecar-order.cjs");
const dir = resolve(__dirname, "bad-inputs");
const INDEX = "index.yaml";

interface Expectation {
  /** Nothing usable was read: empty stdout, one stderr line containing this. */
  stderr?: string;
  /** The ResourceList is written back with an error result containing this. */
  result?: string;
  /** Not a ResourceList: read as a plain stream and written back as it is; "" means valid. */
  plain?: string;
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the executable with `input` on stdin. */
function run(input: string | Buffer): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // The executable may refuse the input before reading all of it; that is not our failure.
    child.stdin.on("error", () => {});
    child.on("error", fail);
    child.on("close", (status, signal) =>
      done({ status, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
    );
    child.stdin.end(input);
  });
}

const NO_STACK_TRACE = /^ {4}at |\bat .*:\d+:\d+/m;

/**
 * The items of a ResourceList as plain data, in order. An item that cannot be turned into data
 * (an alias bomb, an unresolved alias) is compared by its source text instead; an `items` that is
 * not a list is one "item".
 */
function itemsOf(text: string): unknown[] {
  const doc = parseDocument(text, { uniqueKeys: false });
  expect(doc.errors.map((e) => e.message), "parses as YAML").toEqual([]);
  const items = doc.get("items", true);
  const nodes: unknown[] = isSeq(items) ? items.items : items === undefined ? [] : [items];
  return nodes.map((node) => {
    if (!isNode(node)) return node ?? null;
    try {
      return node.toJS(doc, { maxAliasCount: 1000 });
    } catch {
      return { unreadable: node.range ? text.slice(node.range[0], node.range[1]) : String(node) };
    }
  });
}

function resultsOf(text: string): { message: string; severity: string }[] {
  const doc = parseDocument(text, { uniqueKeys: false });
  const results = doc.get("results", true);
  return isNode(results) ? (results.toJS(doc) as { message: string; severity: string }[]) : [];
}

/** Everything the catalogue promises about one bad input. */
function checkRefusal(name: string, input: Buffer, r: Run, want: Expectation): void {
  expect(r.signal, `${name}: killed by a signal (out of memory?); stderr: ${r.stderr.slice(0, 300)}`).toBeNull();
  if (want.plain !== undefined) {
    expect(r.stdout, `${name}: the plain stream is written back as it is`).toBe(input.toString("utf8"));
    expect(r.stderr, `${name}: no stack trace on stderr`).not.toMatch(NO_STACK_TRACE);
    if (want.plain === "") {
      expect(r.status, `${name}: exit code; stderr: ${r.stderr.slice(0, 300)}`).toBe(0);
      expect(r.stderr, `${name}: nothing on stderr`).toBe("");
    } else {
      expect(r.status, `${name}: exit code`).toBe(1);
      expect(r.stderr, `${name}: stderr says why`).toContain(want.plain);
    }
    return;
  }
  expect(r.status, `${name}: exit code; stderr: ${r.stderr.slice(0, 300)}`).toBe(1);
  expect(r.stderr, `${name}: no stack trace on stderr`).not.toMatch(NO_STACK_TRACE);
  expect(r.stderr, `${name}: bad input is not an internal error`).not.toContain("internal error");
  if (want.stderr !== undefined) {
    expect(r.stdout, `${name}: nothing on stdout`).toBe("");
    expect(r.stderr, `${name}: exactly one line on stderr`).toMatch(/^sidecar-order: [^\n]+\n$/);
    expect(r.stderr, `${name}: stderr says why`).toContain(want.stderr);
  } else {
    expect(want.result, `${name}: index.yaml gives stderr or result`).toBeDefined();
    expect(r.stdout, `${name}: the ResourceList is written back`).not.toBe("");
    const errors = resultsOf(r.stdout).filter((x) => x.severity === "error").map((x) => x.message);
    expect(errors, `${name}: an error result says why`).toContainEqual(expect.stringContaining(want.result!));
    expect(itemsOf(r.stdout), `${name}: every item is still there, unchanged and in order`).toEqual(itemsOf(input.toString("utf8")));
  }
}

const index = parse(readFileSync(resolve(dir, INDEX), "utf8")) as Record<string, Expectation>;
const files = readdirSync(dir)
  .filter((f) => f !== INDEX)
  .sort();

describe("the bad-inputs catalogue", () => {
  it("is built", () => expect(existsSync(bin), "run `npm run build` first").toBe(true));

  it("has at least 40 inputs, each with exactly one expectation in index.yaml", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(index).sort(), "index.yaml names exactly the files in test/bad-inputs/").toEqual(files);
    for (const [name, want] of Object.entries(index)) {
      expect([want.stderr, want.result, want.plain].filter((x) => x !== undefined), `${name}: one of stderr, result or plain`).toHaveLength(1);
    }
  });

  // No time limits here (speed is the benchmark's business): a blow-up shows as the limit's
  // message (alias count, nesting, size) that each expectation names, a hang as the test timeout.
  describe("each input", () => {
    // Run them all first, as many at a time as there are CPUs; then check each on its own.
    const runs = new Map<string, Run>();
    beforeAll(async () => {
      const queue = [...files];
      const worker = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) runs.set(name, await run(readFileSync(resolve(dir, name))));
      };
      await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
    }, 300_000);

    it.each(files)("%s", (name) => {
      checkRefusal(name, readFileSync(resolve(dir, name)), runs.get(name)!, index[name] ?? {});
    });
  });
});

const HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";

function deploymentWithArgs(args: string): string {
  return `${HEADER}items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: deep
  spec:
    template:
      spec:
        containers:
        - name: app
          image: app:1
          args: ${args}
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.22
`;
}

/** About `mib` MiB of ConfigMaps in one ResourceList. */
function hugeList(mib: number): Buffer {
  const item = `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: filler\n  data:\n    payload: "${"x".repeat(940)}"\n`;
  const count = Math.ceil((mib * 1024 * 1024) / item.length);
  return Buffer.from(`${HEADER}items:\n${item.repeat(count)}`);
}

describe("generated bad inputs", () => {
  const cases: { name: string; input: () => Buffer; want: Expectation }[] = [
    {
      name: "10,000 nested flow sequences in a container's args",
      input: () => Buffer.from(deploymentWithArgs("[".repeat(10_000) + "]".repeat(10_000))),
      want: { stderr: "YAML" },
    },
    {
      name: "10,000 nested flow mappings in the functionConfig",
      input: () =>
        Buffer.from(`${HEADER}items: []\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data:\n    strategy: ${"{a: ".repeat(10_000)}x${"}".repeat(10_000)}\n`),
      want: { stderr: "YAML" },
    },
    {
      name: "10,000 nested block sequences on one line",
      input: () => Buffer.from(deploymentWithArgs("\n" + " ".repeat(10) + "- ".repeat(10_000) + "x")),
      want: { stderr: "YAML" },
    },
    {
      // Refused by size before it is parsed: a clear message, never an out-of-memory crash.
      name: "a 100 MB input",
      input: () => hugeList(100),
      want: { stderr: "limit" },
    },
  ];

  it.each(cases)("$name", async ({ name, input, want }) => {
    const bytes = input();
    checkRefusal(name, bytes, await run(bytes), want);
  }, 60_000);
});

/** A package the function changes, without comments (so a JSON copy of it is the same data). */
const VALID = `${HEADER}items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
  data:
    mode: fast
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    template:
      spec:
        containers:
        - name: app
          image: app:1
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.22
functionConfig:
  apiVersion: fn.sidecar-order.dev/v1alpha1
  kind: SidecarOrder
  metadata:
    name: sidecar-order
  strategy: legacy
  kubernetesVersion: "1.30"
  sidecars:
  - preset: istio
`;

const UNTOUCHED_ALIAS_BOMB = `${HEADER}items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: lol
  data:
    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
`;

describe("odd but valid inputs (exit 0)", () => {
  const crlf = (s: string) => s.replace(/\n/g, "\r\n");
  const plain = (s: string) => parse(s) as { items: unknown[]; results?: unknown[] };
  const cases: { name: string; input: string; check: (out: string, valid: string) => void}[] = [
    { name: "a byte-order mark (kept on output)", input: "\uFEFF" + VALID, check: (out, valid) => expect(out).toBe("\uFEFF" + valid) },
    { name: "CRLF line endings (kept on output)", input: crlf(VALID), check: (out, valid) => expect(out).toBe(crlf(valid)) },
    { name: "a BOM and CRLF together", input: "\uFEFF" + crlf(VALID), check: (out, valid) => expect(out).toBe("\uFEFF" + crlf(valid)) },
    {
      name: "JSON (answered as block YAML, same data)",
      input: JSON.stringify(parse(VALID)),
      check: (out, valid) => {
        expect(plain(out).items).toEqual(plain(valid).items);
        expect(plain(out).results).toEqual(plain(valid).results);
      },
    },
    {
      name: "explicit document start and end markers",
      input: `--- # the list\n${VALID}...\n`,
      check: (out, valid) => expect(plain(out).items).toEqual(plain(valid).items),
    },
    { name: "no items at all", input: HEADER, check: (out) => expect(out).toBe(HEADER) },
    { name: "items: null", input: `${HEADER}items: null\n`, check: (out) => expect(out).toBe(`${HEADER}items: null\n`) },
    {
      // Items the function does not work on are copied through, never expanded.
      name: "an alias bomb inside a ConfigMap it does not touch",
      input: UNTOUCHED_ALIAS_BOMB,
      check: (out) => expect(out).toBe(UNTOUCHED_ALIAS_BOMB),
    },
  ];

  /** The answer to the plain package, which the odd forms of it are compared with. */
  let valid = "";
  beforeAll(async () => {
    valid = (await run(VALID)).stdout;
  });

  it("the plain package itself is changed and exits 0", async () => {
    const r = await run(VALID);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toBe(VALID);
    expect(r.stdout).toBe(valid);
  });

  it.each(cases)("$name", async ({ input, check }) => {
    const r = await run(input);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(itemsOf(r.stdout)).toHaveLength(itemsOf(input.replace(/^\uFEFF/, "")).length);
    check(r.stdout, valid);
  });
});
