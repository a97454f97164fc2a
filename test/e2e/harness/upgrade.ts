// What the Flux upgrade e2e (test/e2e/upgrade.ts) checks, as pure functions over what it read from
// the clusters: the order of the program's writes in the API server's audit log (every Flux CRD
// before any controller Deployment; the stored-version migration's writes before the CRD's), the
// CRDs' stored versions against the versions they serve, what etcd holds, and the UIDs of the
// objects that must survive the upgrade.
import { parseAllDocuments, stringify } from "yaml";
import type { AuditEvent } from "./audit";
import type { KubeObject } from "./kube";

/** An audit event with the fields the order check reads (level Metadata has them). */
export interface WriteEvent extends AuditEvent {
  stageTimestamp?: string;
  objectRef?: { resource?: string; name?: string; namespace?: string; subresource?: string };
}

/**
 * Flux's install.yaml with every object labelled `app.kubernetes.io/version: v<version>`, as the
 * release asset (`flux install --export`) labels them; build-tools.sh builds it from flux2's
 * manifests/install, which leaves the label out.
 */
export function labelledInstall(text: string, version: string): string {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === "object" && !!o.kind)
    .map((o) => {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), "app.kubernetes.io/version": `v${version}` };
      return stringify(o);
    })
    .join("---\n");
}

/**
 * The install made unusable on purpose: CRD `crd` with no storage version, which the API server
 * refuses ("must have exactly one version marked as storage version").
 */
export function brokenInstall(text: string, crd: string): string {
  let hit = false;
  const out = parseAllDocuments(text)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === "object" && !!o.kind)
    .map((o) => {
      if (o.kind === "CustomResourceDefinition" && o.metadata.name === crd) {
        hit = true;
        for (const v of (o.spec as { versions: { storage: boolean }[] }).versions) v.storage = false;
      }
      return stringify(o);
    })
    .join("---\n");
  if (!hit) throw new Error(`the install has no CustomResourceDefinition ${crd}`);
  return out;
}

/** When (ms) each object was written (update, patch) by someone other than the cluster itself. */
export interface Writes {
  crds: Record<string, number[]>;
  deployments: Record<string, number[]>;
}

/**
 * The writes to the Flux CRDs (`*.fluxcd.io`) and to the Deployments in `namespace` completed at or
 * after `since` (ms), from the audit log: update or patch, not a subresource (status, scale),
 * answered 2xx, by a user that is not `system:…` (kube-controller-manager, the controllers).
 */
export function upgradeWrites(events: WriteEvent[], since: number, namespace = "flux-system"): Writes {
  const out: Writes = { crds: {}, deployments: {} };
  for (const e of events) {
    const r = e.objectRef;
    const at = e.stageTimestamp ? Date.parse(e.stageTimestamp) : NaN;
    if (!r?.name || r.subresource || !(at >= since)) continue;
    if (e.stage !== "ResponseComplete" || !["update", "patch"].includes(e.verb)) continue;
    if ((e.responseStatus?.code ?? 0) >= 300 || e.user.username.startsWith("system:")) continue;
    if (r.resource === "customresourcedefinitions" && r.name.endsWith(".fluxcd.io"))
      (out.crds[r.name] ??= []).push(at);
    if (r.resource === "deployments" && r.namespace === namespace) (out.deployments[r.name] ??= []).push(at);
  }
  return out;
}

/**
 * Why the writes are not "every CRD first, then the controllers": a CRD of `crds` not written, no
 * controller of `controllers` written, or a controller Deployment written before a CRD's last write.
 */
export function crdOrderProblems(w: Writes, crds: string[], controllers: string[]): string[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const out: string[] = [];
  for (const c of crds) if (!w.crds[c]?.length) out.push(`CRD ${c} was not written during the upgrade`);
  for (const d of controllers)
    if (!w.deployments[d]?.length) out.push(`Deployment ${d} was not written during the upgrade`);
  const lastCrd = Math.max(...Object.values(w.crds).flat());
  const lastCrdName = Object.entries(w.crds).find(([, t]) => t.includes(lastCrd))?.[0];
  for (const d of controllers)
    for (const t of w.deployments[d] ?? [])
      if (t <= lastCrd)
        out.push(
          `Deployment ${d} was written at ${iso(t)}, before CRD ${lastCrdName}'s last write at ${iso(lastCrd)}`,
        );
  return out;
}

