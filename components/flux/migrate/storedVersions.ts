/**
 * Flux's stored API versions migrated before an install changes Flux's CRDs, as `flux migrate`
 * does: every object of a Flux CRD whose `status.storedVersions` lists a version other than its
 * storage version is written again unchanged (so the API server stores it at the storage version),
 * then the CRD's stored versions are set to the storage version alone. The API server refuses a
 * CRD that drops a version its stored versions still list; after this, it accepts the new release's.
 *
 * Pure over a MigrationClient (the seam the unit tests fake); kubeClient.ts is the real one. Plain
 * functions and objects only: the dynamic provider that runs it is serialized by value.
 */

/** A CRD of the new install: the version it stores and every version it lists. */
export interface InstallCrd {
  storage: string;
  versions: string[];
}

/** The new install's CRDs by name (`gitrepositories.source.toolkit.fluxcd.io`); empty when unknown (operator mode). */
export type InstallCrds = Record<string, InstallCrd>;

/** The fields of a CustomResourceDefinition the migration reads. */
export interface CrdObject {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: { name: string; served?: boolean; storage?: boolean }[];
  };
  status?: { storedVersions?: string[] };
}

/** An object of a Flux CRD as the API server returns it. */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    managedFields?: { apiVersion?: string; [k: string]: unknown }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** The API of one CRD's objects at one version: group, version and plural. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

/**
 * What the migration does on a cluster. Errors carry the HTTP `status` of the API server's answer
 * (409 Conflict is retried, 404 Not Found is an object deleted meanwhile).
 */
export interface MigrationClient {
  /** Every CustomResourceDefinition. */
  listCrds(): Promise<CrdObject[]>;
  /** Every object of the resource, in all namespaces. */
  list(ref: ResourceRef): Promise<StoredObject[]>;
  /** One object; undefined when it is gone. */
  get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<StoredObject | undefined>;
  /** PUT the object back (its resourceVersion makes a concurrent change a 409 Conflict). */
  replace(ref: ResourceRef, obj: StoredObject): Promise<void>;
  /** JSON merge patch of the CRD's status: `{"status":{"storedVersions":[...]}}`. */
  setStoredVersions(crd: string, versions: string[]): Promise<void>;
}

/** What was migrated for one CRD. */
export interface MigratedCrd {
  crd: string;
  kind: string;
  /** Versions the CRD listed in storedVersions besides its storage version. */
  from: string[];
  /** The storage version the objects are now stored at, and storedVersions' only entry. */
  storage: string;
  /** `namespace/name` of each object written. */
  objects: string[];
}

/** Flux's own CRDs: the toolkit's API groups (`source.toolkit.fluxcd.io`, …). */
export const isFluxCrd = (crd: CrdObject): boolean => crd.spec.group.endsWith(".toolkit.fluxcd.io");

/** Attempts at one object's write when others change it meanwhile (409 Conflict). */
export const CONFLICT_ATTEMPTS = 5;

/** The error text of a failed request: the API server's status and message. */
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const status = (e: unknown) => (e as { status?: number } | undefined)?.status;
const where = (o: StoredObject) => (o.metadata.namespace ? `${o.metadata.namespace}/` : "") + o.metadata.name;
const AFTER =
  "Nothing of the Flux install has changed yet: fix the cause and run `pulumi up` again (or run the new release's `flux migrate` against the cluster first).";

/**
 * The Flux CRDs that need a migration (stored versions besides the storage version), checked all
 * before anything is written: a CRD whose storage version on the cluster is one the new install
 * drops cannot be migrated (its objects would stay at a version the new CRD no longer lists).
 */
export function migrationPlan(crds: CrdObject[], install: InstallCrds, fluxVersion: string) {
  const plan: { crd: CrdObject; storage: string; from: string[] }[] = [];
  for (const crd of crds.filter(isFluxCrd).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const name = crd.metadata.name;
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    if (!storage)
      throw new Error(
        `CRD ${name} on the cluster has no storage version: the API server keeps one, so this is not a CRD it served. ${AFTER}`,
      );
    const next = install[name];
    if (next && !next.versions.includes(storage))
      throw new Error(
        `CRD ${name} stores its objects at ${storage}, which Flux ${fluxVersion}'s CRD no longer lists (it lists ${next.versions.join(", ")}): they cannot be moved to ${next.storage} before that CRD is applied. Upgrade to a Flux release whose CRD stores ${name} at ${next.storage} first, then to ${fluxVersion}. Nothing has changed on the cluster.`,
      );
    const from = (crd.status?.storedVersions ?? []).filter((v) => v !== storage);
    if (from.length) plan.push({ crd, storage, from });
  }
  return plan;
}

