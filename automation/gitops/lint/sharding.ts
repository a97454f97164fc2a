/**
 * Flux sharding (`flux.install.scaling.shards`): once a platform has shards, its main
 * kustomize-controller and helm-controller reconcile only the objects without the label
 * `sharding.fluxcd.io/key`, and each shard's controllers only the objects labelled with its name
 * (components/flux/manifests/scaling.ts; with `install.mode: operator` the FluxInstance's
 * `spec.sharding`, which shards source-controller too). An object labelled for a shard the platform
 * does not declare is reconciled by no controller: it never becomes Ready, and whatever depends on
 * it waits for ever. Without shards no controller filters on the label, so nothing is reported.
 */
import { SHARD_KEY } from "../../../components/flux/manifests/scaling";
import type { PlatformShards } from "../shared/contract";
import type { Finding } from "../shared/manifests";
import type { PlatformTree } from "../shared/tree";

/** The `sharding.fluxcd.io/key` labels of one platform's tree that name no shard of the platform. */
export function shardingFindings(tree: PlatformTree, shards: PlatformShards | undefined): Finding[] {
  if (!shards?.names.length) return [];
  const out: Finding[] = [];
  for (const objs of tree.index.values())
    for (const b of objs) {
      const value = b.obj.metadata.labels?.[SHARD_KEY];
      if (value === undefined) continue;
      const shard = String(value);
      if (shard.includes("${") || shards.names.includes(shard)) continue;
      if (!shards.groups.some((g) => b.obj.apiVersion.startsWith(`${g}/`))) continue;
      const id = `${b.obj.kind} ${b.namespace}/${String(b.obj.metadata.name ?? "")}`;
      out.push({
        file: b.doc.file,
        line: b.doc.lineOf(["metadata", "labels", SHARD_KEY]),
        rule: "shard",
        platform: tree.context.platform,
        message: `${id}: label ${SHARD_KEY}: ${JSON.stringify(shard)} names a shard platform ${tree.context.platform} does not declare (flux.install.scaling.shards in ${shards.file}: ${shards.names.join(", ")}), and its main controllers reconcile only objects without that label, so no controller reconciles it: label it with one of ${shards.names.join(", ")} (npm run gitops:new-slice -- --shard <shard>), or add ${JSON.stringify(shard)} to flux.install.scaling.shards`,
      });
    }
  return out;
}
