/**
 * A small client for the test cluster's kube-apiserver: server-side dry-run creates over one
 * keep-alive HTTPS agent (several requests in flight), with the address, CA and token taken from
 * test/cluster/.state/kubeconfig. No kubectl process per object: hundreds of objects take seconds.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { parse } from "yaml";

type Plain = Record<string, unknown>;

export const KUBECONFIG = join(__dirname, "..", ".state", "kubeconfig");

/** What the server said about one object. */
export interface Answer {
  /** HTTP status: 200/201 accepted; 4xx rejected (422 invalid, 400 bad request, 404 no such resource, ...). */
  status: number;
  accepted: boolean;
  /** The Status message of a rejection. */
  message?: string;
  /** Each cause of a rejection: "field: message" as the server lists them. */
  causes?: string[];
  /** Warning headers (deprecations, and unknown fields when validation is not strict). */
  warnings: string[];
  /** The object as the server would store it (defaults applied), when accepted. */
  object?: Plain;
}

interface Resource {
  plural: string;
  namespaced: boolean;
}

export class ApiServer {
  readonly server: string;
  private readonly agent: Agent;
  private readonly token: string;
  private readonly discovery = new Map<string, Promise<Map<string, Resource>>>();

  /** From a kubeconfig with one cluster (server, certificate-authority-data) and one token user. */
  constructor(kubeconfig = KUBECONFIG, server?: string) {
    const cfg = parse(readFileSync(kubeconfig, "utf8")) as {
      clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
      users: { user: { token: string } }[];
    };
    const cluster = cfg.clusters[0]!.cluster;
    this.server = server ?? cluster.server;
    this.token = cfg.users[0]!.user.token;
    this.agent = new Agent({ keepAlive: true, maxSockets: 8, ca: Buffer.from(cluster["certificate-authority-data"], "base64") });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One HTTP request; the parsed JSON body (or the text when it is not JSON). */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; warnings: string[] }> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(path, this.server);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: "application/json",
            ...(data ? { "Content-Type": "application/json", "Content-Length": data.length } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            const w = res.headers["warning"];
            const warnings = (Array.isArray(w) ? w : w ? [w] : []).map((x) => x.replace(/^299 - "(.*)"$/, "$1"));
            resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on("error", reject);
      if (data) req.write(data);
      req.end();
    });
  }

  /** kind → resource for one group/version, from the server's discovery. */
  private resources(apiVersion: string): Promise<Map<string, Resource>> {
    let found = this.discovery.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.call("GET", path).then(({ status, body }) => {
        const map = new Map<string, Resource>();
        if (status !== 200) return map;
        for (const r of (body as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources) {
          if (!r.name.includes("/")) map.set(r.kind, { plural: r.name, namespaced: r.namespaced });
        }
        return map;
      });
      this.discovery.set(apiVersion, found);
    }
    return found;
  }

  /** Whether the server serves this apiVersion/kind. */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resources(apiVersion)).has(kind);
  }

  /** The collection an object is created in. */
  private async collection(obj: Plain): Promise<string> {
    const apiVersion = String(obj["apiVersion"]);
    const kind = String(obj["kind"]);
    const r = (await this.resources(apiVersion)).get(kind);
    if (!r) throw new Error(`the API server serves no ${apiVersion} ${kind}`);
    const prefix = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = String((obj["metadata"] as Plain | undefined)?.["namespace"] ?? "default");
    return r.namespaced ? `${prefix}/namespaces/${encodeURIComponent(ns)}/${r.plural}` : `${prefix}/${r.plural}`;
  }

  /**
   * Create with `dryRun=All` (admission and validation run, nothing is stored) and
   * `fieldValidation=Strict` (an unknown or duplicated field is a rejection, not a warning).
   */
  async dryRunCreate(obj: Plain): Promise<Answer> {
    const path = `${await this.collection(obj)}?dryRun=All&fieldValidation=Strict`;
    const { status, body, warnings } = await this.call("POST", path, obj);
    const accepted = status === 200 || status === 201;
    if (accepted) return { status, accepted, warnings, object: body as Plain };
    const s = (typeof body === "object" && body !== null ? body : { message: String(body) }) as { message?: string; details?: { causes?: { field?: string; message?: string }[] } };
    const causes = s.details?.causes?.map((c) => (c.field ? `${c.field}: ${c.message ?? ""}` : (c.message ?? "")));
    return { status, accepted, warnings, ...(s.message !== undefined ? { message: s.message } : {}), ...(causes ? { causes } : {}) };
  }

  /** Create a namespace for real (dry-run creates in a namespace need it); one that exists is fine. */
  async ensureNamespace(name: string): Promise<void> {
    const { status, body } = await this.call("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    if (status !== 201 && status !== 200 && status !== 409) throw new Error(`creating namespace ${name}: HTTP ${status} ${JSON.stringify(body)}`);
  }

  /**
   * Create a CustomResourceDefinition for real (one that exists is fine) and wait until its kinds
   * are served. Discovery answers asked before then are forgotten.
   */
  async ensureCrd(crd: Plain): Promise<void> {
    const { status, body } = await this.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    if (status !== 201 && status !== 200 && status !== 409) throw new Error(`creating CRD: HTTP ${status} ${JSON.stringify(body).slice(0, 500)}`);
    const spec = crd["spec"] as { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
    const deadline = Date.now() + 60_000;
    for (const v of spec.versions.filter((x) => x.served)) {
      const apiVersion = `${spec.group}/${v.name}`;
      for (;;) {
        this.discovery.delete(apiVersion);
        if (await this.serves(apiVersion, spec.names.kind)) break;
        if (Date.now() > deadline) throw new Error(`the API server does not serve ${apiVersion} ${spec.names.kind} a minute after its CRD was created`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** GET /readyz is "ok". */
  async ready(): Promise<boolean> {
    try {
      const { status, body } = await this.call("GET", "/readyz");
      return status === 200 && body === "ok";
    } catch {
      return false;
    }
  }

  /** The server's gitVersion, e.g. "v1.34.4". */
  async version(): Promise<string> {
    const { body } = await this.call("GET", "/version");
    return String((body as { gitVersion?: string }).gitVersion);
  }
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Where `sent` holds something the server's answer does not: a field dropped (a server with a
 * feature gate off removes that feature's fields before validating, without a word) or changed.
 * Fields the server adds (defaults, uid, ...) do not count, nor null, [] or {} the server leaves out,
 * nor a 0, "" or false it replaces with a default (Go's zero value: the same as unset). Paths like "spec.initContainers[0].resizePolicy".
 */
export function lostFields(sent: unknown, got: unknown, path = ""): string[] {
  // null, [] and {} mean "not set" to the API (omitempty): nothing to lose.
  if (sent === null || (typeof sent === "object" && Object.keys(sent).length === 0 && got === undefined)) return [];
  if (Array.isArray(sent)) {
    if (!Array.isArray(got)) return [path];
    return sent.flatMap((x, i) => lostFields(x, got[i], `${path}[${i}]`));
  }
  if (typeof sent === "object" && sent !== null) {
    if (typeof got !== "object" || got === null || Array.isArray(got)) return [path];
    return Object.entries(sent).flatMap(([k, v]) => lostFields(v, (got as Plain)[k], path ? `${path}.${k}` : k));
  }
  // 0, "" and false are what an unset non-pointer field reads as: the server defaulting one is no loss.
  if (sent === got || ((sent === 0 || sent === "" || sent === false) && got !== undefined)) return [];
  return [`${path} (sent ${JSON.stringify(sent)}, stored ${JSON.stringify(got)})`];
}
