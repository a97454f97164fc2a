// Everything the API server serves, as a set of ids: every listable resource of every group and
// version it discovers (the preferred version of each group), cluster- and namespace-scoped, so
// that what a destroy leaves behind (or takes away) is a set difference, not a list of guesses.
import type { Kube } from "./kube";

/** Kinds that come and go on their own (records and heartbeats), not state a program owns. */
export const VOLATILE = new Set(["Event", "events.k8s.io/Event", "coordination.k8s.io/Lease"]);

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** `<group>/<kind> <namespace>/<name>` (no group for the core API) of every object. */
export async function snapshotCluster(kube: Kube): Promise<Set<string>> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await kube.request("GET", path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 200)}`);
    return res.body as T;
  };
  const versions: { group: string; path: string }[] = [{ group: "", path: "/api/v1" }];
  const groups = await get<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>(
    "/apis",
  );
  for (const g of groups.groups)
    versions.push({ group: g.name, path: `/apis/${g.preferredVersion.groupVersion}` });
  const ids = new Set<string>();
  for (const v of versions) {
    const { resources } = await get<{ resources: ApiResource[] }>(v.path);
    for (const r of resources) {
      if (r.name.includes("/") || !r.verbs.includes("list")) continue;
      const kind = v.group ? `${v.group}/${r.kind}` : r.kind;
      if (VOLATILE.has(kind)) continue;
      const res = await kube.request("GET", `${v.path}/${r.name}`);
      // A group whose CRD is being deleted may stop serving between discovery and the list.
      if (res.status === 404) continue;
      if (res.status !== 200)
        throw new Error(`GET ${v.path}/${r.name}: ${res.status} ${res.text.slice(0, 200)}`);
      for (const o of (res.body as { items: { metadata: { name: string; namespace?: string } }[] }).items)
        ids.add(`${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`);
    }
  }
  return ids;
}

/** What `after` has that `before` had not, and what it lost, sorted. */
export function snapshotDiff(
  before: Set<string>,
  after: Set<string>,
): { added: string[]; removed: string[] } {
  return {
    added: [...after].filter((x) => !before.has(x)).sort(),
    removed: [...before].filter((x) => !after.has(x)).sort(),
  };
}
