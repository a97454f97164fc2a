// What the Flux upgrade e2e (test/e2e/upgrade.ts) checks, as pure functions over what it read from
// the clusters: the order of the program's writes in the API server's audit log (every Flux CRD
// before any controller Deployment), the CRDs' stored versions against the versions they serve,
// and the UIDs of the objects that must survive the upgrade.
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
