import { parse, stringify } from "yaml";

interface Kubeconfig {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  contexts?: { name: string; context: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  "current-context"?: string;
  [k: string]: unknown;
}

/** `https://host:port`, with brackets around an IPv6 address. */
export function apiUrl(endpoint: string, port: number): string {
  return `https://${endpoint.includes(":") ? `[${endpoint}]` : endpoint}:${port}`;
}

/**
 * The first server's admin kubeconfig (server `https://127.0.0.1:6443`, names `default`) made usable
 * from outside: every cluster's server becomes the API endpoint, and cluster, user and context take
 * the cluster's name. Credentials are kept as they are.
 */
export function rewriteKubeconfig(text: string, server: string, clusterName: string): string {
  let doc: Kubeconfig;
  try {
    doc = parse(text) as Kubeconfig;
  } catch {
    throw new Error("the kubeconfig read from the first server is not valid YAML");
  }
  if (!doc || !Array.isArray(doc.clusters) || doc.clusters.length === 0)
    throw new Error("the kubeconfig read from the first server has no cluster entry");
  const clusterNames = new Map(doc.clusters.map((c) => [c.name, clusterName]));
  const userNames = new Map((doc.users ?? []).map((u) => [u.name, clusterName]));
  return stringify(
    {
      ...doc,
      clusters: doc.clusters.map((c) => ({ name: clusterName, cluster: { ...c.cluster, server } })),
      users: (doc.users ?? []).map((u) => ({ ...u, name: clusterName })),
      contexts: (doc.contexts ?? []).map((x) => ({
        name: clusterName,
        context: {
          ...x.context,
          cluster: clusterNames.get(String(x.context.cluster)) ?? clusterName,
          user: userNames.get(String(x.context.user)) ?? clusterName,
        },
      })),
      "current-context": clusterName,
    },
    { lineWidth: 0 },
  );
}
