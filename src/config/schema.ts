/**
 * The functionConfig schema: the one source of truth for every option. Types, the JSON Schema in
 * fn-config/ and the README's FunctionConfig table are all derived from it.
 */
// zod/mini: the same zod, a fraction of the start-up cost (every kpt render starts a process).
import * as z from "zod/mini";
import { ISTIO_VERSION, LINKERD_VERSION } from "../facts/meshes";
import { versionProblem } from "../facts/versions";

// Parse with the interpreter: zod's generated fast paths cost more to build than one config saves.
z.config({ jitless: true });
// The schemas of nested options (sidecar entries, probes, selectors, custom kinds, shutdown) are
// z.lazy: built by the first config that uses them, not in every cold start (most configs set a
// few top-level fields, and building all of it cost a few milliseconds of every render).

/** Attach a description (it lands in the JSON Schema and the README table). */
function d<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}
const nonEmpty = () => z.string().check(z.minLength(1));
const int = (min?: number, max?: number) =>
  z.int().check(...(min !== undefined ? [z.minimum(min)] : []), ...(max !== undefined ? [z.maximum(max)] : []));

export const API_VERSION = "fn.sidecar-order.dev/v1alpha1";
export const KIND = "SidecarOrder";

const command = z.array(nonEmpty()).check(z.minLength(1));

/**
 * "1.29", "v1.30.2", "1.30.2-gke.1587003", "1.29.3+k3s1": major, minor and patch count, a vendor
 * suffix does not. 1.10 to 1.99 only: "1.3" is what YAML makes of an unquoted 1.30.
 */
export const versionSchema = z
  .string()
  .check(z.regex(/^v?1\.[1-9]\d(\.\d+)?([-+].*)?$/, { error: (issue) => versionProblem(String(issue.input)) ?? "not a Kubernetes version" }));

/** A probe handler and its timing, as in a container spec. */
export const probeSchema = z.lazy(() =>
  z
    .looseObject({
      exec: z.optional(z.looseObject({ command: command })),
      httpGet: z.optional(z.looseObject({ path: z.optional(z.string()), port: z.union([int(), z.string()]) })),
      tcpSocket: z.optional(z.looseObject({ port: z.union([int(), z.string()]) })),
      grpc: z.optional(z.looseObject({ port: int() })),
      initialDelaySeconds: z.optional(int(0)),
      periodSeconds: z.optional(int(1)),
      timeoutSeconds: z.optional(int(1)),
      successThreshold: z.optional(z.literal(1)),
      failureThreshold: z.optional(int(1)),
    })
    .check(
      z.refine((p) => [p.exec, p.httpGet, p.tcpSocket, p.grpc].filter((h) => h !== undefined).length === 1, {
        message: "a probe needs exactly one handler: exec, httpGet, tcpSocket or grpc",
      }),
    ),
);

/**
 * How sidecar-order waits for a sidecar to be ready.
 * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
 */
export const waitSchema = z.lazy(() =>
  z.strictObject({
    /**
     * A command run inside the sidecar's own image that returns only once the sidecar is ready
     * (and gives up after its own timeout). Becomes the sidecar's `lifecycle.postStart.exec`.
     * @default none: the sidecar is still ordered first, with a warning that the app races it
     * @see https://kubernetes.io/docs/tasks/configure-pod-container/attach-handler-lifecycle-event/
     */
    exec: d(
      z.array(nonEmpty()).check(z.minLength(1)),
      "Command run in the sidecar's image that returns once the sidecar is ready; becomes lifecycle.postStart.exec.command. It must time out on its own (one with no timeout-like flag gets a warning).",
    ),
  }),
);

