// The Flux names every end-to-end script uses: the namespace, the API versions of the root source
// and Kustomization, the revision a Kustomization applied, and the wait for the root to apply a tag.
import type { Kube, KubeObject } from "./kube";

export const FLUX = "flux-system";
export const SRC = "source.toolkit.fluxcd.io/v1";
export const KS = "kustomize.toolkit.fluxcd.io/v1";

/** The revision a Kustomization last applied (`<tag>@sha1:<commit>`), "undefined" before any. */
export const appliedOf = (o: KubeObject) =>
  String((o.status as { lastAppliedRevision?: string })?.lastAppliedRevision);

/** Asks the root GitRepository to reconcile, then waits until the root Kustomization applied `version`. */
export async function waitRootApplied(kube: Kube, version: string, check: () => void): Promise<void> {
  await kube.requestReconcile(SRC, "GitRepository", FLUX, FLUX);
  await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
    timeoutMs: 180_000,
    check,
    accept: (o) => appliedOf(o).startsWith(`${version}@`),
  });
}
