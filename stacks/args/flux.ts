import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../schema/platform";
import { applyFluxDefaults, awsSourceRepository, fluxProblems, type FluxArgs } from "../../components/flux";
import {
  FLUX_IAM_MAX_PREFIX,
  FLUX_SERVICE_ACCOUNTS,
  type AwsContext,
  type FluxAwsAccessArgs,
} from "../../components/aws";
import { prefixProblems, type Problem } from "../../components/problems";
import { CREDENTIAL_MESSAGE, redactUrl, urlProblems } from "../../components/url";

/**
 * FluxBootstrap's Flux settings from the `flux` section. The schema fills in the component's DEFAULTS
 * (so the configuration reference shows them), which leaves the parsed section a complete FluxArgs;
 * this function is where the two types must agree. `identity` and `source.repository` are the AWS
 * side's (fluxAwsAccessArgs), not FluxBootstrap's.
 */
export const fluxArgs = (config: PlatformConfig, files: PemFiles = {}): FluxArgs => {
  const { identity, oidcProvider, ...flux } = config.flux;
  const { repository, origin, caCert, ...source } = flux.source;
  const { trustedCAs, ...install } = flux.install;
  /** The PEM text of a field: given inline, or read from the file it names (`files`, by prepare). */
  const pem = (value: string | undefined, read: string | undefined) =>
    value !== undefined && pemFile(value) === undefined ? value : read;
  const ca = pem(caCert, files.sourceCaCert);
  const cas = pem(trustedCAs, files.trustedCAs);
  return {
    ...flux,
    source: { ...source, ...(ca !== undefined ? { caCert: ca } : {}) },
    install: { ...install, ...(cas !== undefined ? { trustedCAs: cas } : {}) },
  };
};

/** The PEM files `flux.install.trustedCAs` and `flux.source.caCert` name, as read. */
export interface PemFiles {
  trustedCAs?: string;
  sourceCaCert?: string;
}

/**
 * The project file a PEM field (`flux.install.trustedCAs`, `flux.source.caCert`) names, or undefined
 * when it holds the PEM text itself (anything with a `-----BEGIN` line or more than one line is
 * taken as PEM, and checked as such).
 */
export function pemFile(value: string): string | undefined {
  return value.includes("-----BEGIN") || value.trim().includes("\n") ? undefined : value.trim();
}

/**
 * Whether the program gives Flux an AWS workload identity: SOPS through KMS, or the root from
 * ECR/CodeCommit on EKS or with `flux.oidcProvider`. Otherwise a `provider: aws` source keeps working
 * as before with whatever AWS credentials the controller finds (an EC2 instance profile, say); the
 * program creates nothing for it.
 */
export function fluxUsesAwsIdentity(config: PlatformConfig): boolean {
  return (
    config.flux.sops?.provider === "awskms" ||
    (config.flux.source.provider === "aws" &&
      (config.cluster.kind === "eks" || config.flux.oidcProvider !== undefined))
  );
}

/** Prefix of the IAM role names and the SOPS key alias of a platform's Flux. */
export const fluxIamPrefix = (config: PlatformConfig) => `${config.organization}-${config.name}`;

/**
 * What can be checked only with the AWS provider's region (`aws:region`): the ECR or CodeCommit
 * repository the program creates or grants on lives in the platform's region.
 */
export function fluxAwsRegionProblems(config: PlatformConfig, region: string | undefined): Problem[] {
  const { source } = config.flux;
  if (!region || !fluxUsesAwsIdentity(config) || source.provider !== "aws") return [];
  const repo = awsSourceRepository(source.kind, source.url);
  return repo && repo.region !== region
    ? [
        {
          path: "flux.source.url",
          message: `names a repository in ${repo.region}, but the platform's AWS region (aws:region) is ${region}: the program creates and grants on repositories in ${region}; use one there`,
        },
      ]
    : [];
}

/** Kubernetes minor version from which EKS offers Pod Identity. */
const POD_IDENTITY_SINCE = 24;