/** The object as read, its managed fields moved to `apiVersion` too (as `flux migrate` does). */
export function rewritten(obj: StoredObject, apiVersion: string): StoredObject {
  const managedFields = obj.metadata.managedFields?.map((f) =>
    f.apiVersion === undefined ? f : { ...f, apiVersion },
  );
  return { ...obj, metadata: { ...obj.metadata, ...(managedFields ? { managedFields } : {}) } };
}

/** Writes one object back unchanged; retried with a fresh read on conflict. False when it is gone. */
async function rewrite(client: MigrationClient, ref: ResourceRef, crd: CrdObject, first: StoredObject) {
  let obj: StoredObject | undefined = first;
  for (let attempt = 1; obj; attempt++) {
    try {
      await client.replace(ref, rewritten(obj, `${ref.group}/${ref.version}`));
      return true;
    } catch (e) {
      if (status(e) === 404) return false;
      if (status(e) !== 409 || attempt >= CONFLICT_ATTEMPTS)
        throw new Error(
          `migrating ${crd.spec.names.kind} ${where(first)} (CRD ${crd.metadata.name}) to ${ref.version}: ${reason(e)}${status(e) === 409 ? ` (still changing after ${CONFLICT_ATTEMPTS} attempts)` : ""}. ${AFTER}`,
          { cause: e },
        );
      obj = await client.get(ref, first.metadata.namespace, first.metadata.name);
    }
  }
  return false;
}

/**
 * Migrates every Flux CRD that needs it: each object written again at the storage version, then
 * the CRD's storedVersions set to it. Nothing to do: one list of CRDs, no write.
 */
export async function migrateStoredVersions(
  client: MigrationClient,
  install: InstallCrds,
  fluxVersion: string,
): Promise<MigratedCrd[]> {
  let crds: CrdObject[];
  try {
    crds = await client.listCrds();
  } catch (e) {
    throw new Error(`listing the cluster's CustomResourceDefinitions: ${reason(e)}. ${AFTER}`, { cause: e });
  }
  const plan = migrationPlan(crds, install, fluxVersion);
  const out: MigratedCrd[] = [];
  for (const { crd, storage, from } of plan) {
    const name = crd.metadata.name;
    const ref = { group: crd.spec.group, version: storage, plural: crd.spec.names.plural };
    let objects: StoredObject[];
    try {
      objects = await client.list(ref);
    } catch (e) {
      throw new Error(`listing the objects of CRD ${name} at ${storage}: ${reason(e)}. ${AFTER}`, {
        cause: e,
      });
    }
    const written: string[] = [];
    for (const o of objects) if (await rewrite(client, ref, crd, o)) written.push(where(o));
    try {
      await client.setStoredVersions(name, [storage]);
    } catch (e) {
      throw new Error(
        `setting status.storedVersions of CRD ${name} to [${storage}] (its ${written.length} objects are migrated): ${reason(e)}. ${AFTER}`,
        { cause: e },
      );
    }
    out.push({ crd: name, kind: crd.spec.names.kind, from, storage, objects: written });
  }
  return out;
}

const plural = (kind: string, n: number) =>
  n === 1 ? kind : kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`;

/** One line: `migrated 2 Alerts, 1 Provider; storedVersions of alerts.… set to [v1beta3], of providers.… set to [v1beta3]`. */
export function migrationSummary(migrated: MigratedCrd[]): string {
  if (!migrated.length) return "Flux stored versions: nothing to migrate";
  const counts = migrated.map((m) => `${m.objects.length} ${plural(m.kind, m.objects.length)}`).join(", ");
  const crds = migrated.map((m) => `of ${m.crd} set to [${m.storage}]`).join(", ");
  return `Flux stored versions: migrated ${counts}; storedVersions ${crds}`;
}
