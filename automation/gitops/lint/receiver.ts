/**
 * A notification Receiver's `spec.secretRef`, the webhook token (template:
 * notifications/base/receiver.yaml): without that Secret notification-controller cannot verify a
 * call, so the Git host's pushes never make Flux pull. The program creates it as
 * `flux-system/fleet-receiver-token` when the stack sets flux.receiver.token.
 */
import { FLUX_NAMESPACE, RECEIVER_SECRET } from "../../../components/flux/objects";
import type { Finding } from "../shared/manifests";
import type { PlatformTree } from "../shared/tree";
import { externalSecretTargets, secretProvided, type ProgramSecrets } from "./secretRefs";

/** The Receivers of one platform's tree whose token Secret nothing provides. */
export function receiverFindings(
  tree: PlatformTree,
  ctx: ProgramSecrets & { rootRef?: { file: string } },
  made: Set<string> = externalSecretTargets(tree),
): Finding[] {
  const out: Finding[] = [];
  for (const objs of tree.index.values())
    for (const r of objs) {
      if (r.obj.kind !== "Receiver" || !r.obj.apiVersion.startsWith("notification.toolkit.fluxcd.io/"))
        continue;
      const secret = (r.obj.spec as { secretRef?: { name?: unknown } } | undefined)?.secretRef?.name;
      if (typeof secret !== "string" || secret.includes("${")) continue;
      if (secretProvided(tree, ctx, made, r.namespace, secret)) continue;
      const k = `${r.namespace}/${secret}`;
      const stack = ctx.rootRef?.file ?? "the platform's stack file";
      const fix =
        k === `${FLUX_NAMESPACE}/${RECEIVER_SECRET}`
          ? `set flux.receiver.token in ${stack} (the program then creates it)`
          : `add it to flux.extraSecrets in ${stack} (namespace ${r.namespace}, name ${secret})`;
      out.push({
        file: r.doc.file,
        line: r.doc.lineOf(["spec", "secretRef"]),
        rule: "notification",
        platform: tree.context.platform,
        message: `Receiver ${r.namespace}/${String(r.obj.metadata.name)}: secretRef Secret ${k} (the webhook token) is not in the tree of ${tree.context.platform}, no ExternalSecret makes it and the program does not create it, so notification-controller cannot verify a push and Flux never pulls on one: ${fix}, or apply an ExternalSecret or a SOPS-encrypted Secret of that name`,
      });
    }
  return out;
}
