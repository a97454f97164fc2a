/** Validate rendered Flux objects against the Flux CRD JSON schemas (@kubernetes-models/flux-cd). */
import { GitRepository, OCIRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1";
import type { K8sObject } from "../../components/flux/objects";

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "source.toolkit.fluxcd.io/v1/GitRepository": GitRepository as never,
  "source.toolkit.fluxcd.io/v1/OCIRepository": OCIRepository as never,
  "kustomize.toolkit.fluxcd.io/v1/Kustomization": Kustomization as never,
};

/** Throws with the schema's message when `obj` is not a valid object of its served Flux API. */
export function validateFluxObject(obj: K8sObject): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no Flux schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj as never).validate();
}
