/**
 * What the Flux objects the fleet driver reads mean, as the API returns them: the root
 * Kustomization and its source (for the gate), and every failing Kustomization and HelmRelease plus
 * the catalog's Slices (for the fleet page). Pure, except `readFluxDetails`, which lists through any
 * client that can list custom objects.
 */
import type {
  Condition,
  FailingObject,
  FluxDetails,
  FluxReader,
  FluxRootStatus,
  FluxSummary,
  FluxTarget,
} from "./types";

/** The fields of a Flux object the driver reads. */
export interface FluxObject {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    artifact?: { revision?: string; lastUpdateTime?: string; metadata?: Record<string, string> };
    lastHandledReconcileAt?: string;
  };
}

const readyOf = (o: FluxObject) => o.status?.conditions?.find((c) => c.type === "Ready");

/** The gate's view of the root Kustomization and its source objects as the API returns them. */
export function fluxRootStatusFrom(
  ks: FluxObject | undefined,
  source: FluxObject | undefined,
  sourceKind: string,
): FluxRootStatus {
  const out: FluxRootStatus = {};
  if (ks)
    out.kustomization = {
      generation: ks.metadata?.generation,
      observedGeneration: ks.status?.observedGeneration,
      ready: readyOf(ks),
      lastAppliedRevision: ks.status?.lastAppliedRevision,
      lastAttemptedRevision: ks.status?.lastAttemptedRevision,
    };
  if (source)
    out.source = {
      kind: sourceKind,
      name: source.metadata?.name,
      namespace: source.metadata?.namespace,
      generation: source.metadata?.generation,
      observedGeneration: source.status?.observedGeneration,
      ready: readyOf(source),
      artifactRevision: source.status?.artifact?.revision,
      artifactOriginRevision: source.status?.artifact?.metadata?.["org.opencontainers.image.revision"],
      artifactLastUpdateTime: source.status?.artifact?.lastUpdateTime,
      lastHandledReconcileAt: source.status?.lastHandledReconcileAt,
    };
  return out;
}

/** Failing objects kept per platform; the count says how many there were in all. */
export const MAX_FAILING = 20;
/** A message is cut to this many characters (a Kustomization's build error can be pages long). */
export const MAX_MESSAGE = 1000;

/** The objects whose Ready condition is False, by namespace and name, the first MAX_FAILING of them. */
export function failingFrom(
  kustomizations: readonly FluxObject[],
  helmReleases: readonly FluxObject[],
): { failing: FailingObject[]; failingTotal: number } {
  const all: FailingObject[] = [];
  for (const [kind, objects] of [
    ["Kustomization", kustomizations],
    ["HelmRelease", helmReleases],
  ] as const)
    for (const o of objects) {
      const ready = readyOf(o);
      if (ready?.status !== "False") continue;
      const message = ready.message?.trim();
      all.push({
        kind,
        namespace: o.metadata?.namespace ?? "",
        name: o.metadata?.name ?? "",
        ...(ready.reason ? { reason: ready.reason } : {}),
        ...(message
          ? { message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message }
          : {}),
        ...(ready.lastTransitionTime ? { since: ready.lastTransitionTime } : {}),
      });
    }
  all.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind),
  );
  return { failing: all.slice(0, MAX_FAILING), failingTotal: all.length };
}

type Kind = { group: string; version: string; plural: string };
export const KUSTOMIZATIONS: Kind = {
  group: "kustomize.toolkit.fluxcd.io",
  version: "v1",
  plural: "kustomizations",
};
export const HELM_RELEASES: Kind = { group: "helm.toolkit.fluxcd.io", version: "v2", plural: "helmreleases" };
/** The catalog's Slice (gitops/catalog/crds/slice.yaml). */
export const SLICES: Kind = { group: "catalog.platform.io", version: "v1alpha1", plural: "slices" };

/** Lists custom objects in all namespaces; undefined when the kind is not served. */
export interface ListsCustomObjects {
  listCustomObjects<T>(kind: Kind, signal: AbortSignal): Promise<T[] | undefined>;
}

/** List the Kustomizations, HelmReleases and Slices of a cluster (a kind it does not serve counts none). */
export async function readFluxDetails(client: ListsCustomObjects, signal: AbortSignal): Promise<FluxDetails> {
  const [ks, hr, slices] = await Promise.all([
    client.listCustomObjects<FluxObject>(KUSTOMIZATIONS, signal),
    client.listCustomObjects<FluxObject>(HELM_RELEASES, signal),
    client.listCustomObjects<unknown>(SLICES, signal),
  ]);
  return {
    ...failingFrom(ks ?? [], hr ?? []),
    ...(slices !== undefined ? { slices: slices.length } : {}),
  };
}

/** The summary with the cluster's failing objects and Slice count added, or why they could not be read. */
export async function withDetails(
  reader: FluxReader,
  target: FluxTarget,
  flux: FluxSummary,
  signal: AbortSignal,
): Promise<FluxSummary> {
  if (!reader.readDetails || signal.aborted) return flux;
  try {
    return { ...flux, ...(await reader.readDetails(target, signal)) };
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, MAX_MESSAGE);
    return { ...flux, detailsError: message };
  }
}
