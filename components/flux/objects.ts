/** A Kubernetes object as plain data (what the renderers return and the install manifests hold). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Flux's own names, kept as `flux bootstrap` uses them. */
export const FLUX_NAMESPACE = "flux-system";
/** Root GitRepository/OCIRepository and Kustomization. */
export const ROOT_NAME = "flux-system";
/** Git credentials of the root source. */
export const GIT_AUTH_SECRET = "flux-system";
/**
 * Annotations of every object the bootstrap makes when it takes over a Flux that `flux bootstrap` (or
 * Terraform's flux_bootstrap_git) installed (`flux.adopt`): kustomize-controller no longer applies
 * them from the fleet repository's `flux-system` folder (it skips in-cluster objects marked
 * reconcile: disabled) nor prunes them once that folder is removed (prune: disabled), and the
 * program's server-side apply takes the fields the previous managers own (patchForce).
 */
export const ADOPT_ANNOTATIONS = {
  "kustomize.toolkit.fluxcd.io/reconcile": "disabled",
  "kustomize.toolkit.fluxcd.io/prune": "disabled",
  "pulumi.com/patchForce": "true",
} as const;

/** ADOPT_ANNOTATIONS when the bootstrap takes over an existing Flux (`adopt`), else none. */
export const adoptAnnotations = (flux: { adopt: false | string }): Record<string, string> =>
  flux.adopt ? { ...ADOPT_ANNOTATIONS } : {};

/** The fleet template's webhook Receiver token (`flux.receiver`, key `token`). */
export const RECEIVER_SECRET = "fleet-receiver-token";
export const RECEIVER_KEY = "token";
/** SOPS age keys (key `age.agekey`). */
export const SOPS_SECRET = "sops-age";
export const SOPS_KEY = "age.agekey";
/** Entry of the n-th (from 0) previous age key in `sops-age` during a rotation: `previous-1.agekey`, … */
export const previousAgeKeyEntry = (n: number): string => `previous-${n + 1}.agekey`;
/**
 * Service account the root Kustomization applies as under the lockdown: kustomize-controller's own
 * (cluster-admin), named explicitly so `--default-service-account` does not apply to it.
 */
export const ROOT_SERVICE_ACCOUNT = "kustomize-controller";
/** Annotation of the root Kustomization stating why SOPS does not go through KMS (policy flux-sops-kms). */
export const SOPS_KMS_EXEMPTION_ANNOTATION = "platform/sops-kms-exemption";
/** Annotation of the flux-system Namespace stating why install patches may widen Flux's privileges (policy flux-install-privileges). */
export const PRIVILEGE_CHANGES_ANNOTATION = "platform/flux-privilege-changes";
/** CA certificates of the root OCI source (`source.caCert`, key `ca.crt`), its `spec.certSecretRef`. */
export const SOURCE_CA_SECRET = "flux-system-ca";
/** Public keys for source signature verification. */
export const VERIFY_SECRET = "flux-system-verify";

export const API = {
  source: "source.toolkit.fluxcd.io/v1",
  kustomize: "kustomize.toolkit.fluxcd.io/v1",
  helm: "helm.toolkit.fluxcd.io/v2",
  fluxInstance: "fluxcd.controlplane.io/v1",
} as const;

/** Label on every object this program applies, so `kubectl get -l` finds what Pulumi owns. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "pulumi" } as const;
