/**
 * How long a probe takes to give up, with the API server's defaults for an unset (or zero)
 * periodSeconds and failureThreshold: 10 s and 3.
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes
 */
export interface ProbeTiming {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}

/** Seconds between tries. */
export function probePeriod(p: ProbeTiming): number {
  return p.periodSeconds || 10;
}

/** How long the probe keeps trying once it tries. */
export function probeSpan(p: ProbeTiming): number {
  return probePeriod(p) * (p.failureThreshold || 3);
}

/** How long after the container's start the probe gives up: its initial delay and its span. */
export function probeBudget(p: ProbeTiming): number {
  return (p.initialDelaySeconds ?? 0) + probeSpan(p);
}
