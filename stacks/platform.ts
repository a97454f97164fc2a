import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./schema/platform";
import { readableFile, type PlatformEnvironment } from "./environment";
import { ConfigError } from "./config";
import { prefixProblems, type Problem } from "../components/problems";
import { FluxAwsAccess, type AwsContext } from "../components/aws";
import { BareMetalCluster, EksCluster, ExistingCluster, type KubernetesCluster } from "../components/cluster";
import {
  chartsClusterVars,
  FluxBootstrap,
  installManifestSource,
  installManifestsProblems,
  installTrustedCAsProblems,
  renderSopsConfig,
  sourceCaCertProblems,
  serviceAccountProblems,
  type LoadedInstallManifests,
} from "../components/flux";
import { bareMetalClusterArgs } from "./args/baremetal";
import { eksClusterArgs } from "./args/eks";
import { existingClusterArgs } from "./args/existing";
import {
  fluxArgs,
  fluxAwsAccessArgs,
  fluxAwsRegionProblems,
  fluxIrsaServiceAccounts,
  pemFile,
  type PemFiles,
} from "./args/flux";
import { awsRegion, buildAwsServices, platformAwsContext, secretsManagerReader } from "./aws";

/** What a platform stack exports. */
export interface PlatformOutputs {
  clusterName: pulumi.Output<string>;
  /** Secret. */
  kubeconfig: pulumi.Output<string>;
  /** Public half of the generated Git deploy key; absent when a key is supplied or auth is not SSH. */
  deployPublicKey?: pulumi.Output<string>;
  /** Public half of the next deploy key while a rotation is prepared (`flux.auth.deployKey.prepareNext`). */
  deployPublicKeyNext?: pulumi.Output<string>;
  rootSourceUrl: pulumi.Output<string>;
  rootSourceRef: pulumi.Output<string>;
  /** OCI root: the Git repository its artifact is published from (flux.source.origin), when given. */
  rootSourceOrigin?: string;
  rootPath: pulumi.Output<string>;
  /** The non-secret cluster-vars handed to Flux. */
  clusterVars: pulumi.Output<Record<string, string>>;
  /** SOPS through KMS: the key the fleet repository's secrets for this platform are encrypted with. */
  sopsKmsKeyArn?: pulumi.Output<string>;
  /** SOPS through KMS: a `.sops.yaml` creation rule for the fleet repository. */
  sopsConfig?: pulumi.Output<string>;
  /** Root source from ECR or CodeCommit: the repository source-controller may pull from. */
  fleetRepositoryArn?: pulumi.Output<string>;
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
  return { ...vars, ...chartsClusterVars(config.flux.source) };
}

/** Cluster name: configured, or the platform name. */
export function clusterNameOf(config: PlatformConfig): string {
  return config.cluster.name ?? config.name;
}

/** Everything that reads from outside and can fail, done before any resource is registered. */
async function prepare(config: PlatformConfig, env: PlatformEnvironment) {
  const problems: Problem[] = [];
  /** Runs one read; a failure becomes a problem at `path` (its message may already start with it). */
  const attempt = async <T>(path: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      problems.push({
        path,
        message: message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message,
      });
      return undefined;
    }
  };
  const install = config.flux.install;
  const installManifests: LoadedInstallManifests | undefined =
    install.mode === "manifests"
      ? await attempt(
          install.manifests.file ? "flux.install.manifests.file" : "flux.install.manifests.url",
          () => env.loadInstallManifests(installManifestSource(config.flux.version, install)),
        )
      : undefined;
  const cluster = config.cluster;
  const kubeconfigPath = cluster.kind === "existing" ? cluster.kubeconfigPath : undefined;
  const kubeconfig = kubeconfigPath
    ? await attempt("cluster.kubeconfigPath", () => env.readKubeconfig(kubeconfigPath))
    : undefined;
  if (install.manifests.file && installManifests && "objects" in installManifests)
    problems.push(
      ...prefixProblems(
        "flux",
        installManifestsProblems(installManifests.objects, install, config.flux.version),
      ),
    );
  // PEM fields given as project files: read and checked here (inline PEM: by the config checks).
  const pems: PemFiles = {};
  const readPem = async (field: string, value: string | undefined, check: (pem: string) => Problem[]) => {
    const file = value !== undefined ? pemFile(value) : undefined;
    const pem = file ? await attempt(field, () => env.readProjectFile(file, field)) : undefined;
    if (pem !== undefined)
      problems.push(...check(pem).map((p) => ({ path: `flux.${p.path}`, message: `${file}: ${p.message}` })));
    return pem;
  };
  pems.trustedCAs = await readPem("flux.install.trustedCAs", install.trustedCAs, (trustedCAs) =>
    installTrustedCAsProblems({ mode: install.mode, trustedCAs }),
  );
  pems.sourceCaCert = await readPem("flux.source.caCert", config.flux.source.caCert, (caCert) =>
    sourceCaCertProblems({ kind: config.flux.source.kind, caCert }),
  );
  problems.push(...fluxAwsRegionProblems(config, awsRegion()));
  // IRSA annotates service accounts of the install: they must be there.
  if (installManifests && "objects" in installManifests)
    problems.push(
      ...prefixProblems(
        "flux",
        serviceAccountProblems(installManifests.objects, fluxIrsaServiceAccounts(config)),
      ),
    );
  if (config.cluster.kind === "baremetal")
    for (const [path, file] of sshKeyFiles(config.cluster))
      await attempt(path, () => readableFile(file, "the SSH private key"));
  if (problems.length)
    throw new ConfigError({ stack: pulumi.getStack(), file: `Pulumi.${pulumi.getStack()}.yaml` }, problems);
  return { installManifests, kubeconfig, pems };
}

