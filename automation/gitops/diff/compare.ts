/** gitops:diff's comparison of one platform's objects at two revisions, with secrets never shown. */
import { createHash } from "node:crypto";
import type { Revision } from "../shared/git";

/** One object as a platform's tree applies it. */
export interface DiffObject {
  apiVersion: string;
  kind: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  name: string;
  /** The Flux Kustomization that applies it, `namespace/name`. */
  appliedBy: string;
  /** The file it comes from (repository-relative), when traced. */
  file: string;
}

export interface FieldChange {
  /** e.g. `spec.priority`, `data.values\.yaml`, `spec.sliceSubnets[1].name`. */
  path: string;
  /** Absent when the field is added. JSON values; secrets as "(redacted)". */
  from?: unknown;
  /** Absent when the field is removed. */
  to?: unknown;
}

export interface PlatformDiff {
  platform: string;
  /** What the root follows, e.g. `branch main`, `tag v1.0.0`, `semver >=1.0.0`. */
  follows: string;
  /** Built at a tag the refs do not decide. */
  pinned: boolean;
  from: Revision;
  to: Revision;
  added: (DiffObject & { object: Record<string, unknown> })[];
  removed: (DiffObject & { object: Record<string, unknown> })[];
  renamed: { from: DiffObject; to: DiffObject; fields: FieldChange[] }[];
  changed: (DiffObject & { fields: FieldChange[] })[];
  /** What kept a side from building completely (kustomize errors, missing paths, unknown tags). */
  problems: string[];
  /** Why the platform was not built: no file its tree reads differs between its two revisions. */
  skipped?: string;
}

export interface FleetDiff {
  from: Revision;
  to: Revision;
  platforms: PlatformDiff[];
  /** Stack files that could not be read (their platforms are compared with assumed cluster-vars). */
  problems: string[];
  /** Whether any platform gets anything different. */
  changed: boolean;
  durationMs: number;
}

const REDACTED = "(redacted)";

/** An object as shown: Secret values and SOPS metadata replaced, so nothing secret is printed. */
export function redact(obj: Record<string, unknown>): Record<string, unknown> {
  if (obj.kind !== "Secret") return obj;
  const out: Record<string, unknown> = { ...obj };
  for (const f of ["data", "stringData"])
    if (out[f] && typeof out[f] === "object")
      out[f] = Object.fromEntries(Object.keys(out[f] as object).map((k) => [k, REDACTED]));
  if (out.sops) out.sops = REDACTED;
  return out;
}

/** Objects of one platform at one revision by identity, and what kept the tree from building. */
export interface Side {
  objects: Map<string, DiffObject & { object: Record<string, unknown> }>;
  problems: string[];
}

/** `group/Kind/namespace/name`. */
export const identity = (o: DiffObject) =>
  `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${o.kind}/${o.namespace}/${o.name}`;

function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Field-level differences of two JSON values (arrays index by index). */
export function fieldChanges(a: unknown, b: unknown, at = ""): FieldChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  const p = (s: string) => (at + s).replace(/^\./, "");
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      if (i >= a.length) out.push({ path: p(`[${i}]`), to: b[i] });
      else if (i >= b.length) out.push({ path: p(`[${i}]`), from: a[i] });
      else out.push(...fieldChanges(a[i], b[i], `${at}[${i}]`));
    return out;
  }
  if (isObj(a) && isObj(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
    return keys.flatMap((k) => {
      if (!(k in bo)) return [{ path: p(segment(k)), from: ao[k] }];
      if (!(k in ao)) return [{ path: p(segment(k)), to: bo[k] }];
      return fieldChanges(ao[k], bo[k], at + segment(k));
    });
  }
  return [{ path: at.replace(/^\./, "") || ".", from: a, to: b }];
}

const strip = <T extends DiffObject & { object: Record<string, unknown> }>({
  object: _o,
  ...rest
}: T): DiffObject => rest;

/** Compare a platform's two sides. */
export function compare(
  from: Side,
  to: Side,
): Pick<PlatformDiff, "added" | "removed" | "renamed" | "changed"> {
  const added = [...to.objects].filter(([k]) => !from.objects.has(k)).map(([, o]) => o);
  const removed = [...from.objects].filter(([k]) => !to.objects.has(k)).map(([, o]) => o);
  const changed: PlatformDiff["changed"] = [];
  for (const [k, before] of from.objects) {
    const after = to.objects.get(k);
    if (!after) continue;
    // Secret values are compared by hash and shown as "(redacted)".
    const fields = fieldChanges(redactFields(before.object), redactFields(after.object)).map(hideHashes);
    if (fields.length) changed.push({ ...strip(after), fields });
  }
  // A rename: removed and added objects of one kind and namespace, equal but for the name.
  const renamed: PlatformDiff["renamed"] = [];
  const unnamed = (o: Record<string, unknown>) =>
    JSON.stringify({ ...o, metadata: { ...(o.metadata as object), name: undefined } });
  for (const gone of [...removed]) {
    const match = added.find(
      (n) =>
        n.kind === gone.kind && n.namespace === gone.namespace && unnamed(n.object) === unnamed(gone.object),
    );
    if (!match) continue;
    renamed.push({
      from: strip(gone),
      to: strip(match),
      fields: [{ path: "metadata.name", from: gone.name, to: match.name }],
    });
    removed.splice(removed.indexOf(gone), 1);
    added.splice(added.indexOf(match), 1);
  }
  const show = <T extends { object: Record<string, unknown> }>(o: T) => ({ ...o, object: redact(o.object) });
  return { added: added.map(show), removed: removed.map(show), renamed, changed };
}

/** Secret values compared by value but shown as "(redacted)": a changed value shows as changed. */
function redactFields(o: Record<string, unknown>): Record<string, unknown> {
  if (o.kind !== "Secret") return o;
  const out: Record<string, unknown> = { ...o };
  for (const f of ["data", "stringData"])
    if (out[f] && typeof out[f] === "object") {
      const values = out[f] as Record<string, unknown>;
      out[f] = Object.fromEntries(Object.keys(values).map((k) => [k, `${REDACTED}#${hashOf(values[k])}`]));
    }
  if (out.sops) out.sops = `${REDACTED}#${hashOf(out.sops)}`;
  return out;
}

/** A changed secret value shows as changed, never with its value or its hash. */
function hideHashes(f: FieldChange): FieldChange {
  const hidden = (v: unknown) => (typeof v === "string" && v.startsWith(`${REDACTED}#`) ? REDACTED : v);
  return {
    ...f,
    ...("from" in f ? { from: hidden(f.from) } : {}),
    ...("to" in f ? { to: hidden(f.to) } : {}),
  };
}

function hashOf(v: unknown): string {
  return createHash("sha256").update(JSON.stringify(v)).digest("hex");
}
