/** `flux.sops`: decryption of the secrets in the fleet repository (age or AWS KMS). */
import { z } from "zod";
import { FLUX_DEFAULTS as D } from "../../components/flux";
import { secret } from "./common";
import { fromSecretsManager } from "./fluxSource";

/** SOPS age key for decrypting secrets in the repository (Secret sops-age, key age.agekey). */
export const sops = z
  .strictObject({
    provider: z.enum(["age", "awskms"]).default(D.sops.provider).meta({
      description:
        "age: an age key in the Secret sops-age; awskms: an AWS KMS key kustomize-controller uses through its workload identity (EKS only), no Secret.",
    }),
    ageKey: secret().optional().meta({
      description: "The age private key, `AGE-SECRET-KEY-1…`; give this or `fromSecretsManager`.",
    }),
    previousAgeKeys: z
      .array(secret())
      .max(8, { error: "holds at most 8 keys: remove keys no file is encrypted for any more" })
      .optional()
      .meta({
        description:
          "During an age key rotation, the previous keys (secure values), kept in `sops-age` beside the current one (`previous-1.agekey`, …) so files not yet re-encrypted still decrypt. Remove once every file is re-encrypted for the new key (docs/credentials.md).",
      }),
    fromSecretsManager: fromSecretsManager
      .optional()
      .meta({ description: "The age key from Secrets Manager instead of `ageKey`." }),
    kmsKeyArn: z.string().optional().meta({
      description:
        "awskms: the KMS key ARN the fleet secrets are encrypted with, e.g. arn:aws:kms:eu-central-1:123456789012:key/… Default: a key the platform creates.",
    }),
    kmsExemption: z.string().min(1).optional().meta({
      description:
        'age: why this platform does not decrypt through KMS, e.g. "bare metal, no AWS workload identity"; annotated on the root Kustomization for the flux-sops-kms policy.',
    }),
  })
  .optional()
  .meta({
    description:
      "SOPS decryption of secrets in the repository: with `age` the key goes into Secret `sops-age` (key `age.agekey`) and the root Kustomization decrypts with it; with `awskms` kustomize-controller decrypts through its AWS identity and no Secret is made. Default: no decryption.",
  });
