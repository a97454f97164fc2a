/**
 * Just enough of a kubeconfig to reach the API server: pick the context, then the server, its CA
 * and the user's credentials (client certificate, bearer token, or an exec plugin such as
 * `aws eks get-token`). Pure parsing here; the HTTP client is in kube.ts.
 */
import { parse } from "yaml";

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

/** An exec credential plugin (client.authentication.k8s.io). */
export interface ExecPlugin {
  apiVersion: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Where a PEM comes from: inline (base64-decoded) or a file to read. */
export type PemSource = { data: string } | { file: string };

export interface ClusterAccess {
  context: string;
  server: string;
  ca?: PemSource;
  insecureSkipTlsVerify: boolean;
  /** TLS server name override (`tls-server-name`). */
  tlsServerName?: string;
  clientCert?: PemSource;
  clientKey?: PemSource;
  token?: string;
  tokenFile?: string;
  exec?: ExecPlugin;
}

type Named<T> = { name?: string } & T;
interface Kubeconfig {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function pem(obj: Record<string, unknown>, dataKey: string, fileKey: string): PemSource | undefined {
  const data = str(obj[dataKey]);
  if (data) return { data: Buffer.from(data, "base64").toString("utf8") };
  const file = str(obj[fileKey]);
  return file ? { file } : undefined;
}

/** Resolve the context (given, or current-context) of a kubeconfig to what a client needs. */
export function resolveKubeconfig(text: string, context?: string): ClusterAccess {
  let kc: Kubeconfig;
  try {
    kc = (parse(text) ?? {}) as Kubeconfig;
  } catch (e) {
    throw new KubeconfigError(`the kubeconfig is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof kc !== "object" || Array.isArray(kc))
    throw new KubeconfigError("the kubeconfig is not a YAML mapping");
  const name = context ?? kc["current-context"];
  if (!name)
    throw new KubeconfigError(
      "the kubeconfig has no current-context: set platform:cluster.context in the stack file, or current-context in the kubeconfig",
    );
  const ctx = kc.contexts?.find((c) => c.name === name)?.context;
  if (!ctx)
    throw new KubeconfigError(
      `context "${name}" is not in the kubeconfig (it has: ${(kc.contexts ?? []).map((c) => c.name).join(", ") || "none"})`,
    );
  const cluster = kc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster)
    throw new KubeconfigError(
      `context "${name}" names cluster "${ctx.cluster ?? ""}", which the kubeconfig lacks`,
    );
  const server = str(cluster.server);
  if (!server) throw new KubeconfigError(`cluster "${ctx.cluster}" has no server URL`);
  const user = (ctx.user !== undefined ? kc.users?.find((u) => u.name === ctx.user)?.user : undefined) ?? {};
  const exec = user.exec as Record<string, unknown> | undefined;
  const access: ClusterAccess = {
    context: name,
    server: server.replace(/\/+$/, ""),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
  };
  const ca = pem(cluster, "certificate-authority-data", "certificate-authority");
  if (ca) access.ca = ca;
  const tlsServerName = str(cluster["tls-server-name"]);
  if (tlsServerName) access.tlsServerName = tlsServerName;
  const cert = pem(user, "client-certificate-data", "client-certificate");
  const key = pem(user, "client-key-data", "client-key");
  if (cert) access.clientCert = cert;
  if (key) access.clientKey = key;
  if (Boolean(cert) !== Boolean(key))
    throw new KubeconfigError(
      `user "${ctx.user}" has a client certificate without its key, or a key without its certificate`,
    );
  const token = str(user.token);
  if (token) access.token = token;
  const tokenFile = str(user.tokenFile);
  if (tokenFile) access.tokenFile = tokenFile;
  if (exec) {
    const command = str(exec.command);
    if (!command) throw new KubeconfigError(`user "${ctx.user}": exec has no command`);
    access.exec = {
      apiVersion: str(exec.apiVersion) ?? "client.authentication.k8s.io/v1beta1",
      command,
      args: Array.isArray(exec.args) ? exec.args.map(String) : [],
      env: Object.fromEntries(
        (Array.isArray(exec.env) ? (exec.env as { name?: unknown; value?: unknown }[]) : []).map((e) => [
          String(e.name),
          String(e.value ?? ""),
        ]),
      ),
    };
  }
  if (user["auth-provider"] !== undefined)
    throw new KubeconfigError(
      `user "${ctx.user}" uses auth-provider, which kubectl itself removed: switch to an exec plugin (e.g. kubelogin, aws eks get-token)`,
    );
  return access;
}

/** The credential an exec plugin printed (an ExecCredential's status). */
export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/** Parse the ExecCredential JSON an exec plugin prints on stdout. */
export function parseExecCredential(stdout: string, command: string): ExecCredential {
  let parsed: { status?: ExecCredential };
  try {
    parsed = JSON.parse(stdout) as { status?: ExecCredential };
  } catch {
    throw new KubeconfigError(`exec plugin ${command} did not print an ExecCredential (JSON) on stdout`);
  }
  const s = parsed.status ?? {};
  if (!s.token && !(s.clientCertificateData && s.clientKeyData))
    throw new KubeconfigError(
      `exec plugin ${command} returned neither a token nor a client certificate and key`,
    );
  return s;
}
