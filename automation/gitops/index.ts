/**
 * The Git side: lint of a fleet repository, the slice scaffolder, and what the render uses (the
 * tree picture and the variables a platform's tree needs).
 */
import { checkTree } from "./checks";
import { ManifestCache } from "./manifests";
import { treeMarkdown } from "./mermaid";
import { walkTree, type RootSourceKind } from "./tree";
export { rootSourceKindInTree, type RootSourceKind } from "./tree";

export {
  lintFleet,
  formatFinding,
  checkDocument,
  plaintextSecret,
  LintError,
  type LintOptions,
  type LintResult,
} from "./lint";
export type { Finding } from "./manifests";
export { assumedContract, stackContracts, ALWAYS_KEYS, type PlatformContract } from "./contract";
export {
  readSliceModel,
  scaffoldSlice,
  checkSliceValues,
  sliceId,
  ScaffoldError,
  type SliceModel,
} from "./newSlice";
export { parseNewSliceArgs, recordedCommand } from "./newSliceArgs";
export { validateFluxObject, SERVED_FLUX_APIS } from "./schemas";
export { findVariables, substituteString } from "./substitution";
export { findCycles } from "./cycles";
export { diffFleet, DiffError, type DiffOptions, type FleetDiff, type PlatformDiff } from "./diff";
export { fieldChanges, redact } from "./compare";
export { runGitopsDiff } from "./diffCommand";
export { diffMarkdown } from "./diffReport";
export { resolveKustomize, KustomizeMissing, KUSTOMIZE_BUILD_COMMAND, type KustomizeTool } from "./kustomize";

/**
 * Mermaid markdown (render/<stack>/tree.md) of the tree the root Kustomization of `platformName`
 * applies from `rootPath` in the fleet repository at `repoDir`.
 */
export async function fleetTreeMermaid(
  repoDir: string,
  platformName: string,
  rootPath: string,
  sourceLabel?: string,
  rootSourceKind?: RootSourceKind,
): Promise<string> {
  const tree = walkTree(new ManifestCache(repoDir), {
    platform: platformName,
    rootPath,
    clusterVars: {},
    ...(rootSourceKind ? { rootSourceKind } : {}),
  });
  return treeMarkdown(tree, sourceLabel);
}

/** A variable the tree needs that has no value. */
export interface MissingVariable {
  variable: string;
  file: string;
  line: number;
  /** The finding as gitops:lint words it. */
  message: string;
}

/**
 * Variables the tree under `rootPath` needs (strict substitution, Flux 2.9) that have no value, given
 * the cluster-vars the platform produces (and the keys of cluster-secret-vars, if any). Covers every
 * Kustomization of the tree, including those substituting from ConfigMaps of the repository.
 */
export async function missingClusterVars(
  repoDir: string,
  rootPath: string,
  clusterVars: Record<string, string>,
  opts: { secretVars?: string[]; rootSourceKind?: RootSourceKind } = {},
): Promise<MissingVariable[]> {
  const platform = rootPath.replace(/\/$/, "").split("/").pop() ?? rootPath;
  const tree = walkTree(new ManifestCache(repoDir), { platform, rootPath, clusterVars, ...opts });
  return checkTree(tree, { prod: false })
    .filter((f) => f.rule === "variable")
    .map((f) => ({
      variable: /\$\{([^}:=-]*)/.exec(f.message)?.[1] ?? "",
      file: f.file,
      line: f.line,
      message: f.message,
    }));
}
