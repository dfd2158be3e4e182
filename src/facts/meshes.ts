/**
 * What the meshes' injectors and proxies accept, release by release, where sidecar-order sets
 * their switches or emits what they read. Each fact names the upstream source it was read from.
 */

/** A mesh release as the config names it. */
export interface MeshRelease {
  /** Comparable position: Istio 1.24 → [1, 24]; Linkerd edge-25.10.2 → [25, 10, 2] (edge scale). */
  at: number[];
  text: string;
}

const cmp = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};

// ---------------------------------------------------------------- Istio

/** "1.24", "1.24.3", "v1.24.3-distroless" */
export const ISTIO_VERSION = /^v?1\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/;

export function istioRelease(text: string): MeshRelease | undefined {
  const m = ISTIO_VERSION.exec(text);
  return m ? { at: [1, Number(m[1]), Number(m[2] ?? 0)], text } : undefined;
}

/**
 * The per-pod `sidecar.istio.io/nativeSidecar` annotation is read by the injection template from
 * 1.24 on (istio/istio 1.24.0 manifests/charts/istio-control/istio-discovery/files/injection-template.yaml);
 * 1.23 and earlier read only istiod's ENABLE_NATIVE_SIDECARS environment variable. From 1.27 on
 * istiod's default is "auto": native when every node's kubelet is 1.33 or later
 * (pkg/kube/inject/webhook.go DetectNativeSidecar).
 */
export const ISTIO_NATIVE_ANNOTATION_FROM = [1, 24];
export const ISTIO_NATIVE_AUTO_FROM = [1, 27];

export function istioReadsNativeAnnotation(r: MeshRelease): boolean {
  return cmp(r.at, ISTIO_NATIVE_ANNOTATION_FROM) >= 0;
}

/**
 * pilot-agent's default status port, and the annotation that moves it ("0": no status server, so
 * the injector adds no probes). The kubelet's probes and `pilot-agent wait` go to 15021, Envoy's
 * health listener, which forwards /healthz/ready to the agent's status port wherever it is
 * (tools/packaging/common/envoy_bootstrap.json, cluster "agent"), so they stay on 15021. The
 * native drain goes to the status port itself (`pilot-agent request --debug-port=<status port>
 * POST drain`, as the injection template writes it), and `pilot-agent request` refuses any
 * port but 15000, 15004, 15020 and 15021 (pilot/cmd/pilot-agent/app/request.go, 1.20 to 1.30).
 */
export const ISTIO_STATUS_PORT_ANNOTATION = "status.sidecar.istio.io/port";
export const ISTIO_DEFAULT_STATUS_PORT = 15020;
export const ISTIO_REQUEST_PORTS: readonly number[] = [15000, 15004, 15020, 15021];

/** The status port the template asks for: a number, 0 for "none", undefined when unreadable. */
export function istioStatusPort(annotations: Record<string, string>): number | undefined {
  const raw = annotations[ISTIO_STATUS_PORT_ANNOTATION];
  if (raw === undefined) return ISTIO_DEFAULT_STATUS_PORT;
  const n = Number(raw.trim());
  return raw.trim() !== "" && Number.isInteger(n) && n >= 0 && n < 65536 ? n : undefined;
}

// ---------------------------------------------------------------- Linkerd

/**
 * "2.18" (a numbered release), "stable-2.14.10", "enterprise-2.17.1", "edge-25.10.2". Numbered
 * releases map to the edge release they were cut from (git describe of linkerd2's version-2.N
 * tags): 2.15 = edge-24.2.4, 2.16 = edge-24.8.2, 2.17 = edge-24.11.8, 2.18 = edge-25.4.4,
 * 2.19 = edge-25.10.7, 2.20 = edge-26.6.3. Stable 2.14 and earlier predate native sidecars.
 */
export const LINKERD_VERSION = /^(?:(?:stable|enterprise|version)-)?v?2\.(\d+)(?:\.(\d+))?$|^edge-(\d+)\.(\d+)\.(\d+)$/;

const LINKERD_NUMBERED: Record<number, number[]> = { 15: [24, 2, 4], 16: [24, 8, 2], 17: [24, 11, 8], 18: [25, 4, 4], 19: [25, 10, 7], 20: [26, 6, 3] };

export function linkerdRelease(text: string): MeshRelease | undefined {
  const m = LINKERD_VERSION.exec(text.trim());
  if (!m) return undefined;
  if (m[3] !== undefined) return { at: [Number(m[3]), Number(m[4]), Number(m[5])], text };
  const minor = Number(m[1]);
  if (minor <= 14) return { at: [23, 0, 0], text }; // before edge-23.11.4: no native sidecars
  const known = LINKERD_NUMBERED[minor];
  // A later numbered release than this table knows: newer than every edge it lists.
  return { at: known ?? [99, 0, 0], text };
}

/**
 * The proxy-enable-native-sidecar annotation, by release (pkg/k8s/labels.go, pkg/inject/inject.go):
 * config.alpha.linkerd.io/… from edge-23.11.4 (still read, deprecated, in 2.20);
 * config.beta.linkerd.io/… from edge-25.10.2 (2.19); config.linkerd.io/… from edge-26.5.2 (2.20).
 * A key the injector does not know is silently ignored.
 */
export const LINKERD_NATIVE_KEYS = {
  alpha: "config.alpha.linkerd.io/proxy-enable-native-sidecar",
  beta: "config.beta.linkerd.io/proxy-enable-native-sidecar",
  ga: "config.linkerd.io/proxy-enable-native-sidecar",
} as const;
export const LINKERD_NATIVE_FROM = { alpha: [23, 11, 4], beta: [25, 10, 2], ga: [26, 5, 2] };

/** The key this release reads (the newest it knows), or undefined before native sidecars. */
export function linkerdNativeKey(r: MeshRelease | undefined): string | undefined {
  // With no release given: the alpha key, which every release with native sidecars reads.
  if (!r) return LINKERD_NATIVE_KEYS.alpha;
  if (cmp(r.at, LINKERD_NATIVE_FROM.ga) >= 0) return LINKERD_NATIVE_KEYS.ga;
  if (cmp(r.at, LINKERD_NATIVE_FROM.beta) >= 0) return LINKERD_NATIVE_KEYS.beta;
  if (cmp(r.at, LINKERD_NATIVE_FROM.alpha) >= 0) return LINKERD_NATIVE_KEYS.alpha;
  return undefined;
}

/**
 * config.alpha.linkerd.io/proxy-wait-before-exit-seconds (the key has kept its alpha prefix).
 * With native sidecars on, the proxy partial refuses it from edge-23.11.4 to edge-26.5.1
 * (`fail "proxy.nativeSidecar and waitBeforeExitSeconds cannot be used simultaneously"`,
 * charts/partials/templates/_proxy.tpl); from edge-26.5.2 (2.20) the preStop is just left out.
 */
export const LINKERD_WAIT_BEFORE_EXIT = "config.alpha.linkerd.io/proxy-wait-before-exit-seconds";
