/**
 * Settings of every Kubernetes provider the program creates, whatever the cluster kind.
 *
 * - Server-side apply: Flux and the program share objects (the namespace, the install) field by field.
 * - ConfigMaps and Secrets updated in place: by default the provider replaces them when their data
 *   changes, and for an object with a fixed name a replacement deletes it before creating it again.
 *   For `flux-system` (the Git credentials), `sops-age`, cluster-vars and cluster-secret-vars that is a
 *   window where Flux finds nothing: a credential rotation or a new cluster-var must not open it
 *   (docs/lifetime.md; the rotation e2e checks the Secret keeps its uid).
 */
export const KUBERNETES_PROVIDER_SETTINGS = {
  enableServerSideApply: true,
  enableConfigMapMutable: true,
  enableSecretMutable: true,
} as const;
