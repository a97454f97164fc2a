/**
 * The fleet driver's read access to a cluster, through `@kubernetes/client-node` (loaded lazily by
 * kubeconfig.ts), and the Flux reader built on it: the root Kustomization `flux-system/flux-system`
 * and its source.
 */
import { STATUS_CODES } from "node:http";
import type { ConfigurationOptions, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
type ClientNode = typeof import("@kubernetes/client-node");
import { fluxRootStatusFrom, KUSTOMIZATIONS, readFluxDetails, type FluxObject } from "./fluxObjects";
import { loadKubeconfig } from "./kubeconfig";
import type { FluxDetails, FluxObjectRef, FluxReader, FluxRootStatus, FluxTarget } from "./types";

/** Namespace and name of the root Kustomization the program creates. */
export const FLUX_ROOT = { namespace: "flux-system", name: "flux-system" };

/** The annotation that asks a Flux object to reconcile now; the controller echoes it in status.lastHandledReconcileAt. */
export const RECONCILE_REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

/** Group, version and plural of the source kinds a root Kustomization may reference. */
export const SOURCE_KINDS: Record<string, { group: string; version: string; plural: string }> = {
  GitRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories" },
  OCIRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "ocirepositories" },
  Bucket: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets" },
};

/** Network errors worth naming as "cannot reach" (the cause of a failed fetch). */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

function causeChain(e: unknown): (Error & { code?: string })[] {
  const out: (Error & { code?: string })[] = [];
  // Duck-typed: errors from undici may come from another realm (instanceof Error fails there).
  for (let c = e; c && typeof (c as Error).message === "string" && out.length < 5; c = (c as Error).cause)
    out.push(c as Error & { code?: string });
  return out;
}

/** Reads namespaced custom objects; undefined on 404. Errors carry the object, the server and the cause, one line. */
export class KubeClient {
  readonly #api: CustomObjectsApi;
  readonly #lib: ClientNode;
  private constructor(
    lib: ClientNode,
    readonly config: KubeConfig,
    private readonly timeoutMs: number,
  ) {
    this.#lib = lib;
    this.#api = config.makeApiClient(lib.CustomObjectsApi);
  }

  /** Load the kubeconfig (context given, or its current-context); requests give up after timeoutMs. */
  static async fromKubeconfig(text: string, context?: string, timeoutMs = 15_000): Promise<KubeClient> {
    const config = await loadKubeconfig(text, context);
    return new KubeClient(await import("@kubernetes/client-node"), config, timeoutMs);
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? "?";
  }

  /** The object, or undefined when the API server answers 404 for the object (not for its API). */
  async getCustomObject<T>(
    kind: { group: string; version: string; plural: string },
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    return this.#call<T>("GET", kind, namespace, name, signal, (api, options) =>
      api.getNamespacedCustomObject({ ...kind, namespace, name }, options),
    );
  }

  /** Every object of a kind in all namespaces; undefined when the API is not served (its CRD absent). */
  async listCustomObjects<T>(
    kind: { group: string; version: string; plural: string },
    signal: AbortSignal,
  ): Promise<T[] | undefined> {
    const list = await this.#call<{ items?: T[] }>("LIST", kind, "", "", signal, (api, options) =>
      api.listClusterCustomObject(kind, options),
    );
    return list && (list.items ?? []);
  }

  /** A JSON merge patch of the object, as field manager `platform-fleet`. */
  async mergePatchCustomObject(
    kind: { group: string; version: string; plural: string },
    namespace: string,
    name: string,
    patch: object,
    signal: AbortSignal,
  ): Promise<void> {
    const found = await this.#call("PATCH", kind, namespace, name, signal, (api, options) =>
      api.patchNamespacedCustomObject(
        { ...kind, namespace, name, body: patch, fieldManager: "platform-fleet" },
        options,
      ),
    );
    if (found === undefined)
      throw new Error(
        `PATCH ${kind.plural}.${kind.group} ${namespace}/${name} on ${this.server}: HTTP 404: not found`,
      );
  }

  async #call<T>(
    method: string,
    kind: { group: string; version: string; plural: string },
    namespace: string,
    name: string,
    signal: AbortSignal,
    send: (api: CustomObjectsApi, options: ConfigurationOptions) => Promise<unknown>,
  ): Promise<T | undefined> {
    const what = `${kind.plural}.${kind.group} ${name ? `${namespace}/${name}` : "in all namespaces"} on ${this.server}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    try {
      const request = send(this.#api, {
        middleware: [
          {
            pre: (ctx) => {
              ctx.setSignal(both);
              if (method === "PATCH") ctx.setHeaderParam("Content-Type", "application/merge-patch+json");
              return new this.#lib.Observable(Promise.resolve(ctx));
            },
            post: (ctx) => new this.#lib.Observable(Promise.resolve(ctx)),
          },
        ],
        middlewareMergeStrategy: "append",
      });
      // The signal reaches the HTTP request; an exec credential plugin runs before it, and a plugin
      // that hangs (waiting for a browser login, say) is given up on here.
      let onAbort = () => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(both.reason);
        both.addEventListener("abort", onAbort, { once: true });
      });
      try {
        return (await Promise.race([request, aborted])) as T;
      } finally {
        both.removeEventListener("abort", onAbort);
        request.catch(() => undefined);
      }
    } catch (e) {
      if (timeout.aborted)
        throw new Error(`${method} ${what}: no answer in ${this.timeoutMs} ms`, { cause: e });
      if (e instanceof this.#lib.ApiException) {
        const code = e.code;
        const status = apiStatus(e.body);
        // Only the object's own 404 means "not there yet": a 404 for the API itself (Flux's CRDs not
        // installed, a wrong version) is reported with the server's message like any other error.
        // A list's 404 is its API not served (a text body, from kube-apiserver): none of that kind.
        if (code === 404 && (name === "" || (status.reason === "NotFound" && status.details?.name === name)))
          return undefined;
        // The library drops the body of a 401: the status text says it.
        const text = status.message || STATUS_CODES[code] || "";
        const hint =
          code === 404
            ? ` (the API ${kind.group}/${kind.version} ${kind.plural} is not served: are Flux's CRDs installed?)`
            : "";
        throw new Error(
          `${method} ${what}: HTTP ${code}${status.reason ? ` ${status.reason}` : ""}: ${text.slice(0, 300)}${hint}`,
          {
            cause: e,
          },
        );
      }
      const chain = causeChain(e);
      const net = chain.find((c) => c.code && UNREACHABLE.has(c.code));
      if (net)
        throw new Error(`cannot reach the API server ${this.server}: ${net.code} (${net.message})`, {
          cause: e,
        });
      const reason = chain.at(-1)?.message.trim() || String(e);
      throw new Error(`${method} ${what}: ${reason}`, { cause: e });
    }
  }
}

