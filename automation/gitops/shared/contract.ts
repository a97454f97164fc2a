/**
 * What a platform gives its `clusters/<platform>` tree: the cluster-vars keys (the contract in
 * components/flux/clusterVars.ts), the root Kustomization's path and substitution sources, and
 * whether it is a prod platform. Read from the platform's stack file when the project has one
 * (exact: the offline render's `outputs.clusterVars`, ./stackContracts.ts), else assumed from the contract.
 */
import { CLUSTER_VARS, type ClusterVarSpec } from "../../../components/flux/clusterVars";
import type { PlatformConfig } from "../../../stacks/config";
import type { RootSourceKind, TreeContext } from "./tree";
import type { PlatformContract } from "./stackFileContract";

export { platformShards, type PlatformContract, type PlatformShards } from "./stackFileContract";

/** What walking a platform's tree needs from its contract. */
export function treeContextOf(contract: PlatformContract): TreeContext {
  return {
    platform: contract.platform,
    rootPath: contract.rootPath,
    clusterVars: contract.clusterVars,
    secretVars: contract.secretVars,
    ...(contract.rootSourceKind ? { rootSourceKind: contract.rootSourceKind } : {}),
    ...(contract.subsets ? { subsets: contract.subsets } : {}),
  };
}

/** Contract keys that exist on every platform. */
export const ALWAYS_KEYS = Object.entries(CLUSTER_VARS as Record<string, ClusterVarSpec>)
  .filter(([, s]) => s.presentWhen === "always")
  .map(([k]) => k);

/** Whether a `presentWhen` condition of the contract holds for a configuration. */
export function presentFor(when: ClusterVarSpec["presentWhen"], config: PlatformConfig): boolean {
  switch (when) {
    case "always":
      return true;
    case "cluster.kind is eks":
      return config.cluster.kind === "eks";
    case "aws":
      return config.cluster.kind === "eks" || config.dns !== undefined || config.secrets !== undefined;
    case "dns":
      return config.dns !== undefined;
    case "secrets":
      return config.secrets !== undefined;
    case "platform.country":
      return config.country !== undefined;
    case "platform.site":
      return config.site !== undefined;
    case "flux.source.charts":
      return config.flux.source.charts !== undefined;
  }
}

/** cluster-vars keys a configuration yields according to the contract table (values when known). */
export function contractVars(
  config: PlatformConfig,
  platformVars: Record<string, string>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, spec] of Object.entries(CLUSTER_VARS as Record<string, ClusterVarSpec>))
    if (presentFor(spec.presentWhen, config)) out[k] = platformVars[k];
  return { ...out, ...config.flux.vars };
}

/** The contract assumed for a platform without a stack file. */
export function assumedContract(
  platform: string,
  extraVars: string[],
  prod: boolean,
  rootSourceKind?: RootSourceKind,
): PlatformContract {
  const clusterVars = Object.fromEntries([...ALWAYS_KEYS, ...extraVars].map((k) => [k, undefined]));
  return {
    platform,
    clusterVars,
    rootPath: `./clusters/${platform}`,
    prod,
    origin: "the contract's always-present keys and --vars",
    ...(rootSourceKind ? { rootSourceKind } : {}),
  };
}