/** Per CRD, a version listed in status.storedVersions that spec.versions does not serve. */
export function storedVersionProblems(crds: KubeObject[]): string[] {
  const out: string[] = [];
  for (const c of crds) {
    const served = ((c.spec as { versions?: { name: string; served: boolean }[] }).versions ?? [])
      .filter((v) => v.served)
      .map((v) => v.name);
    const stored = (c.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? [];
    for (const v of stored)
      if (!served.includes(v))
        out.push(
          `CRD ${c.metadata.name}: status.storedVersions lists ${v}, which it no longer serves (serves ${served.join(", ")}): objects stored at ${v} were not migrated`,
        );
  }
  return out;
}

/** `kind namespace/name` → uid. */
export type Uids = Record<string, string>;

/** Throws when two objects get one key (e.g. items of a list, which carry no kind, not named). */
export function uidsOf(objs: KubeObject[]): Uids {
  const out: Uids = {};
  for (const o of objs) {
    const key = `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    if (key in out) throw new Error(`${key} listed twice: name each object's kind`);
    out[key] = String(o.metadata.uid);
  }
  return out;
}

/** Objects of `before` gone or re-created (another uid) in `after`. */
export function uidChanges(before: Uids, after: Uids): string[] {
  return Object.entries(before).flatMap(([k, uid]) =>
    after[k] === undefined
      ? [`${k} was deleted`]
      : after[k] !== uid
        ? [`${k} was re-created (uid ${uid} → ${after[k]})`]
        : [],
  );
}
/** The user agent of the program's stored-version migration (components/flux/migrate/kubeClient.ts). */
export const MIGRATION_AGENT = "platform-flux-migrate";

/** One request of the audit log: when (ms), and its verb, resource, namespace/name and subresource. */
interface Request {
  at: number;
  verb: string;
  resource: string;
  object: string;
  subresource?: string;
}

/** The requests answered 2xx at or after `since` (ms), split into the migration's and the program's (non-`system:`) others. */
function requestsSince(events: WriteEvent[], since: number) {
  const migration: Request[] = [];
  const others: Request[] = [];
  for (const e of events) {
    const r = e.objectRef;
    const at = e.stageTimestamp ? Date.parse(e.stageTimestamp) : NaN;
    if (!r?.resource || !(at >= since) || e.stage !== "ResponseComplete") continue;
    if ((e.responseStatus?.code ?? 0) >= 300 || e.user.username.startsWith("system:")) continue;
    const req = {
      at,
      verb: e.verb,
      resource: r.resource,
      object: r.name ? `${r.namespace ? `${r.namespace}/` : ""}${r.name}` : "",
      ...(r.subresource ? { subresource: r.subresource } : {}),
    };
    (e.userAgent?.startsWith(MIGRATION_AGENT) ? migration : others).push(req);
  }
  return { migration, others };
}

/**
 * Why the audit log does not show the migration of CRD `crd` (resource `plural`) before the
 * program's first write of that CRD: an object of `objects` (`namespace/name`) it did not write
 * back (PUT), no status write of the CRD's storedVersions, no program write of the CRD, or a
 * migration write at or after it. Returns the problems and the migration's writes.
 */
export function migrationProblems(
  events: WriteEvent[],
  since: number,
  crd: string,
  plural: string,
  objects: string[],
): { problems: string[]; written: string[]; crdWrittenAt?: number; lastMigrationWrite?: number } {
  const iso = (ms: number) => new Date(ms).toISOString();
  const { migration, others } = requestsSince(events, since);
  const puts = migration.filter((r) => r.verb === "update" && r.resource === plural && !r.subresource);
  const status = migration.filter(
    (r) => r.resource === "customresourcedefinitions" && r.object === crd && r.subresource === "status",
  );
  const crdWrites = others
    .filter(
      (r) =>
        ["update", "patch"].includes(r.verb) &&
        r.resource === "customresourcedefinitions" &&
        r.object === crd &&
        !r.subresource,
    )
    .map((r) => r.at);
  const problems: string[] = [];
  const written = [...new Set(puts.map((r) => r.object))].sort();
  for (const o of objects)
    if (!written.includes(o)) problems.push(`${plural} ${o} was not written back by the migration`);
  if (!status.length) problems.push(`the migration did not set the storedVersions of CRD ${crd}`);
  if (!crdWrites.length) problems.push(`CRD ${crd} was not written by the program`);
  const crdWrittenAt = crdWrites.length ? Math.min(...crdWrites) : undefined;
  if (crdWrittenAt !== undefined)
    for (const r of [...puts, ...status])
      if (r.at >= crdWrittenAt)
        problems.push(
          `the migration's ${r.verb} of ${r.subresource ? `${r.resource}/${r.subresource}` : r.resource} ${r.object} at ${iso(r.at)} came after the program's first write of CRD ${crd} at ${iso(crdWrittenAt)}`,
        );
  const all = [...puts, ...status].map((r) => r.at);
  return { problems, written, crdWrittenAt, lastMigrationWrite: all.length ? Math.max(...all) : undefined };
}

/** The migration's writes (update, patch, create, delete) at or after `since`, as `verb resource[/sub] object`. */
export function migrationWrites(events: WriteEvent[], since: number): string[] {
  return requestsSince(events, since)
    .migration.filter((r) => !["get", "list", "watch"].includes(r.verb))
    .map((r) => `${r.verb} ${r.subresource ? `${r.resource}/${r.subresource}` : r.resource} ${r.object}`);
}

/** The migration's reads of the CRDs at or after `since` (it lists them once per run). */
export function migrationCrdLists(events: WriteEvent[], since: number): number {
  return requestsSince(events, since).migration.filter(
    (r) => r.verb === "list" && r.resource === "customresourcedefinitions",
  ).length;
}

/**
 * The apiVersion each object is stored at in etcd, by `namespace/name`, from an etcd v3 JSON range
 * answer over the keys `/registry/<group>/<plural>/` (keys and values base64; a custom resource's
 * value is its JSON).
 */
export function etcdStoredVersions(
  answer: { kvs?: { key: string; value: string }[] },
  prefix: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of answer.kvs ?? []) {
    const key = Buffer.from(kv.key, "base64").toString("utf8");
    if (!key.startsWith(prefix)) continue;
    const value = JSON.parse(Buffer.from(kv.value, "base64").toString("utf8")) as { apiVersion: string };
    out[key.slice(prefix.length)] = value.apiVersion;
  }
  return out;
}
