import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../components/secrets/aws";
import type { PlatformConfig } from "../config";
import type { KubernetesCluster } from "../../components/cluster/types";
import { PlatformDns, externalDnsOwnerId } from "../../components/dns";
import { PlatformSecrets, secretsPrefix, type AwsContext, type EarlySecret } from "../../components/secrets";
import { zoneNameOf } from "../schema/aws";
import type { SecretsManagerRef } from "../schema/flux";

/** What the AWS services of a platform (Route53 zone, Secrets Manager) hand to the Flux bootstrap. */
export interface AwsServices {
  /** cluster-vars entries (contract keys). */
  clusterVars: Record<string, pulumi.Input<string>>;
  /** Resources the Flux bootstrap must wait for. */
  dependsOn: pulumi.Resource[];
  /** Access-key Secrets of IAM-user identities (non-EKS substrates), created with the early secrets. */
  earlySecrets: EarlySecret[];
}

/** Tags on every taggable AWS resource: `platform:tags` first, the four platform tags win. */
export function platformTags(
  config: Pick<PlatformConfig, "name" | "environment" | "owner" | "tags">,
): Record<string, string> {
  return {
    ...config.tags,
    platform: config.name,
    environment: config.environment,
    owner: config.owner,
    "managed-by": "pulumi",
  };
}

const contexts = new WeakMap<PlatformConfig, AwsContext>();

/**
 * The platform's one AWS provider (region from `aws:region`, default tags) and account facts, created
 * once per platform and shared by the cluster and the AWS services.
 */
export function awsContextOf(config: PlatformConfig): AwsContext {
  const known = contexts.get(config);
  if (known) return known;
  const configured = new pulumi.Config("aws").get("region");
  const region = configured === "" ? undefined : configured;
  const tags = platformTags(config);
  const provider = new aws.Provider("aws", { ...(region ? { region } : {}), defaultTags: { tags } });
  const invoke = { provider };
  const ctx: AwsContext = {
    provider,
    region: region ?? aws.getRegionOutput({}, invoke).region,
    accountId: aws.getCallerIdentityOutput({}, invoke).accountId,
    partition: aws.getPartitionOutput({}, invoke).partition,
    tags,
  };
  contexts.set(config, ctx);
  return ctx;
}

/** Build the platform's DNS zone and secrets when `dns` / `secrets` are configured. */
export function buildAwsServices(config: PlatformConfig, cluster: KubernetesCluster): AwsServices {
  if (!config.dns && !config.secrets) return { clusterVars: {}, dependsOn: [], earlySecrets: [] };
  const ctx = awsContextOf(config);
  const oidc = cluster.identity && {
    providerArn: cluster.identity.oidcProviderArn,
    issuerUrl: cluster.identity.oidcIssuerUrl,
  };
  const clusterVars: Record<string, pulumi.Input<string>> = {
    AWS_REGION: ctx.region,
    AWS_ACCOUNT_ID: ctx.accountId,
  };
  const dependsOn: pulumi.Resource[] = [];
  const earlySecrets: EarlySecret[] = [];

  if (config.dns) {
    const d = config.dns;
    const parentProvider = d.delegation?.roleArn
      ? new aws.Provider("aws-dns-parent", {
          region: ctx.region,
          assumeRoles: [{ roleArn: d.delegation.roleArn, sessionName: `platform-${config.name}-dns` }],
          defaultTags: { tags: ctx.tags },
        })
      : undefined;
    const dns = new PlatformDns("dns", {
      zoneName: zoneNameOf(config, d),
      parentDomain: d.parentDomain,
      existingZoneId: d.existingZoneId,
      delegation: d.delegation && {
        parentZoneId: d.delegation.parentZoneId,
        ttl: d.delegation.ttl,
        provider: parentProvider,
      },
      dnssec: d.dnssec,
      externalDns: d.externalDns,
      certManager: d.certManager,
      iamPrefix: config.name,
      oidc,
      aws: ctx,
    });
    clusterVars.DNS_ZONE_NAME = dns.zoneName;
    clusterVars.DNS_ZONE_ID = dns.zoneId;
    clusterVars.EXTERNAL_DNS_OWNER_ID = externalDnsOwnerId(config.organization, config.name);
    clusterVars.EXTERNAL_DNS_ROLE_ARN = dns.externalDnsRoleArn;
    clusterVars.CERT_MANAGER_ROLE_ARN = dns.certManagerRoleArn;
    dependsOn.push(...dns.ready);
    earlySecrets.push(...dns.credentials);
  }

  if (config.secrets) {
    const s = config.secrets;
    const secrets = new PlatformSecrets("secrets", {
      prefix: secretsPrefix(config.organization, config.name),
      recoveryWindowInDays: s.recoveryWindowInDays,
      items: Object.fromEntries(
        Object.entries(s.items ?? {}).map(([k, item]) => [
          k,
          {
            description: item.description,
            generate: item.generate,
            value: item.value && pulumi.secret(item.value.value),
          },
        ]),
      ),
      externalSecrets: s.externalSecrets,
      iamName: `${config.name}-external-secrets`,
      oidc,
      aws: ctx,
    });
    clusterVars.SECRETS_PREFIX = secrets.prefix;
    clusterVars.SECRETS_KMS_KEY_ARN = secrets.kmsKeyArn;
    clusterVars.ESO_ROLE_ARN = secrets.esoRoleArn;
    dependsOn.push(...secrets.ready);
    earlySecrets.push(...secrets.credentials);
  }
  return { clusterVars, dependsOn, earlySecrets };
}

/** Read a Secrets Manager secret with the platform's provider (Flux credentials); always a secret. */
export function readSecretsManager(config: PlatformConfig, ref: SecretsManagerRef): pulumi.Output<string> {
  const { provider } = awsContextOf(config);
  const version = aws.secretsmanager.getSecretVersionOutput({ secretId: ref.secretId }, { provider });
  return pulumi.secret(version.secretString);
}
