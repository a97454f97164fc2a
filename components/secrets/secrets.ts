import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import * as random from "@pulumi/random";
import { WorkloadIdentity, type EarlySecret } from "../aws";
import { DEFAULTS, resolvePlatformSecretsArgs, type PlatformSecretsArgs } from "./args";
import { externalSecretsPolicy, secretPrefixArn } from "./policies";

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
    const a = resolvePlatformSecretsArgs(args, name);
    super("platform:secrets:PlatformSecrets", name, {}, opts);
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
        credentialsSecretName: DEFAULTS.credentialsSecret,
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
