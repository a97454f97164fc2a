/** What the platform adds beside Flux's own settings: cluster variables and extra early secrets. */
import type { SecretValue } from "../../secretValue";

/** Flux postBuild variable names: `^[_a-zA-Z][_a-zA-Z0-9]*$`. */
export const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** A Secret created with the early secrets, before Flux. */
export interface ExtraSecretArgs {
  namespace: string;
  name: string;
  /** @default "Opaque" */
  type: string;
  /** @default {} */
  labels: Record<string, string>;
  data: Record<string, SecretValue>;
  /** Create the namespace (not for kube-system and the like). @default true */
  createNamespace: boolean;
}

/**
 * The fleet template's webhook Receiver (`notifications/base/receiver.yaml`): its token, which the Git
 * host sends with each push (GitHub signs the body with it, GitLab sends it as X-Gitlab-Token), in the
 * early Secret `fleet-receiver-token` (key `token`).
 */
export interface FluxReceiverArgs {
  token: SecretValue;
}
