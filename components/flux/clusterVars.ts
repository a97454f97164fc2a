/**
 * The cluster-vars contract: every key this program writes into ConfigMap `flux-system/cluster-vars`,
 * which the root Kustomization (and the Kustomizations in Git that opt in) substitute with
 * `postBuild.substituteFrom`. This table is the one place the keys are defined; docs/cluster-vars.md's
 * contract table is checked against it by a test, and gitops lint reads it.
 */
export interface ClusterVarSpec {
  /** What the value is. */
  description: string;
  /** Which part of the program provides it. */
  source: "platform" | "cluster" | "flux" | "aws" | "dns" | "secrets";
  /** When it is present; `always` keys exist on every platform. */
  presentWhen:
    | "always"
    | "cluster.kind is eks"
    | "aws"
    | "dns"
    | "secrets"
    | "platform.country"
    | "platform.site"
    | "flux.source.charts";
}

export const CLUSTER_VARS = {
  PLATFORM_NAME: { description: "Platform name (stack's `name`)", source: "platform", presentWhen: "always" },
  PLATFORM_ENVIRONMENT: {
    description: "Environment, e.g. dev or prod",
    source: "platform",
    presentWhen: "always",
  },
  PLATFORM_OWNER: { description: "Owning team", source: "platform", presentWhen: "always" },
  PLATFORM_ORGANIZATION: {
    description: "Organization (prefix of secret names)",
    source: "platform",
    presentWhen: "always",
  },
  PLATFORM_COUNTRY: {
    description: "ISO 3166-1 alpha-2 country code",
    source: "platform",
    presentWhen: "platform.country",
  },
  PLATFORM_SITE: { description: "Site or data centre", source: "platform", presentWhen: "platform.site" },
  CLUSTER_NAME: { description: "Kubernetes cluster name", source: "cluster", presentWhen: "always" },
  CLUSTER_KIND: {
    description: "Cluster substrate: eks, baremetal or existing",
    source: "cluster",
    presentWhen: "always",
  },
  CLUSTER_DOMAIN: {
    description: "In-cluster DNS domain (flux.install.clusterDomain)",
    source: "flux",
    presentWhen: "always",
  },
  FLUX_VERSION: {
    description: "Flux version installed by the program",
    source: "flux",
    presentWhen: "always",
  },
  FLUX_CHARTS_URL: {
    description:
      "OCI location of the fleet's Helm charts (`flux.source.charts.url`): chart `<name>` is `${FLUX_CHARTS_URL}/<name>`",
    source: "flux",
    presentWhen: "flux.source.charts",
  },
  FLUX_CHARTS_PROVIDER: {
    description:
      "How source-controller authenticates to the charts' registry: the root's `flux.source.provider` (aws: its workload identity), else generic",
    source: "flux",
    presentWhen: "flux.source.charts",
  },
  AWS_REGION: {
    description: "AWS region of the platform's resources (EKS, or dns/secrets configured)",
    source: "aws",
    presentWhen: "aws",
  },
  AWS_ACCOUNT_ID: {
    description: "AWS account id of the platform's resources",
    source: "aws",
    presentWhen: "aws",
  },
  OIDC_PROVIDER_ARN: {
    description: "IAM OIDC provider of the EKS cluster (IRSA)",
    source: "cluster",
    presentWhen: "cluster.kind is eks",
  },
  VPC_ID: {
    description: "VPC of the EKS cluster (created or given), e.g. for the AWS Load Balancer Controller",
    source: "cluster",
    presentWhen: "cluster.kind is eks",
  },
  DNS_ZONE_NAME: { description: "The platform's Route53 zone name", source: "dns", presentWhen: "dns" },
  DNS_ZONE_ID: { description: "The platform's Route53 hosted zone id", source: "dns", presentWhen: "dns" },
  EXTERNAL_DNS_OWNER_ID: {
    description: "external-dns --txt-owner-id, unique per platform",
    source: "dns",
    presentWhen: "dns",
  },
  EXTERNAL_DNS_ROLE_ARN: {
    description:
      "IAM role external-dns assumes, limited to the zone: IRSA on EKS, elsewhere with the access key in Secret external-dns/external-dns-aws-credentials",
    source: "dns",
    presentWhen: "dns",
  },
  CERT_MANAGER_ROLE_ARN: {
    description:
      "IAM role cert-manager assumes for DNS-01 TXT records in the zone: IRSA on EKS, elsewhere with the access key in Secret cert-manager/cert-manager-aws-credentials",
    source: "dns",
    presentWhen: "dns",
  },
  SECRETS_PREFIX: {
    description: "Secrets Manager name prefix, `<org>/<platform>/`",
    source: "secrets",
    presentWhen: "secrets",
  },
  SECRETS_KMS_KEY_ARN: {
    description:
      "KMS key encrypting the platform's secrets (ESO may decrypt with it through Secrets Manager only)",
    source: "secrets",
    presentWhen: "secrets",
  },
  ESO_ROLE_ARN: {
    description:
      "IAM role External Secrets Operator assumes, reading only the prefix: IRSA on EKS, elsewhere with the access key in Secret external-secrets/external-secrets-aws-credentials",
    source: "secrets",
    presentWhen: "secrets",
  },
} as const satisfies Record<string, ClusterVarSpec>;

export type ClusterVarKey = keyof typeof CLUSTER_VARS;
export const CLUSTER_VAR_KEYS = Object.keys(CLUSTER_VARS) as ClusterVarKey[];

/** Name of the ConfigMap and of the optional Secret the root Kustomization substitutes from. */
export const CLUSTER_VARS_CONFIGMAP = "cluster-vars";
export const CLUSTER_SECRET_VARS_SECRET = "cluster-secret-vars";

/** The cluster-vars of an OCI root's Helm charts (FLUX_CHARTS_URL, FLUX_CHARTS_PROVIDER); none without charts. */
export function chartsClusterVars(source: {
  charts?: { url: string };
  provider?: string;
}): Record<string, string> {
  if (!source.charts) return {};
  return {
    FLUX_CHARTS_URL: source.charts.url.replace(/\/+$/, ""),
    FLUX_CHARTS_PROVIDER: source.provider ?? "generic",
  };
}