/** The sidecars sidecar-order knows; each is a file in src/sidecars/presets/. */
export const PRESET_NAMES = ["istio", "linkerd", "kuma", "cloud-sql-proxy", "consul", "dapr", "opentelemetry", "vault"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Meshes whose proxy a webhook injects at admission (so it is not in the package). */
export const INJECTED_MESHES = ["istio", "linkerd", "kuma", "dapr"] as const;
export type InjectedMesh = (typeof INJECTED_MESHES)[number];

/** One sidecar: how to recognise it among a pod's containers and how to wait for it. */
export const sidecarSchema = z.lazy(() =>
  z
    .strictObject({
      /**
       * A known sidecar whose match rules, wait command, startupProbe and shutdown recipe to use.
       * Every other field of the entry overrides the preset's.
       * @default none
       * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
       */
      preset: d(z.optional(z.enum(PRESET_NAMES)), "A known sidecar (istio, linkerd, kuma, cloud-sql-proxy, consul, dapr, opentelemetry, vault); the entry's other fields override it."),
      /**
       * The container name to match.
       * @default the preset's container names, else none (match by image only)
       */
      name: d(z.optional(nonEmpty()), "Container name to match."),
      /**
       * An image glob to match (`*` matches any run of characters, `/` included).
       * @default none (match by name only)
       * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
       */
      image: d(z.optional(nonEmpty()), "Image glob to match; * matches any run of characters, / included."),
      /**
       * How to wait until the sidecar is ready.
       * @default none
       */
      wait: d(z.optional(waitSchema), "How to wait until the sidecar is ready."),
      /**
       * How long the app may wait for this sidecar, in seconds: the native startupProbe's
       * failureThreshold is derived from it when sidecar-order makes the probe.
       * @default 120
       */
      timeoutSeconds: d(z.optional(int(1, 3600)), "How long the app may wait for the sidecar, in seconds (default 120); sizes a derived startupProbe."),
      /**
       * The startupProbe a native sidecar gets when it has none. Native sidecars gate the next
       * containers on their startupProbe, never on their readinessProbe.
       * @default derived from the sidecar's readinessProbe, if it has one
       * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
       */
      startupProbe: d(z.optional(probeSchema), "startupProbe for the native sidecar when it has none (default: derived from its readinessProbe)."),
      /**
       * Init containers that must finish before this sidecar starts (native strategy), besides the
       * mesh network-setup ones (istio-init, istio-validation, linkerd-init,
       * linkerd-network-validator, kuma-init).
       * @default []
       * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
       */
      initContainersBefore: d(z.optional(z.array(nonEmpty())), "Init containers that must finish before this sidecar starts (native), added to the mesh network-setup ones and the preset's."),
      /**
       * Init containers that need this sidecar, even if they are named in the network-setup
       * defaults. Every init container not listed as "before" already runs after the sidecar.
       * @default []
       */
      initContainersAfter: d(z.optional(z.array(nonEmpty())), "Init containers that need this sidecar and so must run after it (native), added to the preset's; takes them out of the network-setup defaults."),
      /**
       * The sidecar's admin or health port, used by the preset's wait command and startupProbe.
       * @default the preset's (istio 15021, linkerd 4191, kuma 9902, cloud-sql-proxy 9090, dapr 3501, opentelemetry 13133)
       */
      adminPort: d(z.optional(int(1, 65535)), "Admin/health port used by the preset's wait command and startupProbe (default: the preset's)."),
      /**
       * Other sidecars (by preset or name) that must be started before this one.
       * @default []
       */
      after: d(z.optional(z.array(nonEmpty())), "Sidecars (preset or name of another entry) that must start before this one."),
      /**
       * Legacy strategy: keep the sidecar running until the app has stopped, with a preStop hook that
       * waits (the sleep action on 1.30+, else `sleep` where the image has it). Native sidecars are
       * stopped after the app anyway.
       * @default the preset's (istio and linkerd true), else false
       * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
       */
      stopAfterApp: d(z.optional(z.boolean()), "Legacy: a preStop wait so the sidecar outlives the app's shutdown (default: true for istio and linkerd)."),
      /**
       * Native: give the sidecar its preset's drain as a preStop hook when it has no preStop of its
       * own (Istio: `pilot-agent request --debug-port=15020 POST drain`, as Istio's own native
       * injection does). Turn it off where draining at the start of termination closes connections
       * the app still uses while it stops.
       * @default true (only the istio preset has a drain)
       * @see https://github.com/istio/istio/issues/51855
       */
      drain: d(z.optional(z.boolean()), "Native: add the preset's preStop drain (istio) where the sidecar has no preStop (default true)."),
    })
    .check(
      z.refine((s) => s.name !== undefined || s.image !== undefined || s.preset !== undefined, {
        message: "a sidecar needs a `preset`, a `name` or an `image` to match containers by",
      }),
    ),
);

/** Legacy shutdown arithmetic. */
export const shutdownSchema = z.lazy(() =>
  z.strictObject({
    /**
     * How long the app takes to stop after SIGTERM (plus its own preStop): what a stopAfterApp
     * sidecar must outlast.
     * @default 15
     */
    appSeconds: d(z._default(int(0, 3600), 15), "How long the app takes to stop after SIGTERM (its own preStop sleep is added)."),
    /**
     * Seconds kept free below terminationGracePeriodSeconds for the sidecar's own exit.
     * @default 5
     */
    marginSeconds: d(z._default(int(0, 600), 5), "Seconds kept free below terminationGracePeriodSeconds for the sidecar's own exit."),
    /**
     * Raise terminationGracePeriodSeconds when it cannot hold the wait plus the margin (instead of a warning).
     * @default false
     * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
     */
    raiseGracePeriod: d(z._default(z.boolean(), false), "Raise terminationGracePeriodSeconds when it cannot hold the wait plus the margin, instead of warning."),
  }),
);

/**
 * Which objects to work on, the way kpt's selectors are written. Every field given must match.
 * @see https://kpt.dev/book/04-using-functions/01-declarative-function-execution
 */
export const selectorSchema = z.lazy(() =>
  z.strictObject({
    apiVersion: d(z.optional(z.string()), "apiVersion to match, e.g. apps/v1."),
    kind: d(z.optional(z.string()), "Kind to match, e.g. Deployment."),
    name: d(z.optional(z.string()), "metadata.name to match."),
    namespace: d(z.optional(z.string()), "metadata.namespace to match."),
    labels: d(z.optional(z.record(z.string(), z.string())), "Labels the object must all have."),
    annotations: d(z.optional(z.record(z.string(), z.string())), "Annotations the object must all have."),
  }),
);
export type Selector = z.output<typeof selectorSchema>;

/**
 * Where a custom resource keeps its pod spec, kustomize fieldSpec style: where the path meets a
 * list, every entry's pod spec is ordered. The pod template is the object holding that spec (its
 * `metadata` gets the annotations sidecar-order sets).
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/builtins/#fieldspec
 */
export const podTemplatePathSchema = z.lazy(() =>
  z.strictObject({
    group: d(z._default(z.string(), ""), 'API group of the kind ("" for core).'),
    version: d(z.optional(z.string()), "API version; any version when left out."),
    kind: d(nonEmpty(), "Kind of the custom resource."),
    path: d(
      z.string().check(
        z.regex(/(^|[/.])spec$/, { message: 'a path to the pod spec ending in "spec", e.g. spec/template/spec' }),
        // Field names only: a step that meets a list goes on in every entry, as kustomize's
        // fieldSpecs do, so an index or `*` has no meaning. Every segment holds a character other
        // than a digit, and none holds `*` (no lookahead: the JSON Schema's pattern must compile in RE2 too).
        z.regex(/^(?:[0-9]*[^/.*0-9][^/.*]*)?(?:[/.](?:[0-9]*[^/.*0-9][^/.*]*)?)*$/, {
          message: "a path of field names only, with no index or *: where a field holds a list, name the field and the rest of the path is followed in every entry, as kustomize's fieldSpecs do (e.g. spec/workerGroupSpecs/template/spec)",
        }),
      ),
      "Path to the pod spec, e.g. spec/template/spec.",
    ),
  }),
);

export const configSchema = z.strictObject({
  /**
   * `apply` changes the workloads; `check` changes nothing and reports every workload that would
   * change, with the proposed values (use it in a Kptfile `validators:` pipeline).
   * @default "apply"
   * @see https://kpt.dev/book/04-using-functions/01-declarative-function-execution
   */
  mode: d(z._default(z.enum(["apply", "check"]), "apply"), "apply changes the workloads; check changes nothing and reports what would change (a validator)."),
  /**
   * Severity of the results `mode: check` reports for workloads that would change.
   * @default "error"
   */
  checkSeverity: d(z._default(z.enum(["error", "warning", "info"]), "error"), "Severity of mode: check results (error fails a validators pipeline)."),
  /**
   * Work only on objects matching one of these selectors.
   * @default [] (every object)
   */
  selectors: d(z._default(z.array(selectorSchema), []), "Work only on objects that match one of these (kind, name, namespace, labels, annotations)."),
  /**
   * Leave alone objects matching one of these selectors.
   * @default []
   */
  exclude: d(z._default(z.array(selectorSchema), []), "Leave alone objects that match one of these."),
  /**
   * Custom resources with a pod template, so any CRD works without a release.
   * @default [] (built in: Pod, PodTemplate, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, JobSet, Argo Rollout, OpenKruise CloneSet/StatefulSet/DaemonSet, OpenShift DeploymentConfig)
   */
  podTemplatePaths: d(
    z._default(
      z.array(podTemplatePathSchema),
      [],
    ),
    "Custom kinds with a pod spec: group, version, kind and the path to the pod spec.",
  ),
  /**
   * How sidecars are ordered. `legacy`: first in `spec.containers` with a postStart hook that
   * blocks until the sidecar is ready (fails open, no shutdown order). `native`: an init container
   * with `restartPolicy: Always` gated by its startupProbe (fails closed, stopped after the app;
   * Kubernetes 1.29+). `auto`: native when the versions allow, legacy otherwise.
   * @default "auto"
   * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
   */
  strategy: d(
    z._default(z.enum(["auto", "native", "legacy"]), "auto"),
    "legacy: first in spec.containers with a blocking postStart hook; native: restartable init container gated by a startupProbe; auto: native when the versions allow."),
  /**
   * The target API server's version. With `auto`, native sidecars need it (and the kubelet) at
   * `nativeMinVersion` or later.
   * @default none: auto assumes a currently supported Kubernetes and picks native
   * @see https://kubernetes.io/releases/version-skew-policy/
   */
  kubernetesVersion: d(z.optional(versionSchema), "The target API server's version, e.g. \"1.30\"; auto picks native when it and kubeletVersion are at least nativeMinVersion."),
  /**
   * The oldest kubelet's version (nodes may lag the control plane).
   * @default kubernetesVersion
   * @see https://kubernetes.io/releases/version-skew-policy/#kubelet
   */
  kubeletVersion: d(z.optional(versionSchema), "The oldest node's kubelet version (default: kubernetesVersion)."),
  /**
   * The version from which `auto` picks native sidecars. The SidecarContainers feature is beta and
   * on by default from 1.29, GA in 1.33.
   * @default "1.29"
   * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
   */
  nativeMinVersion: d(z._default(versionSchema, "1.29"), "The version from which auto picks native sidecars (default 1.29: SidecarContainers on by default)."),
  /**
   * Accept legacy sidecars in Jobs and CronJobs (a warning instead of an error). A legacy sidecar
   * keeps running after the app exits, so the Job never completes unless the app stops it.
   * @default false
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
   */
  allowLegacyJobs: d(z._default(z.boolean(), false), "Accept legacy sidecars in Jobs and CronJobs (warning instead of error); for one workload, annotate it sidecar-order.dev/allow-legacy-job: \"true\" instead."),
  /**
   * The sidecars to order, matched against each pod template's containers, in start order
   * (`after` adds dependencies).
   * @default every preset, in the order istio, linkerd, kuma, consul, cloud-sql-proxy, dapr, opentelemetry, vault
   */
  sidecars: d(z.optional(z.array(sidecarSchema)), "The sidecars to order, in start order; default: every preset."),
  /**
   * Meshes a webhook injects into these pods at admission (for example by a namespace label): their
   * own pod-template switches are set to match the strategy. Pods that opt in with the vendor's
   * inject annotation or label are found without this.
   * @default []
   * @see https://istio.io/latest/docs/reference/config/annotations/
   */
  meshes: d(z._default(z.array(z.enum(INJECTED_MESHES)), []), "Meshes injected at admission into every pod of the package (pods with the vendor's inject annotation or label are found anyway)."),
  /**
   * The releases of the meshes whose proxies are injected at admission, which decide the
   * pod-template switches sidecar-order sets: Istio reads `sidecar.istio.io/nativeSidecar` from
   * 1.24 (before, only istiod's ENABLE_NATIVE_SIDECARS makes proxies native); Linkerd reads
   * `config.alpha.linkerd.io/proxy-enable-native-sidecar` from edge-23.11.4,
   * `config.beta.linkerd.io/…` from 2.19 and `config.linkerd.io/…` from 2.20, and ignores a key it
   * does not know.
   * @default none: the switches the most releases read (Linkerd's alpha key), and an info says so
   * @see https://linkerd.io/2/reference/proxy-configuration/
   */
  meshVersions: d(
    z.optional(
      z.strictObject({
        istio: d(z.optional(z.string().check(z.regex(ISTIO_VERSION, { message: 'an Istio release such as "1.24" or "1.24.3"' }))), 'Istio release, e.g. "1.24".'),
        linkerd: d(
          z.optional(z.string().check(z.regex(LINKERD_VERSION, { message: 'a Linkerd release such as "2.18", "stable-2.14.10" or "edge-25.10.2"' }))),
          'Linkerd release, e.g. "2.18" or "edge-25.10.2".',
        ),
      }),
    ),
    "Releases of the injected meshes (istio, linkerd): they decide which pod-template switches are set.",
  ),
  /**
   * Legacy shutdown arithmetic for stopAfterApp sidecars.
   * @default { appSeconds: 15, marginSeconds: 5, raiseGracePeriod: false }
   */
  shutdown: d(z._default(shutdownSchema, { appSeconds: 15, marginSeconds: 5, raiseGracePeriod: false }), "Legacy shutdown arithmetic for stopAfterApp sidecars."),
  /**
   * Add one info result per workload with its predicted timeline, in plain text: the order in
   * which its containers start and what holds each back, what happens when a sidecar never gets
   * ready, and the order and budget of shutdown, from the project's kubelet model. The same text
   * `sidecar-order --explain` prints.
   * @default false
   * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#sidecar-containers-and-pod-lifecycle
   */
  explain: d(z._default(z.boolean(), false), "Add an info result per workload with its predicted start and shutdown timeline (what --explain prints)."),
  /**
   * What to do when a sidecar already has a different postStart hook (or, where stopAfterApp adds
   * one, a preStop hook that is not a sleep; a sleep is resized): `keep` it (warning), `replace`
   * it (info), or refuse the workload (`error`).
   * @default "keep"
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  onConflict: d(
    z._default(z.enum(["keep", "replace", "error"]), "keep"),
    "When a sidecar already has a different postStart hook (or a non-sleep preStop where stopAfterApp adds one): keep it (warning), replace it (info), or error."),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type SidecarSpec = z.output<typeof sidecarSchema>;

/** Keys of the typed form that are not options. */
export const ENVELOPE_KEYS = ["apiVersion", "kind", "metadata"] as const;
