/** Workload identity on the install: annotations of the controllers' ServiceAccounts. */
import type { Problem } from "../../problems";
import { FLUX_NAMESPACE, type K8sObject } from "../objects";

/** Annotations to put on controllers' ServiceAccounts, by ServiceAccount name (e.g. IRSA role ARNs). */
export type ServiceAccountAnnotations<V = string> = Record<string, Record<string, V>>;

/** Problems of annotating these ServiceAccounts of the install (paths relative to the Flux settings). */
export function serviceAccountProblems(objects: K8sObject[], names: string[]): Problem[] {
  const present = new Set(
    objects
      .filter((o) => o.kind === "ServiceAccount" && o.metadata.namespace === FLUX_NAMESPACE)
      .map((o) => o.metadata.name),
  );
  return names
    .filter((n) => !present.has(n))
    .map((n) => ({
      path: "install.manifests",
      message: `the install manifests have no ServiceAccount ${FLUX_NAMESPACE}/${n} to bind the workload identity to: give Flux's own install.yaml with ${n} installed`,
    }));
}

/**
 * The install objects with the annotations added to the named flux-system ServiceAccounts. The
 * values may be outputs (role ARNs not known yet): they are placed as they are, so only those values
 * are unknown during a preview, not the whole install.
 */
export function annotateServiceAccounts<V = string>(
  objects: K8sObject[],
  annotations: ServiceAccountAnnotations<V>,
): K8sObject[] {
  return objects.map((o) => {
    const add =
      o.kind === "ServiceAccount" && o.metadata.namespace === FLUX_NAMESPACE && annotations[o.metadata.name];
    if (!add) return o;
    const merged = { ...(o.metadata.annotations ?? {}), ...add } as Record<string, string>;
    return { ...o, metadata: { ...o.metadata, annotations: merged } };
  });
}
