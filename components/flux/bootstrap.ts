import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KubernetesCluster } from "../cluster/types";
import type { EarlySecret } from "../aws/earlySecret";
import { prefixProblems, throwIfProblems, type Problem } from "../problems";
import { applyFluxDefaults, type FluxArgs, type ResolvedFluxArgs, type SecretsManagerRef } from "./args";
import { chartsClusterVars } from "./clusterVars";
import { createEarlySecrets } from "./earlySecrets";
import { createTenantObjects } from "./tenants";
import { fluxProblems } from "./problems";
import {
  createInstall,
  installObjectsOf,
  type LoadedInstallManifests,
  type ServiceAccountAnnotationInputs,
} from "./install";
import { adoptAnnotations, ROOT_SERVICE_ACCOUNT, type K8sObject } from "./objects";
import {
  describeRef,
  renderNamespace,
  renderRootKustomization,
  renderRootSource,
  renderSubsetSources,
  rootPath,
} from "./render";

export type { LoadedInstallManifests } from "./install";

export interface FluxBootstrapArgs {
  /** The cluster to bootstrap; its provider is used for every object. */
  cluster: KubernetesCluster;
  /** Platform name; the default root path is `./clusters/<platformName>`. */
  platformName: string;
  /** Flux version, install, root source, credentials, sync and secrets. */
  flux: FluxArgs;
  /** Upstream install manifests; required when `flux.install.mode` is `manifests`. */
  installManifests?: LoadedInstallManifests;
  /** cluster-vars contents (contract keys and user vars); never secrets. */
  clusterVars: Record<string, pulumi.Input<string>>;
  /** Resources the first step waits for besides the cluster's own (e.g. the IAM roles cluster-vars names). @default [] */
  waitFor?: pulumi.Resource[];
  /**
   * Secrets other components hand over (e.g. the AWS access keys of IAM-user identities on non-EKS
   * substrates), created with the early secrets; their namespaces are created as for extraSecrets.
   * Every value is wrapped in `pulumi.secret`. @default []
   */
  componentSecrets?: EarlySecret[];
  /**
   * Reads a Secrets Manager secret named by `flux.auth.fromSecretsManager` or
   * `flux.sops.fromSecretsManager`; the platform passes one bound to its AWS provider. Required only
   * when the config uses them.
   */
  readSecret?: (ref: SecretsManagerRef) => pulumi.Output<string>;
  /**
   * Annotations of the controllers' ServiceAccounts in the install, by ServiceAccount name in
   * flux-system, e.g. `{ "kustomize-controller": { "eks.amazonaws.com/role-arn": roleArn } }` for
   * IRSA. Applied by the install transform (manifests mode) or the FluxInstance's kustomize patches
   * (operator mode); refused with `install.mode: none`. @default {}
   */
  serviceAccountAnnotations?: ServiceAccountAnnotationInputs;
}

/** Every problem with the arguments (paths relative to them, e.g. `flux.source.url`). */
export function fluxBootstrapProblems(
  args: Pick<FluxBootstrapArgs, "readSecret" | "serviceAccountAnnotations"> & { flux: ResolvedFluxArgs },
): Problem[] {
  const { flux } = args;
  const auth = flux.auth;
  const usesSecretsManager =
    flux.sops?.fromSecretsManager !== undefined ||
    ((auth.type === "ssh" || auth.type === "https") && auth.fromSecretsManager !== undefined) ||
    flux.tenants.some((t) => t.credential.fromSecretsManager !== undefined);
  return [
    ...prefixProblems("flux", fluxProblems(flux)),
    ...(usesSecretsManager && !args.readSecret
      ? [
          {
            path: "readSecret",
            message: "is required: flux reads a secret from Secrets Manager (fromSecretsManager)",
          },
        ]
      : []),
    ...(Object.keys(args.serviceAccountAnnotations ?? {}).length && flux.install.mode === "none"
      ? [
          {
            path: "serviceAccountAnnotations",
            message:
              "cannot be applied with flux.install.mode none (Flux is installed by someone else): annotate the controllers' service accounts there, or use EKS Pod Identity",
          },
        ]
      : []),
  ];
}

/** The arguments with the Flux DEFAULTS applied; throws one ArgsError with every problem. */
export function resolveFluxBootstrapArgs(args: FluxBootstrapArgs, name?: string) {
  const resolved = { ...args, flux: applyFluxDefaults(args.flux) };
  throwIfProblems("FluxBootstrap", name, fluxBootstrapProblems(resolved));
  return resolved;
}

/** Whether the controllers impersonate a default service account (lockdown, or the operator's multitenant). */
const lockedDown = (install: ResolvedFluxArgs["install"]) =>
  install.lockdown !== undefined || (install.mode === "operator" && install.operator.multitenant);

/** A rendered object as a CustomResource's args. */
const customResourceArgs = ({ apiVersion, kind, metadata, spec }: K8sObject) => ({
  apiVersion,
  kind,
  metadata,
  spec,
});

/**
 * Bootstraps Flux on a cluster, in order: namespace → early secrets, cluster-vars and the tenants'
 * credentials → Flux install
 * → root source and Kustomization `flux-system`. Each step depends on the whole previous step.
 */
