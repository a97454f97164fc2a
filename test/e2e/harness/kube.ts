// A minimal Kubernetes REST client (client-certificate auth) for the harness and the scenario:
// server-side apply, get, list, delete and condition waits. No dependency beyond node:https.
import * as fs from "node:fs";
import * as https from "node:https";
import { waitFor } from "./util";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The API server's own answer to a failed request: `HTTP 403 Forbidden: <its message>` from a
 * Kubernetes Status body, else the status code and the start of the body as it came.
 */
export function serverSays(res: { status: number; body: unknown; text: string }): string {
  const b = res.body as { message?: unknown; reason?: unknown } | undefined;
  const reason = b && typeof b === "object" && typeof b.reason === "string" ? ` ${b.reason}` : "";
  const message =
    b && typeof b === "object" && typeof b.message === "string" ? b.message : res.text.trim().slice(0, 500);
  return `HTTP ${res.status}${reason}${message ? `: ${message}` : ""}`;
}

/** Plural resource names of the kinds the tests touch; others fall back to lower-case + "s". */
const PLURALS: Record<string, string> = {
  Namespace: "namespaces",
  ConfigMap: "configmaps",
  Secret: "secrets",
  ServiceAccount: "serviceaccounts",
  Service: "services",
  Deployment: "deployments",
  CustomResourceDefinition: "customresourcedefinitions",
  GitRepository: "gitrepositories",
  OCIRepository: "ocirepositories",
  HelmRepository: "helmrepositories",
  Kustomization: "kustomizations",
  HelmRelease: "helmreleases",
  NetworkPolicy: "networkpolicies",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
  Role: "roles",
  RoleBinding: "rolebindings",
};
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
]);

export function resourcePath(apiVersion: string, kind: string, namespace?: string, name?: string): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const plural = PLURALS[kind] ?? `${kind.toLowerCase()}s`;
  const ns = CLUSTER_SCOPED.has(kind) || !namespace ? "" : `/namespaces/${namespace}`;
  return `${base}${ns}/${plural}${name ? `/${name}` : ""}`;
}

export class Kube {
  private readonly agent: https.Agent;

  constructor(
    readonly server: string,
    tls: { ca: string; cert: string; key: string },
  ) {
    this.agent = new https.Agent({
      keepAlive: true,
      ca: fs.readFileSync(tls.ca),
      cert: fs.readFileSync(tls.cert),
      key: fs.readFileSync(tls.key),
    });
  }

  close(): void {
    this.agent.destroy();
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<{ status: number; body: unknown; text: string }> {
    // 429 with Retry-After: the server did not process the request (a resource's watch cache still
    // (re)initializing just after its CRD is established, its priority and fairness queues full):
    // wait as it says and send it again, up to 10 times, as client-go does.
    for (let attempt = 1; ; attempt++) {
      const res = await this.onceOrReconnect(method, path, body, contentType);
      if (res.status !== 429 || res.retryAfter === undefined || attempt >= 10) return res;
      await new Promise((r) => setTimeout(r, Math.min(res.retryAfter!, 5) * 1000));
    }
  }

  private async onceOrReconnect(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
  ): Promise<{ status: number; body: unknown; text: string; retryAfter?: number }> {
    try {
      return await this.once(method, path, body, contentType);
    } catch (e) {
      // A kept-alive connection the server closed while idle: the request never reached it; once more.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EPIPE" && code !== "ECONNRESET") throw e;
      return this.once(method, path, body, contentType);
    }
  }

  private async once(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
  ): Promise<{ status: number; body: unknown; text: string; retryAfter?: number }> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: 30_000,
          headers: {
            accept: "application/json",
            ...(payload !== undefined
              ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON (e.g. /readyz) */
            }
            const after = Number(res.headers["retry-after"]);
            resolve({
              status: res.statusCode ?? 0,
              body: parsed,
              text,
              retryAfter: Number.isFinite(after) && after >= 0 ? after : undefined,
            });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const res = await this.request(method, path, body, contentType);
    if (res.status < 200 || res.status >= 300)
      throw new KubeError(res.status, `${method} ${path}: ${serverSays(res)}`);
    return res.body;
  }

  /** Server-side apply with field manager `platform-e2e` (force: the harness owns what it applies). */
  async apply(obj: KubeObject, fieldManager = "platform-e2e"): Promise<KubeObject> {
    const p = resourcePath(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return (await this.ok(
      "PATCH",
      `${p}?fieldManager=${fieldManager}&force=true`,
      obj,
      "application/apply-patch+yaml",
    )) as KubeObject;
  }

  /** JSON merge patch (e.g. annotations), as another field manager than the harness's applies. */
  async mergePatch(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    patch: unknown,
  ): Promise<KubeObject> {
    const p = resourcePath(apiVersion, kind, namespace, name);
    return (await this.ok(
      "PATCH",
      `${p}?fieldManager=platform-e2e-patch`,
      patch,
      "application/merge-patch+json",
    )) as KubeObject;
  }

  /** Asks a Flux object to reconcile now (annotation reconcile.fluxcd.io/requestedAt). */
  async requestReconcile(apiVersion: string, kind: string, name: string, namespace: string): Promise<void> {
    await this.mergePatch(apiVersion, kind, name, namespace, {
      metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } },
    });
  }

