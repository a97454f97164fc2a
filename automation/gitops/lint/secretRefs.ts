/**
 * Whether a Secret a notification object names exists for a platform's tree: applied by the tree,
 * made by one of its ExternalSecrets, or created by the program before Flux (an early secret of the
 * stack, or the push webhook's token with flux.receiver).
 */
import { exists } from "./checks";
import type { PlatformTree } from "../shared/tree";

/** Secrets the program creates for the tree (shared/contract.ts), as `namespace/name`. */
export interface ProgramSecrets {
  /** Secrets the program creates before Flux (flux.extraSecrets). */
  earlySecrets?: string[];
  /** The push webhook's token Secret (flux.receiver). */
  receiverSecret?: string;
}

/** Secrets an ExternalSecret of the tree makes: its target name (default: its own name), in its namespace. */
export function externalSecretTargets(tree: PlatformTree): Set<string> {
  const out = new Set<string>();
  for (const objs of tree.index.values())
    for (const o of objs) {
      if (o.obj.kind !== "ExternalSecret" || !o.obj.apiVersion.startsWith("external-secrets.io/")) continue;
      const target = (o.obj.spec as { target?: { name?: unknown } } | undefined)?.target?.name;
      out.add(`${o.namespace}/${String(target ?? o.obj.metadata.name)}`);
    }
  return out;
}

/** Whether the Secret `namespace/name` exists for the tree (`made`: externalSecretTargets of it). */
export function secretProvided(
  tree: PlatformTree,
  program: ProgramSecrets,
  made: Set<string>,
  namespace: string,
  name: string,
): boolean {
  const k = `${namespace}/${name}`;
  return (
    exists(tree, "Secret", namespace, name) ||
    made.has(k) ||
    program.earlySecrets?.includes(k) === true ||
    program.receiverSecret === k
  );
}
