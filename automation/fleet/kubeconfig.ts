/**
 * Loads a stack's kubeconfig output into `@kubernetes/client-node`'s KubeConfig (contexts, exec
 * plugins, OIDC, client certificates, tokens, `tls-server-name`, `proxy-url`), after checking the
 * few things that would otherwise fail later with an obscure message. The library is imported
 * lazily: render and lint never load it.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { parseErrorSummary } from "../../components/parseError";

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

type Named<T> = { name?: string } & T;
interface RawKubeconfig {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Check the kubeconfig text and select the context (given, or current-context). */
function checked(text: string, context?: string): { raw: RawKubeconfig; context: string } {
  let raw: RawKubeconfig;
  try {
    raw = (parse(text) ?? {}) as RawKubeconfig;
  } catch (e) {
    throw new KubeconfigError(`the kubeconfig is not valid YAML: ${parseErrorSummary(e, "YAML")}`);
  }
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new KubeconfigError("the kubeconfig is not a YAML mapping");
  const name = context ?? raw["current-context"];
  if (!name)
    throw new KubeconfigError(
      "the kubeconfig has no current-context: set platform:cluster.context in the stack file, or current-context in the kubeconfig",
    );
  const ctx = raw.contexts?.find((c) => c.name === name)?.context;
  if (!ctx)
    throw new KubeconfigError(
      `context "${name}" is not in the kubeconfig (it has: ${(raw.contexts ?? []).map((c) => c.name).join(", ") || "none"})`,
    );
  const cluster = raw.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster)
    throw new KubeconfigError(
      `context "${name}" names cluster "${ctx.cluster ?? ""}", which the kubeconfig lacks`,
    );
  if (!str(cluster.server)) throw new KubeconfigError(`cluster "${ctx.cluster}" has no server URL`);
  const user = raw.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const hasCert = Boolean(str(user["client-certificate-data"]) ?? str(user["client-certificate"]));
  const hasKey = Boolean(str(user["client-key-data"]) ?? str(user["client-key"]));
  if (hasCert !== hasKey)
    throw new KubeconfigError(
      `user "${ctx.user}" has a client certificate without its key, or a key without its certificate`,
    );
  const exec = user.exec as Record<string, unknown> | undefined;
  if (exec && !str(exec.command)) throw new KubeconfigError(`user "${ctx.user}": exec has no command`);
  return { raw, context: name };
}

/**
 * A KubeConfig set to the context. kubectl spells a token file `tokenFile`; the library reads
 * `token-file`, so the kubectl spelling is passed on under the library's name.
 */
export async function loadKubeconfig(text: string, context?: string): Promise<KubeConfig> {
  const { raw, context: name } = checked(text, context);
  for (const u of raw.users ?? [])
    if (u.user && str(u.user.tokenFile) && !u.user["token-file"]) u.user["token-file"] = u.user.tokenFile;
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(raw));
  } catch (e) {
    throw new KubeconfigError(`the kubeconfig is invalid: ${(e as Error).message}`);
  }
  kc.setCurrentContext(name);
  return kc;
}