  /** The object, or undefined when it does not exist. */
  async get(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<KubeObject | undefined> {
    const res = await this.request("GET", resourcePath(apiVersion, kind, namespace, name));
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new KubeError(
        res.status,
        `GET ${kind} ${namespace ? `${namespace}/` : ""}${name}: ${serverSays(res)}`,
      );
    return res.body as KubeObject;
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    const body = (await this.ok("GET", `${resourcePath(apiVersion, kind, namespace)}${q}`)) as {
      items: KubeObject[];
    };
    return body.items;
  }

  /** Deletes; true when it existed. Background propagation so owners go first, like kubectl. */
  async delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean> {
    const res = await this.request("DELETE", resourcePath(apiVersion, kind, namespace, name), {
      propagationPolicy: "Background",
    });
    if (res.status === 404) return false;
    if (res.status < 200 || res.status >= 300)
      throw new KubeError(
        res.status,
        `DELETE ${kind} ${namespace ? `${namespace}/` : ""}${name}: ${serverSays(res)}`,
      );
    return true;
  }

  async waitGone(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    timeoutMs: number,
  ) {
    let last: KubeObject | undefined;
    await waitFor(
      `${kind} ${namespace ? `${namespace}/` : ""}${name} to be gone`,
      async () => {
        last = await this.get(apiVersion, kind, name, namespace);
        return last === undefined ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 500,
        lastReason: () => `still there; finalizers ${JSON.stringify(last?.metadata.finalizers ?? [])}`,
      },
    );
  }

  /**
   * Waits until the object's condition `type` is True for its current generation. Fails at once
   * when `failFast(cond)` says the condition reports a terminal failure.
   */
  async waitCondition(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    opts: { type?: string; timeoutMs: number; check?: () => void; accept?: (obj: KubeObject) => boolean },
  ): Promise<KubeObject> {
    const type = opts.type ?? "Ready";
    let last: KubeObject | undefined;
    return waitFor(
      `${kind} ${namespace ? `${namespace}/` : ""}${name} ${type}`,
      async () => {
        last = await this.get(apiVersion, kind, name, namespace);
        if (!last) return undefined;
        const cond = conditions(last).find((c) => c.type === type);
        const gen = (last.metadata as { generation?: number }).generation;
        const fresh =
          cond?.observedGeneration === undefined || gen === undefined || cond.observedGeneration === gen;
        if (cond?.status === "True" && fresh && (opts.accept?.(last) ?? true)) return last;
        return undefined;
      },
      {
        timeoutMs: opts.timeoutMs,
        intervalMs: 500,
        check: opts.check,
        lastReason: () =>
          last ? `conditions ${JSON.stringify(conditions(last))}` : "not found (the API server answered 404)",
      },
    );
  }
}

export function conditions(obj: KubeObject): Condition[] {
  return ((obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
}
