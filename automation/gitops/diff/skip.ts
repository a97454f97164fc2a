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
import { firstLink, reaching, unvouched } from "../shared/incremental";
import type { ManifestCache } from "../shared/manifests";
import { walkTree } from "../shared/tree";

const short = (r: Revision) => (r.commit ? `${r.label} (${r.commit.slice(0, 7)})` : r.label);

/** Decides, per platform, whether it can be skipped; memoises Git's answers per pair of revisions. */
export class Skipper {
  private readonly changed = new Map<string, string[]>();
  private readonly links = new Map<string, string | undefined>();

  constructor(
    private readonly git: FleetGit,
    private readonly cacheOf: (checkout: string) => ManifestCache,
  ) {}

  private link(checkout: string): string | undefined {
    if (!this.links.has(checkout)) this.links.set(checkout, firstLink(checkout));
    return this.links.get(checkout);
  }

  /** Why the platform need not be built (the report's wording), or undefined when it must be. */
  reason(contract: PlatformContract, from: Revision, to: Revision): string | undefined {
    const fromDir = this.git.checkout(from);
    const toDir = this.git.checkout(to);
    if (this.link(fromDir) !== undefined || this.link(toDir) !== undefined) return undefined;
    if (!fs.existsSync(path.join(fromDir, contract.rootPath))) return undefined;
    const tree = walkTree(this.cacheOf(fromDir), treeContextOf(contract));
    if (unvouched(tree)) return undefined;
    if (from.commit && from.commit === to.commit) return `both sides are ${short(to)}`;
    const pair = `${from.commit ?? ""}\0${to.commit ?? ""}`;
    let changed = this.changed.get(pair);
    if (!changed) {
      changed = this.git.changedFiles(from, to);
      this.changed.set(pair, changed);
    }
    if (reaching(tree.inputs, changed)) return undefined;
    return `no file its tree reads changed between ${short(from)} and ${short(to)}`;
  }
}
