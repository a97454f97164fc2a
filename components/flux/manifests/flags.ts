/** The controller flags the program sets: which controllers take them, and the lockdown flags. */
import type { LockdownArgs } from "../args";

/** Controllers that take `--requeue-dependency` (they reconcile objects with `dependsOn`). */
export const REQUEUE_DEPENDENCY_CONTROLLERS = ["kustomize-controller", "helm-controller"];

/** Controllers `--no-cross-namespace-refs` applies to (those that follow references between objects). */
export const CROSS_NAMESPACE_CONTROLLERS = [
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
  "image-reflector-controller",
  "image-automation-controller",
];
/** Controllers that impersonate a service account when applying (`--default-service-account`). */
export const IMPERSONATING_CONTROLLERS = ["kustomize-controller", "helm-controller"];

/** The multi-tenancy lockdown flags one controller gets, in a fixed order. */
export function lockdownArgs(component: string, lockdown: LockdownArgs | undefined): string[] {
  if (!lockdown) return [];
  const out: string[] = [];
  if (lockdown.noCrossNamespaceRefs && CROSS_NAMESPACE_CONTROLLERS.includes(component))
    out.push("--no-cross-namespace-refs=true");
  if (IMPERSONATING_CONTROLLERS.includes(component))
    out.push(`--default-service-account=${lockdown.defaultServiceAccount}`);
  if (lockdown.noRemoteBases && component === "kustomize-controller") out.push("--no-remote-bases=true");
  return out;
}
