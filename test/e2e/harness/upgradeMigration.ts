// The stored-version migration's proof in the Flux upgrade e2e (test/e2e/upgrade.ts): a stand-in
// for a release that stores objects at a version the pinned one drops, what etcd really holds, and
// --break no-migrate (the project copy's migration made to do nothing).
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kube, KubeObject } from "./kube";
import { etcdStoredVersions } from "./upgrade";
import { waitFor } from "./util";

/** Where etcd keeps the objects of a custom resource: `/registry/<group>/<plural>/`. */
export const etcdPrefix = (group: string, plural: string) => `/registry/${group}/${plural}/`;

/** The apiVersion etcd holds each object of `group`/`plural` at, by `namespace/name` (etcd's v3 JSON API). */
export async function etcdStored(
  etcdUrl: string,
  group: string,
  plural: string,
): Promise<Record<string, string>> {
  const prefix = etcdPrefix(group, plural);
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  // The range [prefix, prefix with its last byte + 1): every key under the prefix.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const res = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: b64(prefix), range_end: b64(end) }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`etcd range ${prefix}: HTTP ${res.status} ${await res.text()}`);
  return etcdStoredVersions((await res.json()) as { kvs?: { key: string; value: string }[] }, prefix);
}

type CrdVersion = { name: string; served: boolean; storage: boolean } & Record<string, unknown>;

/**
 * The stand-in for a release that stores objects at a version the pinned one drops (the module
 * proxy serves no 2.8 controllers): CRD `crd` (group `group`, resource `plural`, kind `kind`) gets
 * `version`, a copy of its served version's schema, as its storage version; `probes` (suspended,
 * so no controller writes them again) are created at it and every existing object is written at
 * it, until etcd holds them all at it; then the storage moves back to the served version, as the
 * previous release had it. The CRD's storedVersions then list both; etcd still holds the objects
 * at `version`. Returns what etcd holds, by `namespace/name`.
 */
export async function storedAtDroppedVersion(
  kube: Kube,
  etcdUrl: string,
  opts: { crd: string; group: string; plural: string; kind: string; version: string; probes: KubeObject[] },
  check: () => void,
): Promise<Record<string, string>> {
  const { crd, group, plural, kind, version } = opts;
  const CRD = "apiextensions.k8s.io/v1";
  const c = await kube.get(CRD, "CustomResourceDefinition", crd);
  const current = (c?.spec as { versions: CrdVersion[] }).versions;
  if (current.length !== 1) throw new Error(`CRD ${crd} lists ${current.length} versions, want one`);
  const served = current[0];
  const setVersions = (versions: CrdVersion[]) =>
    kube.mergePatch(CRD, "CustomResourceDefinition", crd, undefined, { spec: { versions } });
  await setVersions([
    { ...served, storage: false },
    { ...served, name: version, served: true, storage: true },
  ]);
  const at = `${group}/${version}`;
  const objectsPath = (ns?: string, name?: string) =>
    `/apis/${at}${ns ? `/namespaces/${ns}` : ""}/${plural}${name ? `/${name}` : ""}`;
  await waitFor(
    `${at} ${plural} served`,
    async () => ((await kube.request("GET", objectsPath())).status === 200 ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 250, check },
  );
  // Right after a CRD's storage changes the API server answers 429 (storage re-initializing) for a moment.
  for (const p of opts.probes)
    await waitFor(
      `${kind} ${p.metadata.name} created at ${at}`,
      async () => {
        const res = await kube.request("POST", objectsPath(p.metadata.namespace), {
          ...p,
          apiVersion: at,
          kind,
        });
        if (res.status === 201) return true;
        if (res.status === 429) return undefined;
        throw new Error(`creating ${kind} ${p.metadata.name} at ${at}: ${res.status} ${res.text}`);
      },
      { timeoutMs: 30_000, intervalMs: 250, check },
    );
  // The API server picks the new storage version up shortly after the CRD changes: write until etcd shows it.
  const stored = await waitFor(
    `etcd holds every ${kind} at ${at}`,
    async () => {
      const list = (await kube.request("GET", objectsPath())).body as { items: KubeObject[] };
      const now = await etcdStored(etcdUrl, group, plural);
      const behind = list.items.filter((o) => now[`${o.metadata.namespace}/${o.metadata.name}`] !== at);
      if (!behind.length) return now;
      for (const o of behind)
        await kube.request(
          "PATCH",
          objectsPath(o.metadata.namespace, o.metadata.name),
          { metadata: { annotations: { "e2e.platform/stored-at": version } } },
          "application/merge-patch+json",
        );
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, check },
  );
  await setVersions([
    { ...served, storage: true },
    { ...served, name: version, served: true, storage: false },
  ]);
  await waitFor(
    `${group}/${served.name} ${plural} served again`,
    async () =>
      (await kube.request("GET", `/apis/${group}/${served.name}/${plural}`)).status === 200
        ? true
        : undefined,
    { timeoutMs: 30_000, intervalMs: 250, check },
  );
  const after = await kube.get(CRD, "CustomResourceDefinition", crd);
  const storedVersions = (after?.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? [];
  if (!storedVersions.includes(version) || !storedVersions.includes(served.name))
    throw new Error(
      `CRD ${crd}: storedVersions ${JSON.stringify(storedVersions)}, want ${served.name} and ${version}`,
    );
  return stored;
}

/** The program's call of the migration, in components/flux/migrate/resource.ts. */
const MIGRATION_CALL =
  "const migrated = await migrateStoredVersions(client, inputs.crds, inputs.fluxVersion);";

/** --break no-migrate: the project copy's migration made to migrate nothing (the program as it was before it). */
export function withoutMigration(project: string): void {
  const file = path.join(project, "components/flux/migrate/resource.ts");
  const text = fs.readFileSync(file, "utf8");
  if (text.split(MIGRATION_CALL).length !== 2)
    throw new Error(`${file} does not call the migration as "${MIGRATION_CALL}": update --break no-migrate`);
  fs.writeFileSync(file, text.replace(MIGRATION_CALL, "const migrated = []; void client;"));
}
