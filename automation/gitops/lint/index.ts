/** gitops:lint: a fleet repository checked as Flux 2.9 will reconcile it, before merge. */
import { checkTree } from "./checks";
import { ManifestCache } from "../shared/manifests";
import { walkTree, type RootSourceKind } from "../shared/tree";

export {
  lintFleet,
  formatFinding,
  checkDocument,
  plaintextSecret,
  LintError,
  type LintOptions,
  type LintResult,
} from "./lint";
export { findCycles } from "./cycles";
export { lintCacheDir } from "./lint";

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
 * `opts.cache`: the repository's manifests as already read (a fleet render reads them once).
 */
export async function missingClusterVars(
  repoDir: string,
  rootPath: string,
  clusterVars: Record<string, string>,
  opts: { secretVars?: string[]; rootSourceKind?: RootSourceKind; cache?: ManifestCache } = {},
): Promise<MissingVariable[]> {
  const platform = rootPath.replace(/\/$/, "").split("/").pop() ?? rootPath;
  const { cache = new ManifestCache(repoDir), ...context } = opts;
  const tree = walkTree(cache, { platform, rootPath, clusterVars, ...context });
  return checkTree(tree, { prod: false })
    .filter((f) => f.rule === "variable")
    .map((f) => ({
      variable: /\$\{([^}:=-]*)/.exec(f.message)?.[1] ?? "",
      file: f.file,
      line: f.line,
      message: f.message,
    }));
}
