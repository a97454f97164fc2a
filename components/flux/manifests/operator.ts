/** `operator` mode: the FluxInstance, the install settings expressed for the Flux Operator. */
import type { FluxInstallArgs } from "../args";
import { API, FLUX_NAMESPACE, type K8sObject } from "../objects";
import { lockdownArgs, REQUEUE_DEPENDENCY_CONTROLLERS } from "./flags";
import { operatorInMemoryPatches, operatorScalingPatches, SHARD_KEY } from "./scaling";
import type { ServiceAccountAnnotations } from "./serviceAccounts";
import { trustedCAsOperatorPatch } from "../trustedCAs";

/** The FluxInstance (`operator` mode): the same settings expressed for the Flux Operator. */
export function renderFluxInstance(
  version: string,
  install: FluxInstallArgs,
  imagePullSecret?: string,
  serviceAccountAnnotations: ServiceAccountAnnotations = {},
): K8sObject {
  const podPatch: Record<string, unknown> = {};
  if (install.tolerations.length) podPatch.tolerations = install.tolerations;
  if (Object.keys(install.nodeSelector).length) podPatch.nodeSelector = install.nodeSelector;
  const patches: { target: Record<string, unknown>; patch: string }[] = [];
  if (Object.keys(podPatch).length)
    patches.push({
      target: { kind: "Deployment" },
      patch: JSON.stringify({ spec: { template: { spec: podPatch } } }),
    });
  if (install.trustedCAs !== undefined) patches.push(trustedCAsOperatorPatch(install.trustedCAs));
  if (install.logLevel !== "info")
    patches.push({
      target: { kind: "Deployment" },
      patch: JSON.stringify([
        {
          op: "add",
          path: "/spec/template/spec/containers/0/args/-",
          value: `--log-level=${install.logLevel}`,
        },
      ]),
    });
  if (install.requeueDependency)
    for (const name of REQUEUE_DEPENDENCY_CONTROLLERS)
      patches.push({
        target: { kind: "Deployment", name },
        patch: JSON.stringify([
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: `--requeue-dependency=${install.requeueDependency}`,
          },
        ]),
      });
  patches.push(...operatorScalingPatches(install.scaling), ...operatorInMemoryPatches(install.scaling));
  const components = [...install.components, ...install.extraComponents];
  for (const name of components) {
    const flags = lockdownArgs(name, install.lockdown);
    if (flags.length)
      patches.push({
        target: { kind: "Deployment", name },
        patch: JSON.stringify(
          flags.map((value) => ({ op: "add", path: "/spec/template/spec/containers/0/args/-", value })),
        ),
      });
  }
  for (const [name, annotations] of Object.entries(serviceAccountAnnotations))
    patches.push({
      target: { kind: "ServiceAccount", name },
      patch: JSON.stringify({ metadata: { annotations } }),
    });
  for (const p of install.patches) {
    const target: Record<string, unknown> = {};
    if (p.target.kind) target.kind = p.target.kind;
    if (p.target.name) target.name = p.target.name;
    if (p.target.namespace) target.namespace = p.target.namespace;
    if (p.target.labels)
      target.labelSelector = Object.entries(p.target.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    patches.push({ target, patch: JSON.stringify(p.patch) });
  }
  const distribution: Record<string, unknown> = { version, registry: install.registry };
  if (imagePullSecret) distribution.imagePullSecret = imagePullSecret;
  const cluster: Record<string, unknown> = {
    type: install.operator.clusterType,
    multitenant: install.operator.multitenant,
    networkPolicy: install.networkPolicy,
    domain: install.clusterDomain,
  };
  if (install.operator.size) cluster.size = install.operator.size;
  const spec: Record<string, unknown> = {
    distribution,
    components,
    cluster,
  };
  if (install.scaling?.shards?.length) spec.sharding = { key: SHARD_KEY, shards: install.scaling.shards };
  if (patches.length) spec.kustomize = { patches };
  return {
    apiVersion: API.fluxInstance,
    kind: "FluxInstance",
    metadata: { name: "flux", namespace: FLUX_NAMESPACE },
    spec,
  };
}
