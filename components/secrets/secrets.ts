import * as pulumi from "@pulumi/pulumi";
import * as aws from "./aws";
import * as random from "@pulumi/random";
import { WorkloadIdentity, type AwsContext, type EarlySecret } from "./identity";
import { externalSecretsPolicy, secretPrefixArn } from "./policies";

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

export const SECRETS_DEFAULTS = {
  recoveryWindowInDays: 30,
  externalSecrets: { namespace: "external-secrets", serviceAccount: "external-secrets" },
  /** Access-key Secret of the IAM-user identity (in ESO's namespace). */
  credentialsSecret: "external-secrets-aws-credentials",
};

/** Args with defaults applied; throws one error listing every problem. */
export function resolvePlatformSecretsArgs(args: PlatformSecretsArgs) {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*\/$/.test(args.prefix))
    problems.push(`prefix "${args.prefix}" must be path segments ending in "/", e.g. acme/de-dev/`);
  const window = args.recoveryWindowInDays ?? SECRETS_DEFAULTS.recoveryWindowInDays;
  if (window !== 0 && (window < 7 || window > 30))
    problems.push(`recoveryWindowInDays ${window} must be 0 or 7–30`);
  for (const [key, item] of Object.entries(args.items ?? {})) {
    if ((item.generate === undefined) === (item.value === undefined))
      problems.push(`items.${key}: give exactly one of generate and value`);
    if (item.generate && item.generate.length < 8)
      problems.push(`items.${key}.generate.length must be at least 8`);
  }
  if (problems.length) throw new Error(`PlatformSecrets:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return {
    ...args,
    recoveryWindowInDays: window,
    items: args.items ?? {},
    externalSecrets: args.externalSecrets ?? SECRETS_DEFAULTS.externalSecrets,
  };
}

/**
 * The platform's secrets: a KMS key with rotation, Secrets Manager secrets under one prefix (generated
 * or from config), and an identity for External Secrets Operator that reads only that prefix and
 * decrypts only with that key.
 */
export class PlatformSecrets extends pulumi.ComponentResource {
  public readonly prefix: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** Secret ARNs by item name. */
  public readonly secretArns: Record<string, pulumi.Output<string>>;
  public readonly esoRoleArn: pulumi.Output<string>;
  /** ESO's access-key Secret to create before Flux (non-EKS substrates). */
  public readonly credentials: EarlySecret[];
  /** Resources workloads need before they start (secret values, identity). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: PlatformSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:secrets:PlatformSecrets", name, {}, opts);
    const a = resolvePlatformSecretsArgs(args);
    const ctx = a.aws;
    const child = { parent: this, provider: ctx.provider };
    const tags = (n: string) => ({ ...ctx.tags, Name: n });

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Secrets Manager secrets under ${a.prefix}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: tags(`${a.prefix}secrets`),
      },
      child,
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      {
        name: `alias/${a.prefix.replace(/\/$/, "").replace(/[^A-Za-z0-9/_-]/g, "-")}`,
        targetKeyId: key.keyId,
      },
      child,
    );

    this.ready = [];
    this.secretArns = {};
    for (const [item, spec] of Object.entries(a.items)) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-${item}`,
        {
          name: `${a.prefix}${item}`,
          description: spec.description ?? `${item}, managed by Pulumi`,
          kmsKeyId: key.arn,
          recoveryWindowInDays: a.recoveryWindowInDays,
          tags: tags(`${a.prefix}${item}`),
        },
        child,
      );
      const value = spec.generate
        ? new random.RandomPassword(`${name}-${item}`, { ...spec.generate }, { parent: this }).result
        : pulumi.secret(spec.value!);
      this.ready.push(
        new aws.secretsmanager.SecretVersion(
          `${name}-${item}`,
          { secretId: secret.id, secretString: pulumi.secret(value) },
          child,
        ),
      );
      this.secretArns[item] = secret.arn;
    }

    const eso = new WorkloadIdentity(
      `${name}-external-secrets`,
      {
        namespace: a.externalSecrets.namespace,
        serviceAccount: a.externalSecrets.serviceAccount,
        iamName: a.iamName,
        policy: pulumi
          .all([ctx.partition, ctx.region, ctx.accountId, key.arn])
          .apply(([p, r, acct, k]) => externalSecretsPolicy(secretPrefixArn(p, r, acct, a.prefix), k, r)),
        oidc: a.oidc,
        credentialsSecretName: SECRETS_DEFAULTS.credentialsSecret,
        aws: ctx,
      },
      { parent: this },
    );
    this.ready.push(eso);
    this.prefix = pulumi.output(a.prefix);
    this.kmsKeyArn = key.arn;
    this.esoRoleArn = eso.roleArn;
    this.credentials = eso.credentials ? [eso.credentials] : [];
    this.registerOutputs({
      prefix: this.prefix,
      kmsKeyArn: this.kmsKeyArn,
      secretArns: this.secretArns,
      esoRoleArn: this.esoRoleArn,
    });
  }
}
