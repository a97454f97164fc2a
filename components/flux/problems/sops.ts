/** SOPS decryption of the root Kustomization. */
import type { Problem } from "../../problems";
import type { Check } from "./check";

/** age keys or AWS KMS, never both. */
export const checkSops: Check = (flux) => {
  const sops = flux.sops;
  if (!sops) return [];
  if (sops.provider === "age") {
    const out: Problem[] = [];
    if ((sops.ageKey === undefined) === (sops.fromSecretsManager === undefined))
      out.push({
        path: "sops",
        message:
          "give ageKey (a secure value) or fromSecretsManager (a secret holding the age key), exactly one",
      });
    if (sops.kmsKeyArn !== undefined)
      out.push({
        path: "sops.kmsKeyArn",
        message: "is for provider awskms: set sops.provider: awskms, or remove kmsKeyArn to decrypt with age",
      });
    return out;
  }
  const out: Problem[] = [];
  if (sops.kmsExemption !== undefined)
    out.push({
      path: "sops.kmsExemption",
      message: "states why SOPS does not go through KMS, but sops.provider is awskms: remove it",
    });
  for (const k of ["ageKey", "previousAgeKeys", "fromSecretsManager"] as const)
    if (sops[k] !== undefined)
      out.push({
        path: `sops.${k}`,
        message:
          "is an age key, but sops.provider is awskms (no key is stored in the cluster): remove it, or set provider: age",
      });
  if (
    sops.kmsKeyArn !== undefined &&
    !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]+$/.test(sops.kmsKeyArn)
  )
    out.push({
      path: "sops.kmsKeyArn",
      message: `"${sops.kmsKeyArn}" is not a KMS key ARN: give arn:aws:kms:<region>:<account>:key/<key id> (not an alias: IAM scopes kms:Decrypt by key ARN)`,
    });
  return out;
};
