/**
 * Where gitops:diff builds the platforms it does not skip: at each revision, a checkout holding what
 * their trees read, not the whole fleet repository. It holds everything outside `clusters/` and,
 * inside it, the platforms' own folders and whatever else their walks (../shared/build.ts) name,
 * grown until every input the walks record that exists at the revision is there. A revision where a
 * walk cannot vouch for its inputs (../shared/incremental.ts unvouched), or that Git's listing does
 * not stand for (../shared/treeInputs.ts), is checked out whole; so is one where kustomize fails
 * (./diff.ts builds it again there): the objects and problems are a whole checkout's.
 */
import { treeContextOf, type PlatformContract } from "../shared/contract";
import type { FleetGit, Revision } from "../shared/git";
import { unvouched } from "../shared/incremental";
import { ManifestCache } from "../shared/manifests";
import { normaliseRepoPath } from "../shared/build";
import { walkTree, type PlatformTree } from "../shared/tree";

export class BuildCheckouts {
  private readonly dirs = new Map<string, string>();
  /** Checkouts that hold part of the repository. */
  readonly partial = new Set<string>();

  constructor(private readonly git: FleetGit) {}

  /** Decide the checkouts of every revision from the platforms built at each (contracts as rendered). */
  plan(built: { rev: Revision; contract: PlatformContract }[]): void {
    const byCommit = new Map<string, { rev: Revision & { commit: string }; contracts: PlatformContract[] }>();
    for (const { rev, contract } of built) {
      if (!rev.commit) continue;
      const at = byCommit.get(rev.commit) ?? { rev: { ...rev, commit: rev.commit }, contracts: [] };
      at.contracts.push(contract);
      byCommit.set(rev.commit, at);
    }
    for (const [commit, { rev, contracts }] of byCommit) {
      const dir = this.partialFor(rev, contracts);
      this.dirs.set(commit, dir ?? this.git.checkout(rev));
      if (dir) this.partial.add(dir);
    }
  }

  /** The checkout a revision's platforms are built in. */
  dirOf(rev: Revision): string {
    return (rev.commit && this.dirs.get(rev.commit)) || this.git.checkout(rev);
  }

  private partialFor(rev: Revision & { commit: string }, contracts: PlatformContract[]): string | undefined {
    return walkedInPart(this.git, rev, contracts)?.dir;
  }
}

/**
 * The trees of `contracts` walked (without kustomize) at a commit, in a checkout holding only what
 * they read: everything outside `clusters/`, their own folders, and whatever else their walks name,
 * grown until every input that exists at the commit is there. Undefined when that cannot be: Git's
 * listing does not stand for a checkout, the repository holds a link, a walk cannot vouch for its
 * inputs or reads the whole repository, or most platforms are asked for (a whole checkout is then
 * cheaper than walking each twice).
 */
export function walkedInPart(
  git: FleetGit,
  rev: Revision & { commit: string },
  contracts: PlatformContract[],
): { dir: string; trees: PlatformTree[] } | undefined {
  const tree = git.tree(rev.commit);
  if (!tree || tree.hasLink() || contracts.length * 2 > tree.subdirs("clusters").length) return undefined;
  const covered = (paths: string[], p: string) => paths.some((h) => p === h || p.startsWith(`${h}/`));
  let paths = [
    ...tree.names(".").filter((n) => n !== "clusters"),
    ...contracts.map((c) => normaliseRepoPath(c.rootPath)).filter((p) => tree.exists(p)),
  ];
  for (;;) {
    const dir = git.partialCheckout(rev, paths);
    const cache = new ManifestCache(dir);
    const more = new Set<string>();
    const trees: PlatformTree[] = [];
    for (const contract of contracts) {
      const walked = walkTree(cache, treeContextOf(contract));
      if (unvouched(walked) || walked.inputs.has(".")) return undefined;
      for (const input of walked.inputs) if (tree.exists(input) && !covered(paths, input)) more.add(input);
      trees.push(walked);
    }
    if (!more.size) return { dir, trees };
    paths = [...paths, ...more];
  }
}
