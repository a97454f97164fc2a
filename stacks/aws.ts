import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./schema/platform";
import { aws, createAwsContext, type AwsContext, type EarlySecret } from "../components/aws";
import type { KubernetesCluster } from "../components/cluster/types";
import { PlatformDns, externalDnsOwnerId } from "../components/dns";
import type { SecretsManagerRef } from "../components/flux";
import { PlatformSecrets } from "../components/secrets";
import { platformDnsArgs } from "./args/dns";
import { fluxUsesAwsIdentity } from "./args/flux";
import { platformSecretsArgs } from "./args/secrets";

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

/** Whether anything in the configuration talks to AWS (EKS, DNS, secrets, Flux credentials from Secrets Manager, Flux's KMS/ECR/CodeCommit access). */
export function needsAws(config: PlatformConfig): boolean {
  const auth = config.flux.auth;
  return (
    config.cluster.kind === "eks" ||
    config.dns !== undefined ||
    config.secrets !== undefined ||
    config.flux.sops?.fromSecretsManager !== undefined ||
    fluxUsesAwsIdentity(config) ||
    ((auth.type === "ssh" || auth.type === "https") && auth.fromSecretsManager !== undefined) ||
    config.flux.tenants.some((t) => t.credential.fromSecretsManager !== undefined)
  );
}

/** The AWS provider's region from the stack (`aws:region`); undefined when unset or empty. */
export function awsRegion(): string | undefined {
  const region = new pulumi.Config("aws").get("region");
  return region === "" ? undefined : region;
}

/**
 * The platform's one AWS context (region from `aws:region`, the platform tags as default tags), for
 * the composition to create once and hand to every AWS component; undefined when nothing uses AWS.
 */
export function platformAwsContext(config: PlatformConfig): AwsContext | undefined {
  if (!needsAws(config)) return undefined;
  return createAwsContext({ region: awsRegion(), tags: platformTags(config) });
}

/** Build the platform's DNS zone and secrets when `dns` / `secrets` are configured. */
export function buildAwsServices(
  config: PlatformConfig,
  cluster: KubernetesCluster,
  ctx: AwsContext | undefined,
): AwsServices {
  if (!ctx || (!config.dns && !config.secrets)) return { clusterVars: {}, dependsOn: [], earlySecrets: [] };
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
    const args = platformDnsArgs(config, d);
    const parentProvider = d.delegation?.roleArn
      ? new aws.Provider("aws-dns-parent", {
          region: ctx.region,
          assumeRoles: [{ roleArn: d.delegation.roleArn, sessionName: `platform-${config.name}-dns` }],
          defaultTags: { tags: ctx.tags },
        })
      : undefined;
    const dns = new PlatformDns("dns", {
      ...args,
      delegation: args.delegation && { ...args.delegation, provider: parentProvider },
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
    const secrets = new PlatformSecrets("secrets", {
      ...platformSecretsArgs(config, config.secrets),
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

/** A reader of Secrets Manager secrets bound to the platform's provider (Flux credentials); always secret. */
export const secretsManagerReader =
  (ctx: AwsContext) =>
  (ref: SecretsManagerRef): pulumi.Output<string> =>
    pulumi.secret(
      aws.secretsmanager.getSecretVersionOutput({ secretId: ref.secretId }, { provider: ctx.provider })
        .secretString,
    );
