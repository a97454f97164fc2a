/**
 * The fleet driver's read access to a cluster, through `@kubernetes/client-node` (loaded lazily by
 * kubeconfig.ts), and the Flux reader built on it: the root Kustomization `flux-system/flux-system`
 * and its source.
 */
import { STATUS_CODES } from "node:http";
import type { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
type ClientNode = typeof import("@kubernetes/client-node");
import { loadKubeconfig } from "./kubeconfig";
import type { Condition, FluxReader, FluxRootStatus, FluxTarget } from "./types";

/** Namespace and name of the root Kustomization the program creates. */
export const FLUX_ROOT = { namespace: "flux-system", name: "flux-system" };

/** Group, version and plural of the source kinds a root Kustomization may reference. */
export const SOURCE_KINDS: Record<string, { group: string; version: string; plural: string }> = {
  GitRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories" },
  OCIRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "ocirepositories" },
  Bucket: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets" },
};
const KUSTOMIZATION = { group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" };

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

  async getCustomObject<T>(
    kind: { group: string; version: string; plural: string },
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const what = `${kind.plural}.${kind.group} ${namespace}/${name} on ${this.server}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    try {
      const request = this.#api.getNamespacedCustomObject(
        { ...kind, namespace, name },
        {
          middleware: [
            {
              pre: (ctx) => (ctx.setSignal(both), new this.#lib.Observable(Promise.resolve(ctx))),
              post: (ctx) => new this.#lib.Observable(Promise.resolve(ctx)),
            },
          ],
          middlewareMergeStrategy: "append",
        },
      );
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
      if (timeout.aborted) throw new Error(`GET ${what}: no answer in ${this.timeoutMs} ms`, { cause: e });
      if (e instanceof this.#lib.ApiException) {
        const code = e.code;
        if (code === 404) return undefined;
        const body: unknown = e.body;
        const message = (() => {
          if (body && typeof body === "object") return String((body as { message?: unknown }).message ?? "");
          try {
            return (JSON.parse(String(body)) as { message?: string }).message ?? String(body);
          } catch {
            return String(body ?? "");
          }
        })();
        // The library drops the body of a 401: the status text says it.
        const text = message || STATUS_CODES[code] || "";
        throw new Error(`GET ${what}: HTTP ${code}: ${text.slice(0, 300)}`, { cause: e });
      }
      const chain = causeChain(e);
      const net = chain.find((c) => c.code && UNREACHABLE.has(c.code));
      if (net)
        throw new Error(`cannot reach the API server ${this.server}: ${net.code} (${net.message})`, {
          cause: e,
        });
      const reason = chain.at(-1)?.message.trim() || String(e);
      throw new Error(`GET ${what}: ${reason}`, { cause: e });
    }
  }
}

interface FluxObject {
  metadata?: { generation?: number };
  spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    artifact?: { revision?: string };
  };
}

/** The gate's view of the root Kustomization and its source objects as the API returns them. */
export function fluxRootStatusFrom(
  ks: FluxObject | undefined,
  source: FluxObject | undefined,
  sourceKind: string,
): FluxRootStatus {
  const ready = (o: FluxObject) => o.status?.conditions?.find((c) => c.type === "Ready");
  const out: FluxRootStatus = {};
  if (ks)
    out.kustomization = {
      generation: ks.metadata?.generation,
      observedGeneration: ks.status?.observedGeneration,
      ready: ready(ks),
      lastAppliedRevision: ks.status?.lastAppliedRevision,
      lastAttemptedRevision: ks.status?.lastAttemptedRevision,
    };
  if (source)
    out.source = {
      kind: sourceKind,
      generation: source.metadata?.generation,
      observedGeneration: source.status?.observedGeneration,
      ready: ready(source),
      artifactRevision: source.status?.artifact?.revision,
    };
  return out;
}

/** Reads Flux through each stack's kubeconfig output. */
export class ClusterFluxReader implements FluxReader {
  readonly #clients = new Map<string, Promise<KubeClient>>();

  async read(target: FluxTarget, signal: AbortSignal): Promise<FluxRootStatus> {
    const key = `${target.stack}\u0000${target.context ?? ""}`;
    let pending = this.#clients.get(key);
    if (!pending) {
      pending = KubeClient.fromKubeconfig(target.kubeconfig, target.context);
      // A kubeconfig that failed to load is loaded again on the next read.
      pending.catch(() => this.#clients.delete(key));
      this.#clients.set(key, pending);
    }
    const client = await pending;
    const ks = await client.getCustomObject<FluxObject>(
      KUSTOMIZATION,
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