/** The fields of a Kubernetes `Status` body the errors use; the body may be parsed or text. */
export function apiStatus(body: unknown): { message?: string; reason?: string; details?: { name?: string } } {
  let value = body;
  if (typeof body === "string")
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim() } : {};
    }
  if (!value || typeof value !== "object") return {};
  const v = value as { message?: unknown; reason?: unknown; details?: { name?: unknown } };
  return {
    ...(typeof v.message === "string" && v.message ? { message: v.message } : {}),
    ...(typeof v.reason === "string" && v.reason ? { reason: v.reason } : {}),
    ...(v.details && typeof v.details.name === "string" ? { details: { name: v.details.name } } : {}),
  };
}

export { fluxRootStatusFrom } from "./fluxObjects";

/** Reads Flux through each stack's kubeconfig output; each request gives up after `requestTimeoutMs`. */
export class ClusterFluxReader implements FluxReader {
  readonly #clients = new Map<string, Promise<KubeClient>>();
  constructor(private readonly requestTimeoutMs = 15_000) {}

  #client(target: FluxTarget): Promise<KubeClient> {
    const key = `${target.stack}\u0000${target.context ?? ""}`;
    let pending = this.#clients.get(key);
    if (!pending) {
      pending = KubeClient.fromKubeconfig(target.kubeconfig, target.context, this.requestTimeoutMs);
      // A kubeconfig that failed to load is loaded again on the next read.
      pending.catch(() => this.#clients.delete(key));
      this.#clients.set(key, pending);
    }
    return pending;
  }

  async requestReconcile(
    target: FluxTarget,
    object: FluxObjectRef,
    token: string,
    signal: AbortSignal,
  ): Promise<void> {
    const kind = SOURCE_KINDS[object.kind];
    if (!kind) throw new Error(`cannot ask a ${object.kind} to reconcile (not a known source kind)`);
    const client = await this.#client(target);
    await client.mergePatchCustomObject(
      kind,
      object.namespace,
      object.name,
      { metadata: { annotations: { [RECONCILE_REQUESTED_AT]: token } } },
      signal,
    );
  }

  async readDetails(target: FluxTarget, signal: AbortSignal): Promise<FluxDetails> {
    return readFluxDetails(await this.#client(target), signal);
  }

  async read(target: FluxTarget, signal: AbortSignal): Promise<FluxRootStatus> {
    const client = await this.#client(target);
    const ks = await client.getCustomObject<FluxObject>(
      KUSTOMIZATIONS,
      FLUX_ROOT.namespace,
      FLUX_ROOT.name,
      signal,
    );
    const ref = ks?.spec?.sourceRef;
    const kind = ref?.kind ?? "GitRepository";
    const sourceKind = SOURCE_KINDS[kind];
    const source =
      ks && ref?.name && sourceKind
        ? await client.getCustomObject<FluxObject>(
            sourceKind,
            ref.namespace ?? FLUX_ROOT.namespace,
            ref.name,
            signal,
          )
        : undefined;
    return fluxRootStatusFrom(ks, source, kind);
  }
}
