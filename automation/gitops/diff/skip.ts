/**
 * gitops:diff's incremental side: a platform whose tree reads no file that changed between its two
 * revisions gets the same objects at both, so it is not built. What its tree reads is what the
 * hand-written walk (no kustomize, ../shared/build.ts) records at the `from` side: the directories
 * its builds enter and every path a kustomization names. A platform is built all the same when that
 * walk cannot vouch for it (../shared/incremental.ts unvouched): a link in the repository, a build
 * that transforms Flux Kustomizations, a Kustomization path or source written with a variable, or a
 * problem the walk finds (the full build says what it is, at both sides).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { treeContextOf, type PlatformContract } from "../shared/contract";
import type { FleetGit, Revision } from "../shared/git";
import { firstLink, reaching, unvouched, valuesFree } from "../shared/incremental";
import { walkedInPart } from "./checkouts";
import type { ManifestCache } from "../shared/manifests";
import { walkTree } from "../shared/tree";
import { DirHashes, type GitTreeHashes, type PathHashes, type TreeInputs } from "../shared/treeInputs";

const short = (r: Revision) => (r.commit ? `${r.label} (${r.commit.slice(0, 7)})` : r.label);

/** Decides, per platform, whether it can be skipped; memoises Git's answers per pair of revisions. */
export class Skipper {
  private readonly changed = new Map<string, string[]>();
  private readonly links = new Map<string, boolean>();
  private readonly dirHashes = new Map<string, DirHashes>();

  constructor(
    private readonly git: FleetGit,
    private readonly cacheOf: (checkout: string) => ManifestCache,
    private readonly inputs: TreeInputs,
  ) {}

  /** The revision's content hashes: Git's for a commit (nothing checked out), else the directory's. */
  private hashes(rev: Revision): { tree?: GitTreeHashes; hashes?: PathHashes } {
    const tree = rev.commit ? this.git.tree(rev.commit) : undefined;
    if (tree) return { tree, hashes: tree };
    const dir = this.git.checkout(rev);
    if (!this.dirHashes.has(dir)) this.dirHashes.set(dir, new DirHashes(dir));
    return { hashes: this.dirHashes.get(dir) };
  }

  private hasLink(rev: Revision): boolean {
    const key = rev.commit ?? "";
    if (!this.links.has(key)) {
      const { tree } = this.hashes(rev);
      this.links.set(key, tree ? tree.hasLink() : firstLink(this.git.checkout(rev)) !== undefined);
    }
    return this.links.get(key) as boolean;
  }

  /**
   * Why each platform need not be built (the report's wording), or undefined when it must be. What
   * a tree reads comes from the cache where none of it changed (../shared/treeInputs.ts); the trees
   * it does not hold are walked together at their `from` revision, in a checkout of what they read
   * (./checkouts.ts walkedInPart), or in a whole one.
   */
  reasons(items: { contract: PlatformContract; from: Revision; to: Revision }[]): (string | undefined)[] {
    const read = items.map(({ contract, from, to }) => {
      if (this.hasLink(from) || this.hasLink(to)) return undefined;
      const { tree, hashes } = this.hashes(from);
      const root = contract.rootPath;
      if (tree ? !tree.exists(root) : !fs.existsSync(path.join(this.git.checkout(from), root)))
        return undefined;
      return this.inputs.get(treeContextOf(contract), hashes) ?? null;
    });
    const missed = new Map<string, { rev: Revision; at: number[] }>();
    read.forEach((r, i) => {
      if (r !== null) return;
      const rev = items[i].from;
      const group = missed.get(rev.commit ?? "") ?? { rev, at: [] };
      group.at.push(i);
      missed.set(rev.commit ?? "", group);
    });
    for (const { rev, at } of missed.values()) {
      const contracts = at.map((i) => items[i].contract);
      const part = rev.commit ? walkedInPart(this.git, { ...rev, commit: rev.commit }, contracts) : undefined;
      const trees =
        part?.trees ?? contracts.map((c) => walkTree(this.cacheOf(this.git.checkout(rev)), treeContextOf(c)));
      const { hashes } = this.hashes(rev);
      trees.forEach((walked, k) => {
        if (unvouched(walked)) return (read[at[k]] = undefined);
        read[at[k]] = [...walked.inputs];
        this.inputs.put(walked.context, hashes, walked.inputs, valuesFree(walked));
      });
    }
    return items.map(({ from, to }, i) => {
      const inputs = read[i];
      if (!inputs) return undefined;
      if (from.commit && from.commit === to.commit) return `both sides are ${short(to)}`;
      const pair = `${from.commit ?? ""}\0${to.commit ?? ""}`;
      let changed = this.changed.get(pair);
      if (!changed) {
        changed = this.git.changedFiles(from, to);
        this.changed.set(pair, changed);
      }
      if (reaching(inputs, changed)) return undefined;
      return `no file its tree reads changed between ${short(from)} and ${short(to)}`;
    });
  }
}