/** `flux.identity`, or the default: Pod Identity on EKS 1.24 and later, else IRSA. */
export function fluxIdentity(config: PlatformConfig): "podIdentity" | "irsa" {
  if (config.flux.identity) return config.flux.identity;
  if (config.cluster.kind !== "eks") return "irsa";
  const minor = Number(/^1\.(\d+)$/.exec(config.cluster.version ?? "")?.[1] ?? POD_IDENTITY_SINCE);
  return minor >= POD_IDENTITY_SINCE ? "podIdentity" : "irsa";
}

/** The rules between `flux` and the rest of the config that keep Flux's AWS access without stored credentials. */
function awsIdentityProblems(config: PlatformConfig): Problem[] {
  const { flux, cluster } = config;
  const out: Problem[] = [];
  const uses = fluxUsesAwsIdentity(config);
  const offEks = cluster.kind !== "eks";
  if (flux.sops?.provider === "awskms" && offEks && !flux.oidcProvider)
    out.push({
      path: "flux.sops.provider",
      message: `awskms needs a workload identity AWS trusts: EKS, or flux.oidcProvider (this cluster's service-account issuer registered in IAM, with the EKS pod identity webhook running). On a cluster of kind ${cluster.kind} without it, an IAM access key in the cluster would be the stored credential awskms exists to avoid: give oidcProvider, or keep provider age (ageKey, or fromSecretsManager to keep the key out of the stack file)`,
    });
  if (flux.source.repository && flux.source.provider === "aws" && offEks && !flux.oidcProvider)
    out.push({
      path: "flux.source.repository",
      message: `needs a workload identity AWS trusts (EKS, or flux.oidcProvider) to give source-controller a role that may pull from that repository only; on a cluster of kind ${cluster.kind} without it the program creates no repository and no role: give oidcProvider, or remove repository (source-controller then uses the AWS credentials it finds, e.g. an instance profile)`,
    });
  if (flux.oidcProvider && !offEks)
    out.push({
      path: "flux.oidcProvider",
      message: "is for clusters outside EKS: an EKS cluster's own OIDC provider is used; remove it",
    });
  if (flux.oidcProvider && offEks && flux.identity === "podIdentity")
    out.push({
      path: "flux.identity",
      message: "podIdentity exists only on EKS: with flux.oidcProvider use irsa (the default off EKS)",
    });
  if (flux.identity !== undefined && !uses)
    out.push({
      path: "flux.identity",
      message:
        "is set, but nothing in flux uses an AWS workload identity: it applies with sops.provider awskms, or source.provider aws on EKS; remove it",
    });
  if (flux.oidcProvider !== undefined && offEks && !uses)
    out.push({
      path: "flux.oidcProvider",
      message:
        "is set, but nothing in flux uses an AWS workload identity: it applies with sops.provider awskms or source.provider aws; remove it",
    });
  if (uses) {
    const identity = fluxIdentity(config);
    const version = cluster.kind === "eks" ? cluster.version : undefined;
    const minor = Number(/^1\.(\d+)$/.exec(version ?? "")?.[1] ?? POD_IDENTITY_SINCE);
    if (identity === "podIdentity" && minor < POD_IDENTITY_SINCE)
      out.push({
        path: "flux.identity",
        message: `podIdentity needs EKS 1.${POD_IDENTITY_SINCE} or later, but cluster.version is ${version}: use irsa`,
      });
    if (identity === "irsa" && flux.install.mode === "none")
      out.push({
        path: "flux.identity",
        message:
          "irsa annotates the controllers' service accounts in the install, which install.mode none leaves to someone else: use podIdentity (nothing to annotate)",
      });
  }
  const prefix = fluxIamPrefix(config);
  if (uses && prefix.length > FLUX_IAM_MAX_PREFIX)
    out.push({
      path: "name",
      message: `with organization makes "${prefix}", the prefix of Flux's IAM role names (<prefix>-flux-kustomize-controller), longer than the ${FLUX_IAM_MAX_PREFIX} characters IAM's 64-character limit leaves: shorten name or organization`,
    });
  if (flux.source.repository && flux.source.provider !== "aws")
    out.push({
      path: "flux.source.repository",
      message:
        "is for source.provider aws (an ECR or CodeCommit repository): set provider: aws, or remove repository",
    });
  const origin = flux.source.origin;
  if (origin !== undefined && flux.source.kind !== "oci")
    out.push({
      path: "flux.source.origin",
      message: "is for an OCI root (kind oci): a Git root's origin is its own url; remove origin",
    });
  else if (origin !== undefined && !/^https:\/\/[^/\s]+\/[^\s]+[^/\s]$/.test(origin))
    out.push({
      path: "flux.source.origin",
      message: `"${redactUrl(origin)}" is not the https URL of a Git repository: write it as the forge shows it, e.g. https://github.com/acme-telco/platform-fleet`,
    });
  // Both are copied into objects, annotations and outputs: no credential in them.
  const urls: [string, string | undefined][] = [
    ["flux.source.origin", origin],
    ["flux.oidcProvider.issuerUrl", flux.oidcProvider?.issuerUrl],
  ];
  for (const [path, url] of urls)
    if (url !== undefined)
      out.push(
        ...urlProblems(url, {
          schemes: ["https"],
          credentialsIn:
            "the access control of the forge or issuer, never this URL, which is public (objects, annotations, reports)",
        })
          .filter((m) => m.startsWith(CREDENTIAL_MESSAGE))
          .map((message) => ({ path, message })),
      );
  return out;
}

