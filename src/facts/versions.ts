/**
 * Kubernetes version numbers as users write them: "1.30", "v1.30.2", "1.30.2-gke.1587003",
 * "1.29.3+k3s1". Major, minor and (when given) patch are what count; a vendor suffix is ignored.
 */

export interface Version {
  major: number;
  minor: number;
  /** Undefined when the text gave no patch level ("1.33"). */
  patch?: number;
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/;

/** Kubernetes minors have had two digits since 1.10 (March 2018); there is no 2.x. */
export const OLDEST_PLAUSIBLE: Version = { major: 1, minor: 10 };
export const NEWEST_PLAUSIBLE_MINOR = 99;

export function parseVersion(text: string): Version {
  const m = VERSION.exec(text);
  if (!m) throw new Error(`not a version: ${text}`);
  const v: Version = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) v.patch = Number(m[3]);
  return v;
}

/** Why a version string cannot be a Kubernetes version, with the fix; undefined when it can. */
export function versionProblem(text: string): string | undefined {
  const m = VERSION.exec(text);
  if (!m) return `"${text}" is not a Kubernetes version; write it like "1.30", "v1.30.2" or "1.30.2-gke.1587003"`;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 1) return `"${text}" is not a Kubernetes version: there is no Kubernetes ${major}.x; write the target's version, e.g. "1.30"`;
  if (minor < OLDEST_PLAUSIBLE.minor) {
    // An unquoted 1.30 reaches a YAML reader as the number 1.3: the likeliest cause, so say it.
    const padded = `${major}.${minor}0`;
    const meant = minor > 0 && minor <= 4 ? `; if you meant ${padded}, quote it: "${padded}" (unquoted, YAML reads 1.${minor}0 as the number 1.${minor})` : "; write the target's version, e.g. \"1.30\"";
    return `"${text}" is not a plausible target: Kubernetes 1.${minor} is from before 2018 and sidecar-order supports 1.${OLDEST_PLAUSIBLE.minor} and later${meant}`;
  }
  if (minor > NEWEST_PLAUSIBLE_MINOR) return `"${text}" is not a plausible Kubernetes version; write the target's version, e.g. "1.30"`;
  return undefined;
}

/** Whether `v` is `min` or later. A missing patch counts as .0 on either side. */
export function atLeast(v: Version, min: Version): boolean {
  if (v.major !== min.major) return v.major > min.major;
  if (v.minor !== min.minor) return v.minor > min.minor;
  return (v.patch ?? 0) >= (min.patch ?? 0);
}

export const v = (major: number, minor: number, patch?: number): Version => (patch === undefined ? { major, minor } : { major, minor, patch });

export function formatVersion(x: Version): string {
  return x.patch === undefined ? `${x.major}.${x.minor}` : `${x.major}.${x.minor}.${x.patch}`;
}

/** Whether two versions are one minor release (patch levels aside). */
export function sameMinor(a: Version, b: Version): boolean {
  return a.major === b.major && a.minor === b.minor;
}

/** Whether `a` is a later minor release than `b`. */
export function laterMinor(a: Version, b: Version): boolean {
  return a.major !== b.major ? a.major > b.major : a.minor > b.minor;
}

/** The target cluster as the config describes it: the API server and the oldest kubelet. */
export interface TargetVersions {
  api?: Version;
  kubelet?: Version;
}

export function targetVersions(config: { kubernetesVersion?: string | undefined; kubeletVersion?: string | undefined }): TargetVersions {
  const t: TargetVersions = {};
  if (config.kubernetesVersion) t.api = parseVersion(config.kubernetesVersion);
  const kubelet = config.kubeletVersion ?? config.kubernetesVersion;
  if (kubelet) t.kubelet = parseVersion(kubelet);
  // A kubelet newer than its API server is outside the version skew policy (the config is warned
  // about it): go by the older, as the strategy's choice does, the known defects included.
  if (t.api && t.kubelet && laterMinor(t.kubelet, t.api)) t.kubelet = t.api;
  return t;
}

/** The older of the two, the one that decides what works. */
export function oldest(t: TargetVersions): Version | undefined {
  if (t.api && t.kubelet) return atLeast(t.api, t.kubelet) ? t.kubelet : t.api;
  return t.api ?? t.kubelet;
}
