import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import type { KubernetesCluster } from "../cluster/types";
import type { FluxConfig, SecretsManagerRef } from "../../stacks/schema/flux";
import type { SecretValue } from "../../stacks/schema/common";
import { CLUSTER_SECRET_VARS_SECRET, CLUSTER_VARS_CONFIGMAP } from "./clusterVars";
import { renderFluxInstance, transformInstallManifests } from "./manifests";
import {
  FLUX_NAMESPACE,
  GIT_AUTH_SECRET,
  MANAGED_BY,
  SOPS_KEY,
  SOPS_SECRET,
  VERIFY_SECRET,
  type K8sObject,
} from "./objects";
import {
  describeRef,
  renderAuthData,
  renderDockerConfigJson,
  renderNamespace,
  renderRootKustomization,
  renderRootSource,
  rootPath,
} from "./render";

/** Install manifests as the environment supplied them: parsed objects, or a URL left unfetched (offline render). */
export type LoadedInstallManifests = { objects: K8sObject[] } | { unfetchedUrl: string };

export interface FluxBootstrapArgs {
  /** The cluster to bootstrap; its provider is used for every object. */
  cluster: KubernetesCluster;
  /** Platform name; the default root path is `./clusters/<platformName>`. */
  platformName: string;
  /** The validated `flux` configuration section. */
  flux: FluxConfig;
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
  componentSecrets?: { namespace: string; name: string; stringData: Record<string, pulumi.Input<string>> }[];
  /**
   * Reads a Secrets Manager secret named by `flux.auth.fromSecretsManager` or
   * `flux.sops.fromSecretsManager`; the platform passes one bound to its AWS provider. Required only
   * when the config uses them.
   */
  readSecret?: (ref: SecretsManagerRef) => pulumi.Output<string>;
}

const secretOf = (v: SecretValue) => pulumi.secret(v.value);

/**
 * Bootstraps Flux on a cluster, in order: namespace → early secrets and cluster-vars → Flux install
 * → root source and Kustomization `flux-system`. Each step depends on the whole previous step.
 */
