/**
 * A minimal Kubernetes read client over node:https (GET only), and the Flux reader built on it:
 * the root Kustomization `flux-system/flux-system` and its source. No client library: the fleet
 * driver reads two objects per stack.
 */
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import { resolveUserPath } from "../../program/environment";
import { parseExecCredential, resolveKubeconfig, type ClusterAccess, type PemSource } from "./kubeconfig";
import type { Condition, FluxReader, FluxRootStatus, FluxTarget } from "./types";

/** Namespace and name of the root Kustomization the program creates. */
export const FLUX_ROOT = { namespace: "flux-system", name: "flux-system" };

/** API paths of the source kinds a root Kustomization may reference. */
export const SOURCE_PATHS: Record<string, string> = {
  GitRepository: "/apis/source.toolkit.fluxcd.io/v1/namespaces/{ns}/gitrepositories/{name}",
  OCIRepository: "/apis/source.toolkit.fluxcd.io/v1/namespaces/{ns}/ocirepositories/{name}",
  Bucket: "/apis/source.toolkit.fluxcd.io/v1/namespaces/{ns}/buckets/{name}",
};
const KUSTOMIZATION_PATH = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{ns}/kustomizations/{name}";

const fill = (p: string, ns: string, name: string) =>
  p.replace("{ns}", encodeURIComponent(ns)).replace("{name}", encodeURIComponent(name));

async function readPem(src: PemSource | undefined): Promise<string | undefined> {
  if (!src) return undefined;
  return "data" in src ? src.data : fs.readFile(resolveUserPath(src.file), "utf8");
}

function runExec(access: ClusterAccess, signal: AbortSignal): Promise<string> {
  const ex = access.exec!;
  const info = JSON.stringify({
    apiVersion: ex.apiVersion,
    kind: "ExecCredential",
    spec: { interactive: false },
  });
  return new Promise((resolve, reject) => {
    execFile(
      ex.command,
      ex.args,
      { env: { ...process.env, ...ex.env, KUBERNETES_EXEC_INFO: info }, signal, timeout: 60_000 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`exec plugin ${ex.command} failed: ${(stderr || err.message).trim()}`))
          : resolve(stdout),
    );
  });
}

interface Credential {
  headers: Record<string, string>;
  cert?: string;
  key?: string;
  /** Exec credentials expire (EKS tokens after 15 min): fetched again after this time (ms). */
  expires?: number;
}

/** GET JSON from an API server; resolves undefined on 404. Exec credentials are fetched again when expired. */
export class KubeClient {
  #credential?: Promise<Credential>;
  constructor(
    readonly access: ClusterAccess,
    private readonly timeoutMs = 15_000,
  ) {}

  static fromKubeconfig(text: string, context?: string): KubeClient {
    return new KubeClient(resolveKubeconfig(text, context));
  }

  private async credential(signal: AbortSignal): Promise<Credential> {
    const cached = await this.#credential?.catch(() => undefined);
    if (cached && (cached.expires === undefined || cached.expires > Date.now())) return cached;
    this.#credential = (async (): Promise<Credential> => {
      const a = this.access;
      if (a.exec) {
        const c = parseExecCredential(await runExec(a, signal), a.exec.command);
        return {
          headers: c.token ? { authorization: `Bearer ${c.token}` } : {},
          cert: c.clientCertificateData,
          key: c.clientKeyData,
          expires: c.expirationTimestamp ? Date.parse(c.expirationTimestamp) - 30_000 : undefined,
        };
      }
      const token =
        a.token ??
        (a.tokenFile ? (await fs.readFile(resolveUserPath(a.tokenFile), "utf8")).trim() : undefined);
      return {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        cert: await readPem(a.clientCert),
        key: await readPem(a.clientKey),
      };
    })();
    return this.#credential;
  }

  async get<T>(path: string, signal: AbortSignal): Promise<T | undefined> {
    const cred = await this.credential(signal);
    const url = new URL(this.access.server + path);
    const ca = await readPem(this.access.ca);
    const lib = url.protocol === "http:" ? http : https;
    return new Promise<T | undefined>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method: "GET",
          // One connection per request: the gate polls every few seconds, and no idle socket keeps the CLI alive.
          agent: false,
          headers: { accept: "application/json", ...cred.headers },
          signal,
          timeout: this.timeoutMs,
          ...(url.protocol === "https:"
            ? {
                ca,
                cert: cred.cert,
                key: cred.key,
                rejectUnauthorized: !this.access.insecureSkipTlsVerify,
                ...(this.access.tlsServerName ? { servername: this.access.tlsServerName } : {}),
              }
            : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode === 404) return resolve(undefined);
            if (res.statusCode !== 200) {
              const msg = (() => {
                try {
                  return (JSON.parse(body) as { message?: string }).message ?? body;
                } catch {
                  return body;
                }
              })();
              return reject(
                new Error(
                  `GET ${path} on ${this.access.server}: HTTP ${res.statusCode}: ${msg.slice(0, 300)}`,
                ),
              );
            }
            try {
              resolve(JSON.parse(body) as T);
            } catch {
              reject(new Error(`GET ${path} on ${this.access.server}: the answer is not JSON`));
            }
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`GET ${path} on ${this.access.server}: no answer in ${this.timeoutMs} ms`)),
      );
      req.on("error", reject);
      req.end();
    });
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
  readonly #clients = new Map<string, KubeClient>();

  async read(target: FluxTarget, signal: AbortSignal): Promise<FluxRootStatus> {
    const key = `${target.stack}\u0000${target.context ?? ""}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = KubeClient.fromKubeconfig(target.kubeconfig, target.context);
      this.#clients.set(key, client);
    }
    const ks = await client.get<FluxObject>(
      fill(KUSTOMIZATION_PATH, FLUX_ROOT.namespace, FLUX_ROOT.name),
      signal,
    );
    const ref = ks?.spec?.sourceRef;
    const kind = ref?.kind ?? "GitRepository";
    const path = SOURCE_PATHS[kind];
    const source =
      ks && ref?.name && path
        ? await client.get<FluxObject>(fill(path, ref.namespace ?? FLUX_ROOT.namespace, ref.name), signal)
        : undefined;
    return fluxRootStatusFrom(ks, source, kind);
  }
}
