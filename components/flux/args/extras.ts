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