export class FluxBootstrap extends pulumi.ComponentResource {
  /** Public half of the generated deploy key (add it to the repository as a read-only deploy key); only when one is generated. */
  public readonly deployPublicKey?: pulumi.Output<string>;
  public readonly sourceUrl: pulumi.Output<string>;
  /** e.g. `tag v1.0.0`. */
  public readonly sourceRef: pulumi.Output<string>;
  public readonly rootPath: pulumi.Output<string>;
  /** The non-secret cluster-vars as written to the ConfigMap. */
  public readonly clusterVars: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: FluxBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:flux:FluxBootstrap", name, {}, opts);
    const { flux, cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const pull = flux.install.imagePullSecret;
    // Transform first: a patch that does not apply fails before any child is registered.
    const installObjects = installObjectsOf(flux, args.installManifests, pull?.name);

    // 1. Namespace, after whatever the cluster needs to be usable.
    const before = [...cluster.readyResources, ...(args.waitFor ?? [])];
    const ns = renderNamespace();
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: ns.metadata },
      { ...k8sOpts, dependsOn: before },
    );
    const afterNamespace = { ...k8sOpts, dependsOn: [namespace] };
    const meta = (n: string, extra: Record<string, string> = {}) => ({
      name: n,
      namespace: FLUX_NAMESPACE,
      labels: { ...MANAGED_BY, ...extra },
    });

    // 2. Early secrets and cluster-vars.
    const early: pulumi.Resource[] = [];
    let generated: tls.PrivateKey | undefined;
    if (flux.auth.type === "ssh" && !flux.auth.privateKey && !flux.auth.fromSecretsManager) {
      const algorithm = { ed25519: "ED25519", ecdsa: "ECDSA", rsa: "RSA" }[flux.auth.keyAlgorithm];
      generated = new tls.PrivateKey(
        `${name}-deploy-key`,
        {
          algorithm,
          ...(algorithm === "ECDSA" ? { ecdsaCurve: "P384" } : {}),
          ...(algorithm === "RSA" ? { rsaBits: 4096 } : {}),
        },
        { parent: this },
      );
    }
    // Credentials read from Secrets Manager (flux.auth/sops.fromSecretsManager) instead of config.
    const fromSm = (ref: SecretsManagerRef) => {
      if (!args.readSecret)
        throw new Error("FluxBootstrap: fromSecretsManager is configured but no readSecret was given");
      return pulumi.secret(args.readSecret(ref));
    };
    const smAuth =
      flux.auth.type === "ssh" || flux.auth.type === "https" ? flux.auth.fromSecretsManager : undefined;
    const authData = renderAuthData(flux.auth, {
      identity: generated
        ? pulumi.secret(generated.privateKeyOpenssh)
        : smAuth && flux.auth.type === "ssh"
          ? fromSm(smAuth)
          : undefined,
      identityPub: generated?.publicKeyOpenssh,
      secret: secretOf,
    });
    if (authData && smAuth && flux.auth.type === "https") authData.password = fromSm(smAuth);
    if (authData)
      early.push(
        new k8s.core.v1.Secret(
          `${name}-git-auth`,
          { metadata: meta(GIT_AUTH_SECRET), stringData: authData },
          afterNamespace,
        ),
      );

    const verifyKeys = flux.source.verify?.publicKeys ?? {};
    if (Object.keys(verifyKeys).length)
      early.push(
        new k8s.core.v1.Secret(
          `${name}-verify-keys`,
          { metadata: meta(VERIFY_SECRET), stringData: verifyKeys },
          afterNamespace,
        ),
      );

    if (flux.sops)
      early.push(
        new k8s.core.v1.Secret(
          `${name}-sops-age`,
          {
            metadata: meta(SOPS_SECRET),
            stringData: {
              [SOPS_KEY]: flux.sops.ageKey
                ? secretOf(flux.sops.ageKey)
                : fromSm(flux.sops.fromSecretsManager!),
            },
          },
          afterNamespace,
        ),
      );

    const watch = { "reconcile.fluxcd.io/watch": "Enabled" };
    const clusterVarsMap = new k8s.core.v1.ConfigMap(
      `${name}-cluster-vars`,
      { metadata: meta(CLUSTER_VARS_CONFIGMAP, watch), data: args.clusterVars },
      afterNamespace,
    );
    early.push(clusterVarsMap);

    const hasSecretVars = Object.keys(flux.secretVars).length > 0;
    if (hasSecretVars)
      early.push(
        new k8s.core.v1.Secret(
          `${name}-cluster-secret-vars`,
          {
            metadata: meta(CLUSTER_SECRET_VARS_SECRET, watch),
            stringData: mapValues(flux.secretVars, secretOf),
          },
          afterNamespace,
        ),
      );

    if (pull?.server && pull.username && pull.password) {
      const { server, username } = pull;
      early.push(
        new k8s.core.v1.Secret(
          `${name}-registry`,
          {
            metadata: meta(pull.name),
            type: "kubernetes.io/dockerconfigjson",
            stringData: {
              ".dockerconfigjson": pulumi
                .secret(pull.password.value)
                .apply((pw) => renderDockerConfigJson(server, username, pw)),
            },
          },
          afterNamespace,
        ),
      );
    }

    // Extra early secrets, with their namespaces (one Namespace resource per namespace, keyed by name).
    const extraNamespaces = new Map<string, pulumi.Resource>([[FLUX_NAMESPACE, namespace]]);
    const componentSecrets = args.componentSecrets ?? [];
    for (const s of [
      ...flux.extraSecrets,
      ...componentSecrets.map((c) => ({ ...c, createNamespace: true })),
    ]) {
      if (!s.createNamespace || extraNamespaces.has(s.namespace)) continue;
      extraNamespaces.set(
        s.namespace,
        new k8s.core.v1.Namespace(
          `${name}-ns-${s.namespace}`,
          { metadata: { name: s.namespace, labels: { ...MANAGED_BY } } },
          { ...k8sOpts, dependsOn: before },
        ),
      );
    }
    for (const s of flux.extraSecrets) {
      const nsDep = extraNamespaces.get(s.namespace);
      early.push(
        new k8s.core.v1.Secret(
          `${name}-secret-${s.namespace}-${s.name}`,
          {
            metadata: { name: s.name, namespace: s.namespace, labels: { ...MANAGED_BY, ...s.labels } },
            type: s.type,
            stringData: mapValues(s.data, secretOf),
          },
          { ...k8sOpts, dependsOn: nsDep ? [nsDep] : before },
        ),
      );
    }
    for (const s of componentSecrets)
      early.push(
        new k8s.core.v1.Secret(
          `${name}-secret-${s.namespace}-${s.name}`,
          {
            metadata: { name: s.name, namespace: s.namespace, labels: { ...MANAGED_BY } },
            type: "Opaque",
            stringData: mapValues(s.stringData, (v) => pulumi.secret(v)),
          },
          { ...k8sOpts, dependsOn: [extraNamespaces.get(s.namespace)!] },
        ),
      );

    // 3. Flux install.
    const afterEarly = { ...k8sOpts, dependsOn: [namespace, ...early] };
    const install: pulumi.Resource[] = [];
    if (installObjects) {
      // Offline render of a URL source: recorded as its source, not fetched.
      const input =
        "unfetchedUrl" in installObjects
          ? { files: [installObjects.unfetchedUrl] }
          : { objs: installObjects.objects };
      install.push(new k8s.yaml.v2.ConfigGroup(`${name}-install`, input, afterEarly));
    } else if (flux.install.mode === "operator") {
      const op = flux.install.operator;
      const release = new k8s.helm.v3.Release(
        `${name}-operator`,
        {
          name: "flux-operator",
          chart: op.chart,
          version: op.chartVersion,
          namespace: FLUX_NAMESPACE,
          createNamespace: false,
          values: op.values,
          skipAwait: flux.install.manifests.skipAwait,
        },
        afterEarly,
      );
      const instance = renderFluxInstance(flux.version, flux.install, pull?.name);
      install.push(
        release,
        new k8s.apiextensions.CustomResource(
          `${name}-instance`,
          {
            apiVersion: instance.apiVersion,
            kind: instance.kind,
            metadata: instance.metadata,
            spec: instance.spec,
          },
          { ...k8sOpts, dependsOn: [release] },
        ),
      );
    }

    // 4. Root sync.
    const afterInstall = { ...k8sOpts, dependsOn: install.length ? install : [namespace, ...early] };
    const source = renderRootSource(flux.source, {
      secretName: authData ? GIT_AUTH_SECRET : undefined,
      verifySecretName: Object.keys(verifyKeys).length ? VERIFY_SECRET : undefined,
    });
    const sourceResource = new k8s.apiextensions.CustomResource(
      `${name}-source`,
      { apiVersion: source.apiVersion, kind: source.kind, metadata: source.metadata, spec: source.spec },
      afterInstall,
    );
    const path = rootPath(args.platformName, flux.sync.path);
    const kustomization = renderRootKustomization({
      sync: flux.sync,
      path,
      sourceKind: source.kind as "GitRepository" | "OCIRepository",
      sops: flux.sops !== undefined,
      secretVars: hasSecretVars,
    });
    new k8s.apiextensions.CustomResource(
      `${name}-sync`,
      {
        apiVersion: kustomization.apiVersion,
        kind: kustomization.kind,
        metadata: kustomization.metadata,
        spec: kustomization.spec,
      },
      { ...k8sOpts, dependsOn: [...afterInstall.dependsOn, sourceResource] },
    );

    this.deployPublicKey = generated?.publicKeyOpenssh;
    this.sourceUrl = pulumi.output(flux.source.url);
    this.sourceRef = pulumi.output(describeRef(flux.source.ref));
    this.rootPath = pulumi.output(path);
    this.clusterVars = pulumi.output(args.clusterVars);
    this.registerOutputs({
      ...(this.deployPublicKey ? { deployPublicKey: this.deployPublicKey } : {}),
      sourceUrl: this.sourceUrl,
      sourceRef: this.sourceRef,
      rootPath: this.rootPath,
      clusterVars: this.clusterVars,
    });
  }
}

function installObjectsOf(
  flux: FluxConfig,
  loaded: LoadedInstallManifests | undefined,
  imagePullSecret: string | undefined,
): LoadedInstallManifests | undefined {
  if (flux.install.mode !== "manifests") return undefined;
  if (!loaded) throw new Error("FluxBootstrap: installManifests is required in manifests mode");
  if ("unfetchedUrl" in loaded) return loaded;
  return {
    objects: transformInstallManifests(loaded.objects, flux.install, {
      imagePullSecret,
      skipAwait: flux.install.manifests.skipAwait,
    }),
  };
}

function mapValues<A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