/** The ECR repository names of an OCI root's charts (`<path>/<name>`); fluxProblems has checked the URL. */
function chartRepositories(url: string, names: string[]): string[] {
  return names.flatMap((n) => {
    const repo = awsSourceRepository("oci", `${url.replace(/\/+$/, "")}/${n}`);
    return repo ? [repo.name] : [];
  });
}

/** The component's own checks of the `flux` section, under `flux.`, and the cross-section rules of its AWS access. */
export const fluxConfigProblems = (config: PlatformConfig): Problem[] => [
  ...prefixProblems("flux", fluxProblems(applyFluxDefaults(fluxArgs(config)))),
  ...awsIdentityProblems(config),
];

/** The flux-system service accounts the install must annotate with their role (IRSA); [] otherwise. */
export function fluxIrsaServiceAccounts(config: PlatformConfig): string[] {
  if (!fluxUsesAwsIdentity(config) || fluxIdentity(config) !== "irsa") return [];
  return [
    ...(config.flux.sops?.provider === "awskms" ? [FLUX_SERVICE_ACCOUNTS.sops] : []),
    ...(config.flux.source.provider === "aws" ? [FLUX_SERVICE_ACCOUNTS.source] : []),
  ];
}

/**
 * FluxAwsAccess arguments, or undefined when Flux needs nothing from AWS. On EKS the cluster's OIDC
 * facts (IRSA); elsewhere `flux.oidcProvider` (awsIdentityProblems refuses the rest).
 */
export function fluxAwsAccessArgs(
  config: PlatformConfig,
  cluster: {
    clusterName: pulumi.Input<string>;
    identity?: { oidcProviderArn: pulumi.Input<string>; oidcIssuerUrl: pulumi.Input<string> };
  },
  aws: AwsContext,
): FluxAwsAccessArgs | undefined {
  if (!fluxUsesAwsIdentity(config)) return undefined;
  const { sops, source } = config.flux;
  // fluxProblems has checked that the URL names a repository.
  const repo = source.provider === "aws" ? awsSourceRepository(source.kind, source.url) : undefined;
  return {
    namePrefix: fluxIamPrefix(config),
    identity: fluxIdentity(config),
    clusterName: cluster.clusterName,
    ...(cluster.identity
      ? { oidc: { providerArn: cluster.identity.oidcProviderArn, issuerUrl: cluster.identity.oidcIssuerUrl } }
      : config.flux.oidcProvider
        ? {
            oidc: {
              providerArn: config.flux.oidcProvider.arn,
              issuerUrl: config.flux.oidcProvider.issuerUrl,
            },
          }
        : {}),
    ...(sops?.provider === "awskms" ? { sops: sops.kmsKeyArn ? { kmsKeyArn: sops.kmsKeyArn } : {} } : {}),
    ...(repo
      ? {
          source: {
            service: repo.service,
            name: repo.name,
            region: repo.region,
            ...(repo.service === "ecr" ? { accountId: repo.accountId } : {}),
            ...(source.kind === "oci" && source.charts
              ? { charts: chartRepositories(source.charts.url, source.charts.names) }
              : {}),
            ...source.repository,
          },
        }
      : {}),
    aws,
  };
}
