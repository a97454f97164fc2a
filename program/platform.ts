import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./schema/platform";
import type { PlatformEnvironment } from "./environment";
import type { AwsContext } from "../components/aws";
import { BareMetalCluster, EksCluster, ExistingCluster, type KubernetesCluster } from "../components/cluster";
import { FluxBootstrap, installManifestSource, type LoadedInstallManifests } from "../components/flux";
import { bareMetalClusterArgs } from "./args/baremetal";
import { eksClusterArgs } from "./args/eks";
import { existingClusterArgs } from "./args/existing";
import { fluxArgs } from "./args/flux";
import { buildAwsServices, platformAwsContext, secretsManagerReader } from "./aws";

/** What a platform stack exports. */
export interface PlatformOutputs {
  clusterName: pulumi.Output<string>;
  /** Secret. */
  kubeconfig: pulumi.Output<string>;
  /** Public half of the generated Git deploy key; absent when a key is supplied or auth is not SSH. */
  deployPublicKey?: pulumi.Output<string>;
  rootSourceUrl: pulumi.Output<string>;
  rootSourceRef: pulumi.Output<string>;
  rootPath: pulumi.Output<string>;
  /** The non-secret cluster-vars handed to Flux. */
  clusterVars: pulumi.Output<Record<string, string>>;
}

/** The cluster-vars entries that come from the platform's identity and Flux settings. */
export function platformClusterVars(config: PlatformConfig, clusterName: string): Record<string, string> {
  const vars: Record<string, string> = {
    PLATFORM_NAME: config.name,
    PLATFORM_ENVIRONMENT: config.environment,
    PLATFORM_OWNER: config.owner,
    PLATFORM_ORGANIZATION: config.organization,
    CLUSTER_NAME: clusterName,
    CLUSTER_KIND: config.cluster.kind,
    CLUSTER_DOMAIN: config.flux.install.clusterDomain,
    FLUX_VERSION: config.flux.version,
  };
  if (config.country) vars.PLATFORM_COUNTRY = config.country;
  if (config.site) vars.PLATFORM_SITE = config.site;
  return vars;
}

/** Cluster name: configured, or the platform name. */
export function clusterNameOf(config: PlatformConfig): string {
  return config.cluster.name ?? config.name;
}

/** Everything that reads from outside and can fail, done before any resource is registered. */
async function prepare(config: PlatformConfig, env: PlatformEnvironment) {
  const installManifests: LoadedInstallManifests | undefined =
    config.flux.install.mode === "manifests"
      ? await env.loadInstallManifests(installManifestSource(config.flux.version, config.flux.install))
      : undefined;
  const kubeconfig =
    config.cluster.kind === "existing" && config.cluster.kubeconfigPath
      ? await env.readKubeconfig(config.cluster.kubeconfigPath)
      : undefined;
  return { installManifests, kubeconfig };
}

function createCluster(
  config: PlatformConfig,
  kubeconfigFromFile: string | undefined,
  aws: AwsContext | undefined,
): KubernetesCluster {
  const clusterName = clusterNameOf(config);
  const cluster = config.cluster;
  switch (cluster.kind) {
    case "existing":
      return new ExistingCluster(clusterName, existingClusterArgs(clusterName, cluster, kubeconfigFromFile));
    case "eks":
      // needsAws(config) holds for every EKS platform.
      return new EksCluster(clusterName, eksClusterArgs(config, cluster, aws!));
    case "baremetal":
      return new BareMetalCluster(clusterName, bareMetalClusterArgs(clusterName, cluster));
  }
}

/** Compose one platform: cluster → (DNS, secrets) → Flux bootstrap. */
export async function deployPlatform(
  config: PlatformConfig,
  env: PlatformEnvironment,
): Promise<PlatformOutputs> {
  const prepared = await prepare(config, env);
  // The one AWS context (provider, region, account), created here and handed to every AWS user.
  const awsContext = platformAwsContext(config);
  const cluster = createCluster(config, prepared.kubeconfig, awsContext);
  const aws = buildAwsServices(config, cluster, awsContext);
  const clusterVars: Record<string, pulumi.Input<string>> = {
    ...platformClusterVars(config, clusterNameOf(config)),
    ...cluster.clusterVars,
    ...aws.clusterVars,
    ...config.flux.vars,
  };
  const flux = new FluxBootstrap("flux", {
    cluster,
    platformName: config.name,
    flux: fluxArgs(config),
    installManifests: prepared.installManifests,
    clusterVars,
    waitFor: aws.dependsOn,
    componentSecrets: aws.earlySecrets,
    ...(awsContext ? { readSecret: secretsManagerReader(awsContext) } : {}),
  });
  return {
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    ...(flux.deployPublicKey ? { deployPublicKey: flux.deployPublicKey } : {}),
    rootSourceUrl: flux.sourceUrl,
    rootSourceRef: flux.sourceRef,
    rootPath: flux.rootPath,
    clusterVars: flux.clusterVars,
  };
}
