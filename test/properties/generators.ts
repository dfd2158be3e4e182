/**
 * fast-check generators for ResourceLists: workloads of every supported kind with app
 * containers, sidecars (preset and custom), init containers, existing hooks and probes, comments
 * and annotations, plus unrelated items; and function configs.
 */
import fc from "fast-check";
import { Document, isMap, isNode, isSeq, parse, visit, type Node, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";

type Plain = Record<string, unknown>;

const SIDECAR_IMAGES: Record<string, string> = {
  "istio-proxy": "docker.io/istio/proxyv2:1.24.0",
  "linkerd-proxy": "cr.l5d.io/linkerd/proxy:stable-2.14.10",
  "cloud-sql-proxy": "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1",
  "kuma-sidecar": "docker.io/kumahq/kuma-dp:2.9.0",
  "consul-dataplane": "hashicorp/consul-dataplane:1.6.1",
  daprd: "ghcr.io/dapr/daprd:1.14.4",
  "otc-container": "otel/opentelemetry-collector:0.114.0",
  "vault-agent": "hashicorp/vault:1.18.1",
  envoy: "docker.io/envoyproxy/envoy:v1.31.0",
  "log-shipper": "docker.io/fluent/fluent-bit:3.1",
};
export const SIDECAR_NAMES = Object.keys(SIDECAR_IMAGES);
const APP_NAMES = ["app", "web", "worker", "api", "batch"];
const INIT_NAMES = ["istio-init", "linkerd-init", "migrate", "fetch-certs", "vault-agent-init"];

const handler = fc.oneof(
  fc.record({ httpGet: fc.record({ path: fc.constantFrom("/ready", "/healthz", "/quitquitquit"), port: fc.constantFrom(8080, 9090, 15021, 4191) }) }),
  fc.record({ exec: fc.record({ command: fc.constantFrom(["/bin/true"], ["/bin/sleep", "5"], ["curl", "-X", "POST", "localhost:15020/quitquitquit"], ["/drain.sh"]) }) }),
  fc.record({ tcpSocket: fc.record({ port: fc.constantFrom(8080, 9901) }) }),
);
const probe = fc.oneof(
  handler.filter((h) => !("exec" in h && (h.exec as unknown as { command: readonly string[] }).command[0] === "curl")),
  handler.map((h) => ({ ...h, periodSeconds: 5, failureThreshold: 3 })),
);

function container(name: string, image: string): fc.Arbitrary<Plain> {
  return fc
    .record(
      {
        readinessProbe: probe,
        startupProbe: probe.map((p) => ({ ...p, successThreshold: 1 })),
        postStart: handler,
        preStop: fc.oneof(handler, fc.constant({ sleep: { seconds: 3 } })),
        args: fc.constantFrom(["--health-check", "--http-address=0.0.0.0", "p:r:i"], ["serve"], ["proxy", "sidecar"]),
        resizePolicy: fc.constant([{ resourceName: "cpu", restartPolicy: "NotRequired" }]),
      },
      { requiredKeys: [] },
    )
    .map((o) => {
      const c: Plain = { name, image };
      if (o.args) c["args"] = o.args;
      if (o.resizePolicy) c["resizePolicy"] = o.resizePolicy;
      if (o.readinessProbe) c["readinessProbe"] = o.readinessProbe;
      if (o.startupProbe) c["startupProbe"] = o.startupProbe;
      if (o.postStart || o.preStop) c["lifecycle"] = { ...(o.postStart ? { postStart: o.postStart } : {}), ...(o.preStop ? { preStop: o.preStop } : {}) };
      return c;
    });
}

const podSpec: fc.Arbitrary<Plain> = fc
  .record({
    apps: fc.uniqueArray(fc.constantFrom(...APP_NAMES), { minLength: 1, maxLength: 2 }),
    sidecars: fc.uniqueArray(fc.constantFrom(...SIDECAR_NAMES), { maxLength: 3 }),
    init: fc.uniqueArray(fc.constantFrom(...INIT_NAMES), { maxLength: 2 }),
    nativeAlready: fc.boolean(),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    grace: fc.option(fc.constantFrom(10, 30, 60), { nil: undefined }),
  })
  .chain(({ apps, sidecars, init, nativeAlready, order, grace }) => {
    const names = [...apps, ...sidecars];
    return fc.tuple(...names.map((n) => container(n, SIDECAR_IMAGES[n] ?? `ghcr.io/example/${n}:1.0`))).map((cs) => {
      // Shuffle deterministically from `order`, so sidecars are anywhere in the list.
      const containers = cs.map((c, i) => ({ c, k: order[i % order.length]! + i / 10 })).sort((a, b) => a.k - b.k).map((x) => x.c);
      const spec: Plain = { containers };
      const initContainers: Plain[] = init.map((n) => ({ name: n, image: `ghcr.io/example/${n}:1.0` }));
      // Sometimes a sidecar is native already.
      if (nativeAlready && containers.length > 1) {
        const i = containers.findIndex((c) => SIDECAR_NAMES.includes(String(c["name"])));
        if (i !== -1) {
          // Init containers may not set resizePolicy: a valid input has none there.
          const { resizePolicy: _, ...moved } = containers.splice(i, 1)[0]!;
          initContainers.push({ ...moved, restartPolicy: "Always" });
        }
      }
      if (initContainers.length) spec["initContainers"] = initContainers;
      if (grace !== undefined) spec["terminationGracePeriodSeconds"] = grace;
      return spec;
    });
  });

const templateMeta = fc
  .record(
    {
      annotations: fc.record(
        {
          "sidecar-order.dev/sidecars": fc.constantFrom("log-shipper", "envoy,log-shipper", "ghost"),
          "kubectl.kubernetes.io/default-container": fc.constantFrom("app", "web"),
          "sidecar.istio.io/inject": fc.constantFrom("true", "false"),
          "linkerd.io/inject": fc.constant("enabled"),
          "proxy.istio.io/config": fc.constantFrom('{"terminationDrainDuration": "20s"}', "concurrency: 2\n"),
          "sidecar-order.dev/skip": fc.constant("true"),
        },
        { requiredKeys: [] },
      ),
      labels: fc.constant({ app: "x" }),
    },
    { requiredKeys: ["labels"] },
  )
  .map((m) => (m.annotations && Object.keys(m.annotations).length === 0 ? { labels: m.labels } : m));

const KINDS: { apiVersion: string; kind: string; wrap: (t: Plain, restart: string) => Plain }[] = [
  { apiVersion: "v1", kind: "Pod", wrap: (t) => t },
  { apiVersion: "apps/v1", kind: "Deployment", wrap: (t) => ({ spec: { selector: { matchLabels: { app: "x" } }, template: t } }) },
  { apiVersion: "apps/v1", kind: "StatefulSet", wrap: (t) => ({ spec: { serviceName: "s", selector: { matchLabels: { app: "x" } }, template: t } }) },
  { apiVersion: "apps/v1", kind: "DaemonSet", wrap: (t) => ({ spec: { selector: { matchLabels: { app: "x" } }, template: t } }) },
  { apiVersion: "apps/v1", kind: "ReplicaSet", wrap: (t) => ({ spec: { selector: { matchLabels: { app: "x" } }, template: t } }) },
  { apiVersion: "v1", kind: "ReplicationController", wrap: (t) => ({ spec: { template: t } }) },
  { apiVersion: "batch/v1", kind: "Job", wrap: (t, r) => ({ spec: { template: { ...t, spec: { ...(t["spec"] as Plain), restartPolicy: r } } } }) },
  { apiVersion: "batch/v1", kind: "CronJob", wrap: (t, r) => ({ spec: { schedule: "@daily", jobTemplate: { spec: { template: { ...t, spec: { ...(t["spec"] as Plain), restartPolicy: r } } } } } }) },
  { apiVersion: "v1", kind: "PodTemplate", wrap: (t) => ({ template: t }) },
  { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", wrap: (t) => ({ spec: { template: t } }) },
  { apiVersion: "apps.kruise.io/v1alpha1", kind: "CloneSet", wrap: (t) => ({ spec: { template: t } }) },
];

export const workload: fc.Arbitrary<Plain> = fc
  .record({ k: fc.nat(KINDS.length - 1), spec: podSpec, meta: templateMeta, restart: fc.constantFrom("Never", "OnFailure"), ns: fc.option(fc.constantFrom("shop", "team-a"), { nil: undefined }) })
  .map(({ k, spec, meta, restart, ns }) => {
    const kind = KINDS[k]!;
    const template: Plain = { metadata: meta, spec };
    const body = kind.kind === "Pod" ? { ...meta, spec } : kind.wrap(template, restart);
    const metadata: Plain = { name: "w" };
    if (ns) metadata["namespace"] = ns;
    if (kind.kind === "Pod") {
      Object.assign(metadata, meta);
      return { apiVersion: kind.apiVersion, kind: kind.kind, metadata, spec };
    }
    return { apiVersion: kind.apiVersion, kind: kind.kind, metadata, ...body };
  });

export const unrelated: fc.Arbitrary<Plain> = fc.oneof(
  fc.record({ apiVersion: fc.constant("v1"), kind: fc.constant("ConfigMap"), metadata: fc.constant({ name: "c" }), data: fc.dictionary(fc.constantFrom("a", "b", "app.properties"), fc.constantFrom("1", "yes", "x: y", "multi\nline\n", "")) }),
  fc.record({ apiVersion: fc.constant("v1"), kind: fc.constant("Service"), metadata: fc.constant({ name: "s" }), spec: fc.constant({ ports: [{ port: 80 }] }) }),
);

export const config: fc.Arbitrary<Plain> = fc
  .record(
    {
      strategy: fc.constantFrom("auto", "native", "legacy"),
      kubernetesVersion: fc.constantFrom("1.27", "1.28", "1.29", "1.31"),
      sidecars: fc.uniqueArray(
        fc.oneof(
          fc.constantFrom("istio", "linkerd", "cloud-sql-proxy", "consul", "dapr", "opentelemetry", "vault", "kuma").map((preset) => ({ preset })),
          fc.constant({ name: "envoy", wait: { exec: ["/wait", "--timeout=30s"] } }),
          fc.constant({ name: "log-shipper" }),
          fc.constant({ image: "*/envoy:*", startupProbe: { httpGet: { path: "/ready", port: 9901 } } }),
        ),
        { maxLength: 4, selector: (s) => JSON.stringify(s) },
      ),
      onConflict: fc.constantFrom("keep", "replace"),
      allowLegacyJobs: fc.boolean(),
      mode: fc.constantFrom("apply", "apply", "apply", "check"),
      meshes: fc.constantFrom(["istio"], ["linkerd"]),
      shutdown: fc.constant({ raiseGracePeriod: true }),
    },
    { requiredKeys: ["strategy"] },
  )
  .map((c) => ({ apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "cfg" }, ...c }));

const KPT_ANNOTATIONS = (i: number) => ({
  "config.kubernetes.io/index": "0",
  "config.kubernetes.io/path": `f${i}.yaml`,
  "internal.config.kubernetes.io/path": `f${i}.yaml`,
  "config.k8s.io/id": String(i + 1),
});

/** Print a ResourceList as kpt would, with comments here and there. */
export function printList(items: Plain[], functionConfig: Plain, comments: boolean[], wide: boolean): string {
  const withIds = items.map((it, i) => {
    const meta = { ...((it["metadata"] as Plain) ?? {}) };
    meta["annotations"] = { ...((meta["annotations"] as Plain) ?? {}), ...KPT_ANNOTATIONS(i) };
    return { ...it, metadata: meta };
  });
  const doc = new Document({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: withIds, functionConfig }, { aliasDuplicateObjects: false });
  const seq = (doc.contents as YAMLMap).get("items", true);
  if (isSeq(seq)) {
    seq.items.forEach((node, i) => {
      if (!comments[i % comments.length] || !isMap(node)) return;
      node.commentBefore = ` item ${i}`;
      const spec = (node as YAMLMap).getIn(["spec", "template", "spec", "containers"], true) ?? (node as YAMLMap).getIn(["spec", "containers"], true);
      if (isSeq(spec) && isMap(spec.items[0])) spec.items[0].commentBefore = " first container";
      if (isSeq(spec) && isMap(spec.items[1])) (spec.items[1] as YAMLMap).comment = " second";
    });
  }
  return doc.toString({ indentSeq: wide, lineWidth: 0, flowCollectionPadding: false });
}

export const resourceListText: fc.Arbitrary<string> = fc
  .record({
    items: fc.array(fc.oneof({ weight: 3, arbitrary: workload }, { weight: 1, arbitrary: unrelated }), { minLength: 1, maxLength: 4 }),
    cfg: config,
    comments: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    wide: fc.boolean(),
  })
  .map(({ items, cfg, comments, wide }) => printList(items, cfg, comments, wide));

/** Variations of valid YAML the fast path may or may not accept: both paths must agree. */
export const oddText: fc.Arbitrary<string> = fc
  .record({ text: resourceListText, variant: fc.constantFrom("none", "flow-item", "anchor", "folded", "blank-lines", "trailing-comment", "dash-alone", "quoted-keys", "json") })
  .map(({ text, variant }) => {
    switch (variant) {
      case "flow-item":
        return text.replace(/^items:\n/m, "items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: flow}, data: {a: '1'}}\n");
      case "anchor":
        return text.replace(/^items:\n/m, "items:\n- &cm\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: anchored\n");
      case "folded":
        return text.replace(/^items:\n/m, "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: folded\n  data:\n    a: >\n      one\n      two\n\n      three\n    b: |-\n      keep\n        indented\n");
      case "blank-lines":
        return text.replace(/\n(- )/g, "\n\n$1");
      case "trailing-comment":
        return text.replace(/\nfunctionConfig:/, "\n# after the items\n  # indented comment\nfunctionConfig:");
      case "dash-alone":
        return text.replace(/^items:\n- /m, "items:\n-\n  ");
      case "quoted-keys":
        return text.replace(/^(\s+)name: /m, '$1"name": ');
      case "json":
        return JSON.stringify(parse(text));
      default:
        return text;
    }
  });

/**
 * Lists as people format them: comment lines at any column, comments at the end of lines, blank
 * lines, a second space after a colon, fields a plan replaces, in random places of the items.
 * A changed item is edited in its own text only where the yaml printer would print it as it is
 * written (krm/edit.ts); both paths must agree, and the first must not lose a comment it keeps.
 */
export const formattedText: fc.Arbitrary<string> = fc
  .record({
    text: resourceListText,
    edits: fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom("comment-line", "comment-eol", "blank", "two-spaces", "restart-policy", "trailing-comment", "quote-swap"),
        fc.integer({ min: 0, max: 14 }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ text, edits }) => {
    const lines = text.split("\n");
    const first = lines.indexOf("items:") + 1;
    const last = lines.findIndex((l) => l.startsWith("functionConfig:"));
    if (first <= 0 || last <= first) return text;
    for (const [at, how, column] of edits) {
      const i = first + (at % (last - first));
      const line = lines[i]!;
      const pad = " ".repeat(column);
      const indentOf = (l: string) => l.length - l.trimStart().length;
      switch (how) {
        case "comment-line":
          lines.splice(i, 0, `${pad}# note ${at}`);
          break;
        case "comment-eol":
          // Not on a block scalar's lines, and not after a key whose block value follows (both stay valid anyway).
          if (/^\s*(- )?[\w./-]+: \S/.test(line) && !/[|>][-+]?$/.test(line)) lines[i] = `${line} # eol ${at}`;
          break;
        case "blank":
          lines.splice(i, 0, "");
          break;
        case "two-spaces":
          lines[i] = line.replace(/^(\s*(?:- )?[\w./-]+:) (?=\S)/, "$1  ");
          break;
        case "restart-policy": {
          // A field the native strategy replaces, with or without a comment of its own.
          const m = /^(\s*)- name: (\S+)$/.exec(line);
          if (m) lines.splice(i + 1, 0, `${m[1]}  restartPolicy: Never${at % 2 ? " # was" : ""}`);
          break;
        }
        case "trailing-comment": {
          // After the last line of a block, at one of the columns around it.
          const next = lines[i + 1];
          if (next !== undefined && indentOf(next) < indentOf(line)) lines.splice(i + 1, 0, `${" ".repeat(Math.max(0, indentOf(line) - (column % 3) * 2))}# after ${at}`);
          break;
        }
        case "quote-swap":
          lines[i] = line.replace(/: '([^'"\\]*)'$/, ': "$1"').replace(/: ([a-z][\w.-]*)$/, ": '$1'");
          break;
      }
    }
    return lines.join("\n");
  });

/** Ways a user shares nodes or writes strings that a careless printer gets wrong (issue: YAML as it really comes). */
export const SHARING = [
  "alias-annotations",
  "alias-lifecycle",
  "alias-probe",
  "merge-container",
  "merge-container-tagged",
  "sidecar-merges",
  "alias-whole-container",
  "alias-containers-list",
  "alias-podspec",
  "ambiguous-strings",
  "control-chars",
  "keep-chomp",
] as const;
type Sharing = (typeof SHARING)[number];

/** Strings YAML 1.1 readers take for booleans, numbers, nulls or dates. */
const AMBIGUOUS = ["on", "no", "Y", "off", "1_000", "0777", "2001-12-14", "1:20", "~"];

function podSpecNode(item: YAMLMap): { template: YAMLMap | undefined; spec: YAMLMap } | undefined {
  for (const path of [["spec", "template"], ["spec", "jobTemplate", "spec", "template"], ["template"]]) {
    const t = item.getIn(path, true);
    const spec: unknown = isMap(t) ? t.get("spec", true) : undefined;
    if (isMap(t) && isMap(spec)) return { template: t, spec };
  }
  const spec = item.get("spec", true);
  return isMap(spec) && isSeq(spec.get("containers", true)) ? { template: undefined, spec } : undefined;
}

function holdsAlias(node: Node): boolean {
  let found = false;
  visit(node, { Alias: () => ((found = true), visit.BREAK) });
  return found;
}

function holdsAnchor(node: unknown): boolean {
  if (!isNode(node)) return false;
  let found = !!node.anchor;
  if (!found) visit(node, { Node: (_, n) => (n.anchor ? ((found = true), visit.BREAK) : undefined) });
  return found;
}

/** Apply one way of sharing to a workload item's nodes, in place. */
function share(doc: Document, item: YAMLMap, how: Sharing, n: number): void {
  const found = podSpecNode(item);
  if (!found) return;
  const { template, spec } = found;
  const containers: unknown = spec.get("containers", true);
  if (!isSeq(containers)) return;
  const maps = containers.items.filter(isMap) as YAMLMap[];
  const sidecar = maps.find((c) => SIDECAR_NAMES.includes(String(c.get("name")))) ?? maps[maps.length - 1];
  if (!sidecar) return; // every container is an alias already
  const anchor = (node: unknown, name: string) => doc.createAlias(node as YAMLMap, `${name}${n}`);
  /** An extra field before spec, so its anchor comes first. */
  const before = (key: string, value: unknown) => {
    const at = item.items.findIndex((p) => (p.key as { value?: unknown })?.value === "spec");
    // A way drawn twice must not write its key twice (duplicate keys are invalid YAML).
    item.items.splice(Math.max(at, 0), 0, doc.createPair(item.has(key) ? `${key}-${n}` : key, value));
  };
  switch (how) {
    case "alias-annotations": {
      if (!template) return;
      const meta = template.get("metadata", true);
      const ann = isMap(meta) ? meta.get("annotations", true) : undefined;
      if (!isMap(ann) || !isMap(meta)) return;
      before("x-annotations", ann);
      meta.set("annotations", anchor(ann, "ann"));
      return;
    }
    case "alias-lifecycle":
    case "alias-probe": {
      const key = how === "alias-lifecycle" ? "lifecycle" : "readinessProbe";
      const owner = maps.find((c) => isMap(c.get(key, true)));
      // The alias must come after its anchor.
      const other = owner && maps.slice(maps.indexOf(owner) + 1)[0];
      if (!owner || !other) return;
      other.set(how === "alias-lifecycle" ? "lifecycle" : "startupProbe", anchor(owner.get(key, true), "shared"));
      return;
    }
    case "merge-container":
    case "merge-container-tagged": {
      const key = doc.createNode("<<") as Scalar;
      if (how === "merge-container-tagged") key.tag = "tag:yaml.org,2002:merge";
      const merged = doc.createNode({ name: `merged-${n}` }) as YAMLMap;
      merged.items.unshift(doc.createPair(key, anchor(sidecar, "sc")));
      containers.items.push(merged);
      return;
    }
    case "sidecar-merges": {
      // The sidecar takes its fields from another container by a merge key.
      // A container ahead of it, so the anchor comes first.
      const base = maps.slice(0, maps.indexOf(sidecar))[0];
      if (!base) return;
      const key = doc.createNode("<<") as Scalar;
      const own = sidecar.items.filter((p) => ["name", "image"].includes(String((p.key as { value?: unknown }).value)));
      // A field it gives up may hold an anchor an earlier way aliased (alias-lifecycle): that alias would dangle.
      if (sidecar.items.some((p) => !own.includes(p) && holdsAnchor(p.value))) return;
      sidecar.items = [doc.createPair(key, anchor(base, "base")) as never, ...own];
      return;
    }
    case "alias-whole-container": {
      // Moved ahead of the list, an alias inside it would come before its anchor.
      if (holdsAlias(sidecar)) return;
      before("x-sidecar", sidecar);
      containers.items[containers.items.indexOf(sidecar)] = anchor(sidecar, "whole");
      return;
    }
    case "alias-containers-list":
      item.set("x-copy", anchor(containers, "list"));
      return;
    case "alias-podspec": {
      if (!template || holdsAlias(spec)) return;
      before("x-spec", spec);
      template.set("spec", anchor(spec, "spec"));
      return;
    }
    case "ambiguous-strings":
      sidecar.set("args", doc.createNode(AMBIGUOUS));
      return;
    case "control-chars":
      sidecar.set("env", doc.createNode([{ name: "CTRL", value: "a\u007fb\u0085c\u009bd" }]));
      return;
    case "keep-chomp": {
      const s = doc.createNode("line one\n\n") as Scalar;
      s.type = "BLOCK_LITERAL";
      const args = doc.createNode([]) as YAMLSeq;
      args.items.push(s);
      // Last in its container, so nothing follows the kept lines but what follows the container.
      sidecar.set("args", args);
      return;
    }
  }
}

/** ResourceLists whose workloads share nodes (anchors, aliases, merge keys) or hold tricky strings. */
export const sharedListText: fc.Arbitrary<string> = fc
  .record({
    items: fc.array(fc.oneof({ weight: 3, arbitrary: workload }, { weight: 1, arbitrary: unrelated }), { minLength: 1, maxLength: 3 }),
    cfg: config,
    ways: fc.uniqueArray(fc.constantFrom(...SHARING), { minLength: 1, maxLength: 3 }),
    wide: fc.boolean(),
  })
  .map(({ items, cfg, ways, wide }) => {
    // A YAML 1.1 document prints every string 1.1 would misread quoted: the input reads the same both ways.
    const doc = new Document({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items, functionConfig: cfg }, { aliasDuplicateObjects: false, version: "1.1" });
    const seq = (doc.contents as YAMLMap).get("items", true) as unknown as YAMLSeq;
    let n = 0;
    seq.items.forEach((node, i) => {
      if (!isMap(node)) return;
      for (const how of ways.slice(0, 1 + (i % ways.length))) share(doc, node, how, n++);
    });
    // yaml leaves DEL and C1 raw inside double quotes; escape them as a user's file would.
    return doc.toString({ indentSeq: wide, lineWidth: 0, flowCollectionPadding: false }).replace(/[\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
  });