/** Every `privateKeyPath` of a bare-metal cluster (its ssh, each node's, the bastions'), with its config path. */
function sshKeyFiles(cluster: Extract<PlatformConfig["cluster"], { kind: "baremetal" }>): [string, string][] {
  const out: [string, string][] = [];
  const ssh = (
    s: { privateKeyPath?: string; bastion?: { privateKeyPath?: string } } | undefined,
    at: string,
  ) => {
    if (s?.privateKeyPath) out.push([`${at}.privateKeyPath`, s.privateKeyPath]);
    if (s?.bastion?.privateKeyPath) out.push([`${at}.bastion.privateKeyPath`, s.bastion.privateKeyPath]);
  };
  ssh(cluster.ssh, "cluster.ssh");
  cluster.servers.forEach((n, i) => ssh(n.ssh, `cluster.servers.${i}.ssh`));
  (cluster.agents ?? []).forEach((n, i) => ssh(n.ssh, `cluster.agents.${i}.ssh`));
  return out;
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
  // Flux's own AWS access (KMS for SOPS, ECR/CodeCommit for the root): EKS only (config checks).
  const fluxAwsArgs = awsContext && fluxAwsAccessArgs(config, cluster, awsContext);
  const fluxAws = fluxAwsArgs && new FluxAwsAccess("flux-aws", fluxAwsArgs);
  const clusterVars: Record<string, pulumi.Input<string>> = {
    ...platformClusterVars(config, clusterNameOf(config)),
    ...cluster.clusterVars,
    ...aws.clusterVars,
    ...config.flux.vars,
  };
  const flux = new FluxBootstrap("flux", {
    cluster,
    platformName: config.name,
    flux: fluxArgs(config, prepared.pems),
    installManifests: prepared.installManifests,
    clusterVars,
    waitFor: [...aws.dependsOn, ...(fluxAws?.ready ?? [])],
    componentSecrets: aws.earlySecrets,
    serviceAccountAnnotations: fluxAws?.serviceAccountAnnotations ?? {},
    ...(awsContext ? { readSecret: secretsManagerReader(awsContext) } : {}),
  });
  return {
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    ...(flux.deployPublicKey ? { deployPublicKey: flux.deployPublicKey } : {}),
    ...(flux.deployPublicKeyNext ? { deployPublicKeyNext: flux.deployPublicKeyNext } : {}),
    rootSourceUrl: flux.sourceUrl,
    ...(config.flux.source.kind === "oci" && config.flux.source.origin
      ? { rootSourceOrigin: config.flux.source.origin }
      : {}),
    rootSourceRef: flux.sourceRef,
    rootPath: flux.rootPath,
    clusterVars: flux.clusterVars,
    ...(fluxAws?.kmsKeyArn
      ? {
          sopsKmsKeyArn: fluxAws.kmsKeyArn,
          sopsConfig: pulumi
            .all([fluxAws.kmsKeyArn, flux.rootPath])
            .apply(([key, path]) => renderSopsConfig(key, path)),
        }
      : {}),
    ...(fluxAws?.repositoryArn ? { fleetRepositoryArn: fluxAws.repositoryArn } : {}),
  };
}
