/**
 * Result objects exactly as the KRM functions specification defines them, and the exit-code
 * rule. Nothing here knows YAML text.
 *
 * @see https://github.com/kubernetes-sigs/kustomize/blob/master/cmd/config/docs/api-conventions/functions-spec.md
 */

export type Severity = "error" | "warning" | "info";

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Left out, never empty, for cluster-scoped or namespace-less objects. */
  namespace?: string;
}

export interface FieldRef {
  /** Dotted path with list indexes, e.g. `spec.template.spec.containers[0].lifecycle.postStart`. */
  path: string;
  currentValue?: unknown;
  proposedValue?: unknown;
}

export interface FileRef {
  path: string;
  index?: number;
}

export interface Result {
  message: string;
  severity: Severity;
  resourceRef?: ResourceRef;
  field?: FieldRef;
  file?: FileRef;
  tags?: Record<string, string>;
}

/** Where a result points: the object, and the file it came from. */
export interface Subject {
  resourceRef?: ResourceRef;
  file?: FileRef;
}

export function result(
  severity: Severity,
  message: string,
  subject: Subject = {},
  field?: FieldRef,
): Result {
  // Key order is the order a reader wants: what, how bad, which object, which field, which file.
  const r: Result = { message, severity };
  if (subject.resourceRef) r.resourceRef = subject.resourceRef;
  if (field) r.field = field;
  if (subject.file) r.file = subject.file;
  return r;
}

export function hasError(results: readonly Result[]): boolean {
  return results.some((r) => r.severity === "error");
}

/** kpt treats exit 0 as success whatever the results say, so errors must also set the exit code. */
export function exitCode(results: readonly Result[]): 0 | 1 {
  return hasError(results) ? 1 : 0;
}

/** One line per result, for humans reading stderr (plain-file mode, kustomize plugin mode). */
export function formatResult(r: Result): string {
  const where: string[] = [];
  if (r.resourceRef) {
    const ns = r.resourceRef.namespace ? `${r.resourceRef.namespace}/` : "";
    where.push(`${r.resourceRef.kind} ${ns}${r.resourceRef.name}`);
  }
  if (r.field) where.push(r.field.path);
  if (r.file) where.push(r.file.path);
  return oneLine(`[${r.severity}] ${r.message}${where.length ? ` (${where.join(", ")})` : ""}`);
}

/** A message as one stderr line: a user's line break or control character is shown escaped. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1).replace(/^[\u007f-\u009f\u2028\u2029]$/, (x) => `\\u${x.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** Every result on its own line, for stderr. */
export function formatResults(results: readonly Result[]): string {
  return results.map((r) => `${formatResult(r)}\n`).join("");
}