export class FluxBootstrap extends pulumi.ComponentResource {
  /** Public half of the generated deploy key (add it to the repository as a read-only deploy key); only when one is generated. */
  public readonly deployPublicKey?: pulumi.Output<string>;
  /** Public half of the next generation's deploy key, while a rotation is prepared (`auth.deployKey.prepareNext`). */
  public readonly deployPublicKeyNext?: pulumi.Output<string>;
  public readonly sourceUrl: pulumi.Output<string>;
  /** e.g. `tag v1.0.0`. */
  public readonly sourceRef: pulumi.Output<string>;
  public readonly rootPath: pulumi.Output<string>;
  /** The non-secret cluster-vars as written to the ConfigMap. */
  public readonly clusterVars: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: FluxBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    // Check and transform first: bad arguments or a patch that does not apply fail before anything is registered.
    const a = resolveFluxBootstrapArgs(args, name);
    const { flux, cluster } = a;
    const saAnnotations = args.serviceAccountAnnotations ?? {};
    const installObjects = installObjectsOf(flux, a.installManifests, Object.keys(saAnnotations));
    super("platform:flux:FluxBootstrap", name, {}, opts);
    const provider = cluster.provider;
    /** The object with the adoption's annotations added, when taking over an existing Flux. */
    const adopted = (o: K8sObject): K8sObject =>
      flux.adopt
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: { ...o.metadata.annotations, ...adoptAnnotations(flux) },
            },
          }
        : o;

    // 1. Namespace, after whatever the cluster needs to be usable.
    const before = [...cluster.readyResources, ...(args.waitFor ?? [])];
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: adopted(renderNamespace(flux.install.allowPrivilegeChanges)).metadata },
      { parent: this, provider, dependsOn: before },
    );

    // 2. Early secrets and cluster-vars.
    const clusterVars = { ...chartsClusterVars(flux.source), ...args.clusterVars };
    const early = createEarlySecrets(name, this, provider, {
      flux,
      clusterVars,
      componentSecrets: args.componentSecrets ?? [],
      readSecret: args.readSecret,
      namespace,
      before,
    });

    const tenants = createTenantObjects(name, this, provider, {
      tenants: flux.tenants,
      readSecret: args.readSecret,
      before,
    });

    // 3. Flux install.
    const afterEarly = [namespace, ...early.resources, ...tenants];
    const install = createInstall(
      name,
      { parent: this, provider, dependsOn: afterEarly, kubeconfig: cluster.kubeconfig },
      flux,
      installObjects,
      saAnnotations,
    );

    // 4. Root sync.
    const afterInstall = install.length ? install : afterEarly;
    const refs = {
      secretName: early.gitAuthSecret,
      verifySecretName: early.verifySecret,
      certSecretName: early.caSecret,
      provider: flux.auth.type === "githubApp" ? ("github" as const) : undefined,
    };
    const source = renderRootSource(flux.source, refs);
    const sourceResource = new k8s.apiextensions.CustomResource(
      `${name}-source`,
      customResourceArgs(adopted(source)),
      { parent: this, provider, dependsOn: afterInstall },
    );
    // Subsets before the root Kustomization: the first reconcile of a Kustomization pulling from one finds it.
    const subsetResources = renderSubsetSources(flux.source, refs).map(
      (subset) =>
        new k8s.apiextensions.CustomResource(
          `${name}-source-${subset.metadata.name}`,
          customResourceArgs(adopted(subset)),
          { parent: this, provider, dependsOn: afterInstall },
        ),
    );
    const path = rootPath(args.platformName, flux.sync.path);
    const kustomization = renderRootKustomization({
      sync: flux.sync,
      path,
      sourceKind: source.kind as "GitRepository" | "OCIRepository",
      sops: flux.sops !== undefined,
      sopsProvider: flux.sops?.provider,
      sopsKmsExemption: flux.sops?.kmsExemption,
      serviceAccountName: lockedDown(flux.install) ? ROOT_SERVICE_ACCOUNT : undefined,
      secretVars: early.secretVars,
    });
    new k8s.apiextensions.CustomResource(`${name}-sync`, customResourceArgs(adopted(kustomization)), {
      parent: this,
      provider,
      dependsOn: [...afterInstall, sourceResource, ...subsetResources],
    });

    this.deployPublicKey = early.deployKey?.publicKeyOpenssh;
    this.deployPublicKeyNext = early.nextDeployKey?.publicKeyOpenssh;
    this.sourceUrl = pulumi.output(flux.source.url);
    this.sourceRef = pulumi.output(describeRef(flux.source.ref));
    this.rootPath = pulumi.output(path);
    this.clusterVars = pulumi.output(clusterVars);
    this.registerOutputs({
      ...(this.deployPublicKey ? { deployPublicKey: this.deployPublicKey } : {}),
      ...(this.deployPublicKeyNext ? { deployPublicKeyNext: this.deployPublicKeyNext } : {}),
      sourceUrl: this.sourceUrl,
      sourceRef: this.sourceRef,
      rootPath: this.rootPath,
      clusterVars: this.clusterVars,
    });
  }
}
