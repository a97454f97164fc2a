/**
 * The Git side: one room per tool (lint/, diff/, publish/, slices/) over shared/ (the tree walk,
 * kustomize builds, substitution, schemas, the platform contract). A tool room imports shared/ and
 * never another tool room (eslint.config.mjs); this file is the folder's public face.
 */
import { ManifestCache } from "./shared/manifests";
import { treeMarkdown } from "./shared/mermaid";
import { walkTree, type RootSourceKind } from "./shared/tree";

export { rootSourceKindInTree, type RootSourceKind } from "./shared/tree";
export type { Finding } from "./shared/manifests";
export { assumedContract, ALWAYS_KEYS, type PlatformContract } from "./shared/contract";
export { stackContracts } from "./shared/stackContracts";
export { validateFluxObject, SERVED_FLUX_APIS } from "./shared/schemas";
export { findVariables, substituteString } from "./shared/substitution";
export {
  resolveInRepo,
  readRepoText,
  isRemoteReference,
  sandboxEnv,
  writeProblem,
  writeRepoFile,
  MAX_FILE_BYTES,
  MAX_YAML_ALIASES,
} from "./shared/sandbox";
export {
  resolveKustomize,
  KustomizeMissing,
  KUSTOMIZE_BUILD_COMMAND,
  type KustomizeTool,
} from "./shared/kustomize";
export * from "./lint";
export * from "./diff";
export * from "./slices";

/**
 * Mermaid markdown (render/<stack>/tree.md) of the tree the root Kustomization of `platformName`
 * applies from `rootPath` in the fleet repository at `repoDir`. `cache`: the repository's manifests
 * as already read (a fleet render reads them once for all its stacks).
 */
export async function fleetTreeMermaid(
  repoDir: string,
  platformName: string,
  rootPath: string,
  sourceLabel?: string,
  rootSourceKind?: RootSourceKind,
  cache: ManifestCache = new ManifestCache(repoDir),
): Promise<string> {
  const tree = walkTree(cache, {
    platform: platformName,
    rootPath,
    clusterVars: {},
    ...(rootSourceKind ? { rootSourceKind } : {}),
  });
  return treeMarkdown(tree, sourceLabel);
}
