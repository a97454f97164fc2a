/**
 * The real MigrationClient: JSON over HTTPS to the API server of a kubeconfig, its credentials
 * applied by `@kubernetes/client-node` (client certificates, tokens, exec plugins). Requests carry
 * the user agent `platform-flux-migrate`, so the API server's audit log tells them apart.
 * Run inside the dynamic provider: every module is required in the function, not captured.
 */
import type { RequestOptions } from "node:https";
import type { CrdObject, MigrationClient, ResourceRef, StoredObject } from "./storedVersions";

/** The user agent of the migration's requests. */
export const MIGRATION_USER_AGENT = "platform-flux-migrate";

/** The path of a resource's objects (`namespace` undefined: all namespaces, or a cluster-scoped one). */
export function objectsPath(ref: ResourceRef, namespace?: string, name?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `/apis/${ref.group}/${ref.version}${ns}/${ref.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

/** A client on the kubeconfig's current context. */
export async function kubeMigrationClient(kubeconfig: string, timeoutMs = 30_000): Promise<MigrationClient> {
  // Plain require: a serialized function carries no module loader helper of its own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KubeConfig } = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig names no cluster server for its current context");
  const base: RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const url = new URL(server);
  const transport = (
    url.protocol === "http:"
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("node:http")
      : // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("node:https")
  ) as typeof import("node:https");

  const request = (method: string, path: string, body?: unknown, contentType = "application/json") =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const target = new URL(url.pathname.replace(/\/$/, "") + path, url);
      const req = transport.request(
        target,
        {
          ...base,
          method,
          timeout: timeoutMs,
          headers: {
            ...(base.headers ?? {}),
            accept: "application/json",
            "user-agent": MIGRATION_USER_AGENT,
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
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.on("error", (e) => reject(new Error(`${method} ${server}${path}: ${e.message}`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });

  /** The answer's body; an Error carrying `status` for anything but 2xx. */
  const ok = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const res = await request(method, path, body, contentType);
    if (res.status >= 200 && res.status < 300) return res.body;
    const b = res.body as { message?: unknown; reason?: unknown } | undefined;
    const message =
      b && typeof b === "object" && typeof b.message === "string"
        ? b.message
        : String(res.body ?? "").slice(0, 300);
    const why = b && typeof b === "object" && typeof b.reason === "string" ? ` ${b.reason}` : "";
    throw Object.assign(new Error(`${method} ${path}: HTTP ${res.status}${why}: ${message}`), {
      status: res.status,
    });
  };

  return {
    async listCrds() {
      const list = (await ok("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")) as {
        items?: CrdObject[];
      };
      return list.items ?? [];
    },
    async list(ref) {
      const list = (await ok("GET", objectsPath(ref))) as { items?: StoredObject[] };
      return list.items ?? [];
    },
    async get(ref, namespace, name) {
      try {
        return (await ok("GET", objectsPath(ref, namespace, name))) as StoredObject;
      } catch (e) {
        if ((e as { status?: number }).status === 404) return undefined;
        throw e;
      }
    },
    async replace(ref, obj) {
      await ok("PUT", objectsPath(ref, obj.metadata.namespace, obj.metadata.name), obj);
    },
    async setStoredVersions(crd, versions) {
      await ok(
        "PATCH",
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(crd)}/status`,
        { status: { storedVersions: versions } },
        "application/merge-patch+json",
      );
    },
  };
}
