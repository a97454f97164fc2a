/** SOPS decryption of the root Kustomization. */
import type { SecretValue } from "../../secretValue";
import type { SecretsManagerRef } from "./source";

/** How the root Kustomization decrypts SOPS-encrypted files. */
export interface FluxSopsArgs {
  /**
   * `age`: an age identity in the Secret `sops-age` (ageKey or fromSecretsManager, exactly one).
   * `awskms`: AWS KMS through kustomize-controller's workload identity; no Secret at all.
   * @default "age"
   */
  provider: "age" | "awskms";
  /** age identity (AGE-SECRET-KEY-1…). */
  ageKey?: SecretValue;
  /**
   * age identities the repository may still be encrypted for during a key rotation, kept in the Secret
   * `sops-age` beside the current key (`previous-1.agekey`, …; kustomize-controller tries every
   * `.agekey` entry). Remove them once every file is re-encrypted for the new key. @default none
   */
  previousAgeKeys?: SecretValue[];
  /** age identity from Secrets Manager. */
  fromSecretsManager?: SecretsManagerRef;
  /**
   * `awskms`: the key the fleet repository's secrets are encrypted with (a key ARN, not an alias).
   * Read by the AWS side of the platform, not by FluxBootstrap. @default a key the platform creates
   */
  kmsKeyArn?: string;
  /**
   * `age`: why this platform does not decrypt through KMS (e.g. "bare metal, no AWS workload
   * identity"). Put on the root Kustomization as the annotation `platform/sops-kms-exemption`, where
   * the `flux-sops-kms` policy reads it. @default none
   */
  kmsExemption?: string;
}
