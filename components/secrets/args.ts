import type * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../aws";
import { throwIfProblems, type Problem } from "../problems";

/** Character rules of a generated value (those of `random.RandomPassword`). */
export interface GenerateRules {
  /** Characters. */
  length: number;
  /** @default true */
  upper?: boolean;
  /** @default true */
  lower?: boolean;
  /** @default true */
  numeric?: boolean;
  /** @default true */
  special?: boolean;
  /** Special characters to use instead of the default set. @default random's set */
  overrideSpecial?: string;
  /** Minimum counts per class. @default 0 */
  minUpper?: number;
  /** @default 0 */
  minLower?: number;
  /** @default 0 */
  minNumeric?: number;
  /** @default 0 */
  minSpecial?: number;
}

export interface SecretItem {
  /** @default "<name>, managed by Pulumi" */
  description?: string;
  /** Generate the value with these rules (give this or `value`). */
  generate?: GenerateRules;
  /** The value, from a secure config entry. */
  value?: pulumi.Input<string>;
}

export interface PlatformSecretsArgs {
  /** Name prefix, `<org>/<platform>/`; ends with `/`. */
  prefix: string;
  /** Days a deleted secret can be restored (0 deletes at once, else 7–30). @default 30 */
  recoveryWindowInDays?: number;
  /** Secrets keyed by their name under the prefix. @default {} */
  items?: Record<string, SecretItem>;
  /** External Secrets Operator's service account. @default external-secrets/external-secrets */
  externalSecrets?: { namespace: string; serviceAccount: string };
  /** IAM role/user name of the ESO identity. */
  iamName: string;
  /** IRSA facts of an EKS cluster; without them ESO gets an IAM user with an access key. */
  oidc?: { providerArn: pulumi.Input<string>; issuerUrl: pulumi.Input<string> };
  /** The platform's AWS provider, region, account and partition. */
  aws: AwsContext;
}

/** Defaults of every optional field, in one place (the config schema reads them too). */
export const DEFAULTS = {
  recoveryWindowInDays: 30,
  externalSecrets: { namespace: "external-secrets", serviceAccount: "external-secrets" },
  /** Access-key Secret of the IAM-user identity (in ESO's namespace). */
  credentialsSecret: "external-secrets-aws-credentials",
};

/** Secret names under the prefix: path segments of letters, digits and `_+=.@-`. */
export const SECRET_NAME = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
/** Smallest length of a generated value. */
export const MIN_GENERATED_LENGTH = 8;

/** Every problem with the arguments (paths relative to them); the program adds its `secrets.` prefix. */
export function platformSecretsProblems(
  args: Pick<PlatformSecretsArgs, "prefix" | "recoveryWindowInDays" | "items">,
): Problem[] {
  const out: Problem[] = [];
  if (!SECRET_NAME.test(args.prefix.replace(/\/$/, "")) || !args.prefix.endsWith("/"))
    out.push({
      path: "prefix",
      message: `"${args.prefix}" must be path segments ending in "/", e.g. acme/de-dev/`,
    });
  const window = args.recoveryWindowInDays;
  if (window !== undefined && window !== 0 && (window < 7 || window > 30))
    out.push({ path: "recoveryWindowInDays", message: "must be 0 (delete at once) or 7 to 30 days" });
  for (const [key, item] of Object.entries(args.items ?? {})) {
    if (!SECRET_NAME.test(key))
      out.push({
        path: `items.${key}`,
        message: "secret names use letters, digits and /_+=.@- (no leading or trailing /)",
      });
    if ((item.generate === undefined) === (item.value === undefined))
      out.push({
        path: `items.${key}`,
        message: "give exactly one of generate (a generated value) and value (a secure config value)",
      });
    if (item.generate && item.generate.length < MIN_GENERATED_LENGTH)
      out.push({ path: `items.${key}.generate.length`, message: `must be at least ${MIN_GENERATED_LENGTH}` });
  }
  return out;
}

/** Args with DEFAULTS applied; throws one ArgsError listing every problem. */
export function resolvePlatformSecretsArgs(args: PlatformSecretsArgs, name?: string) {
  throwIfProblems("PlatformSecrets", name, platformSecretsProblems(args));
  return {
    ...args,
    recoveryWindowInDays: args.recoveryWindowInDays ?? DEFAULTS.recoveryWindowInDays,
    items: args.items ?? {},
    externalSecrets: args.externalSecrets ?? DEFAULTS.externalSecrets,
  };
}
