/**
 * Step 3 of the bootstrap: the Flux install, in the configured mode — the transformed upstream
 * manifests (one ConfigGroup), the Flux Operator chart and a FluxInstance, or nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ResolvedFluxArgs } from "./args";
import {
  annotateServiceAccounts,
  InstallManifestError,
  renderFluxInstance,
  serviceAccountProblems,
  transformInstallManifests,
  type ServiceAccountAnnotations,
} from "./manifests";
import { FluxStoredVersions, installCrdVersions, type InstallCrds } from "./migrate";
import { adoptAnnotations, FLUX_NAMESPACE, type K8sObject } from "./objects";

/** Install manifests as the environment supplied them: parsed objects, or a URL left unfetched (offline render). */
export type LoadedInstallManifests = { objects: K8sObject[] } | { unfetchedUrl: string };

/** Annotations of controllers' ServiceAccounts whose values may still be unknown (role ARNs). */
export type ServiceAccountAnnotationInputs = Record<string, Record<string, pulumi.Input<string>>>;

/**
 * The install objects to apply in manifests mode (transformed), undefined in the other modes. Pure:
 * the bootstrap calls it before creating anything, so a patch that does not apply changes nothing.
 */
export function installObjectsOf(
  flux: ResolvedFluxArgs,
  loaded: LoadedInstallManifests | undefined,
  serviceAccounts: string[] = [],
): LoadedInstallManifests | undefined {
  if (flux.install.mode !== "manifests") return undefined;
  if (!loaded) throw new Error("FluxBootstrap: installManifests is required in manifests mode");
  if ("unfetchedUrl" in loaded) return loaded;
  const objects = transformInstallManifests(loaded.objects, flux.install, {
    imagePullSecret: flux.install.imagePullSecret?.name,
    skipAwait: flux.install.manifests.skipAwait,
    annotations: adoptAnnotations(flux),
    ...(flux.adopt === "flux-cli" ? { rbacNameSuffix: `-${FLUX_NAMESPACE}` } : {}),
  });
  const [missing] = serviceAccountProblems(objects, serviceAccounts);
  if (missing) throw new InstallManifestError({ ...missing, path: `flux.${missing.path}` });
  return { objects };
}

/**
 * Resource options that make Pulumi forget, not delete, the install (`install.retainOnDelete`). The
 * manifests are one ConfigGroup whose objects are its children: `transforms` reach them (a
 * component's own `retainOnDelete` does not), so each object is retained itself. A transform's
 * `opts` of a ConfigGroup child do not carry the provider the child inherits: it is named again,
 * or the child would be created with the default provider (a cluster without a kubeconfig).
 */
export function retainOptions(flux: ResolvedFluxArgs, provider: k8s.Provider): pulumi.CustomResourceOptions {
  if (!flux.install.retainOnDelete) return {};
  return {
    retainOnDelete: true,
    transforms: [({ props, opts }) => ({ props, opts: { ...opts, provider, retainOnDelete: true } })],
  };
}

/**
 * Create the install; returns what the root sync must wait for (empty for mode `none`). Before it,
 * in `manifests` and `operator` mode, Flux's stored versions are migrated (migrate/): the install
 * (its CRDs among it) and the FluxInstance depend on the migration.
 */
export function createInstall(
  name: string,
  opts: {
    parent: pulumi.Resource;
    provider: k8s.Provider;
    dependsOn: pulumi.Resource[];
    /** The cluster's kubeconfig (a secret), for the migration. */
    kubeconfig: pulumi.Input<string>;
  },
  flux: ResolvedFluxArgs,
  objects: LoadedInstallManifests | undefined,
  serviceAccountAnnotations: ServiceAccountAnnotationInputs = {},
): pulumi.Resource[] {
  const { kubeconfig, ...k8sOpts } = opts;
  const migrate = (crds: InstallCrds) =>
    new FluxStoredVersions(
      `${name}-stored-versions`,
      { kubeconfig, fluxVersion: flux.version, crds },
      { parent: opts.parent, dependsOn: opts.dependsOn },
    );
  if (objects) {
    // Offline render of a URL source: recorded as its source, not fetched.
    const input =
      "unfetchedUrl" in objects
        ? { files: [objects.unfetchedUrl] }
        : { objs: annotateServiceAccounts(objects.objects, serviceAccountAnnotations) };
    const migration = migrate("unfetchedUrl" in objects ? {} : installCrdVersions(objects.objects));
    return [
      new k8s.yaml.v2.ConfigGroup(`${name}-install`, input, {
        ...k8sOpts,
        dependsOn: [...opts.dependsOn, migration],
        ...retainOptions(flux, opts.provider),
      }),
    ];
  }
  if (flux.install.mode !== "operator") return [];
  // The operator applies the CRDs itself: the migration runs before the FluxInstance changes.
  const migration = migrate({});
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
    { ...k8sOpts, ...retainOptions(flux, opts.provider) },
  );
  const instance = renderFluxInstance(flux.version, flux.install, flux.install.imagePullSecret?.name);
  // The annotation patches are JSON text, so they wait for the role ARNs; without any, the spec is plain.
  const spec = Object.keys(serviceAccountAnnotations).length
    ? (pulumi.output(serviceAccountAnnotations) as pulumi.Output<ServiceAccountAnnotations>).apply(
        (a) => renderFluxInstance(flux.version, flux.install, flux.install.imagePullSecret?.name, a).spec,
      )
    : instance.spec;
  const resource = new k8s.apiextensions.CustomResource(
    `${name}-instance`,
    {
      apiVersion: instance.apiVersion,
      kind: instance.kind,
      metadata: { ...instance.metadata, annotations: instanceAwait(flux.install.manifests.skipAwait) },
      spec,
    },
    { ...k8sOpts, ...retainOptions(flux, opts.provider), dependsOn: [release, migration] },
  );
  return [release, resource];
}

/**
 * How `pulumi up` waits on the FluxInstance: until the operator reports it Ready (Flux's CRDs and
 * controllers installed), so the root source and Kustomization that follow it are never created
 * before their CRDs exist. With `skipAwait`, not at all (clusters where the controllers cannot run yet).
 */
export function instanceAwait(skipAwait: boolean): Record<string, string> {
  return skipAwait ? { "pulumi.com/skipAwait": "true" } : { "pulumi.com/waitFor": "condition=Ready" };
}
