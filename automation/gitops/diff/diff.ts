/**
 * `gitops:diff`: what each platform gets between two revisions of the fleet repository, offline.
 * Every platform's tree is built with kustomize at the revision its root follows (a platform pinned
 * to a tag or a semver range gets the tag, not the ref), substituted with its own cluster-vars, and
 * compared object by object: added, removed, renamed and changed (field by field). Secret values
 * are never shown.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { assumedContract, treeContextOf, type PlatformContract } from "../shared/contract";
import { stackContracts } from "../shared/stackContracts";
import { DiffError, FleetGit, type Revision } from "../shared/git";
import { compare, type FleetDiff, type PlatformDiff, type Side } from "./compare";
import { buildSide, builderOf, type Builders } from "./side";
import { Skipper } from "./skip";
import { BuildCheckouts } from "./checkouts";
import { TreeInputs } from "../shared/treeInputs";
import { resolveKustomize, type KustomizeTool } from "../shared/kustomize";
import { rootSourceKindInTree, walkTree } from "../shared/tree";

export { DiffError };
export type { DiffObject, FieldChange, FleetDiff, PlatformDiff } from "./compare";

export interface DiffOptions {
  /** The fleet repository (a Git repository or a directory inside one). */
  repoDir: string;
  /** @default the merge base of HEAD with the main branch */
  from?: string;
  /** @default the working tree */
  to?: string;
  /** Directory with the stack files. @default the parent of the repository */
  projectDir?: string;
  /**
   * Preview moving the platforms pinned to a tag: their `to` side is built at this tag instead of
   * their pin (platforms on a branch or a semver range are not affected).
   */
  moveTagsTo?: string;
  /** Contracts to use instead of rendering the stack files (tests). */
  contracts?: Map<string, PlatformContract>;
  kustomize?: KustomizeTool;
  /** Cache folder for kustomize builds and stack-file renders (../shared/cache.ts); none: no cache. */
  cacheRoot?: string;
  /** Build every platform, even those no changed file reaches (the full run the incremental one equals). */
  full?: boolean;
}

/** How many platforms' builds are made ahead at once (KustomizeBuilder.prefetch). */
const PREFETCH = 16;

function follows(contract: PlatformContract): { kind: string; value: string } {
  return contract.rootRef
    ? { kind: contract.rootRef.kind, value: contract.rootRef.value }
    : { kind: "", value: "" };
}

/** The platforms to compare: those with a stack file, and those with a clusters/<platform>/ at either side. */
function platformsOf(
  contracts: Map<string, PlatformContract>,
  revs: Revision[],
  git: FleetGit,
): PlatformContract[] {
  const names = new Set(contracts.keys());
  // Read from Git's listing of a commit where it stands for a checkout (./treeInputs.ts), else from a checkout.
  const clusterDirs = (rev: Revision): string[] => {
    const tree = rev.commit ? git.tree(rev.commit) : undefined;
    if (tree) return tree.subdirs("clusters");
    const clusters = path.join(git.checkout(rev), "clusters");
    return fs.existsSync(clusters)
      ? fs
          .readdirSync(clusters, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
      : [];
  };
  const listed = revs.map((rev) => ({ rev, dirs: new Set(clusterDirs(rev)) }));
  for (const { dirs } of listed) for (const n of dirs) names.add(n);
  // Without a stack file the root's kind is the one the platform's own Kustomizations name (newest side).
  const kindOf = (n: string) => {
    const at = [...listed].reverse().find(({ dirs }) => dirs.has(n));
    return at ? rootSourceKindInTree(git.checkout(at.rev), n) : undefined;
  };
  return [...names]
    .sort()
    .map((n) => contracts.get(n) ?? assumedContract(n, [], /(^|-)prod$/.test(n), kindOf(n)));
}

/** Diff the fleet: every platform between two revisions. */
export async function diffFleet(options: DiffOptions): Promise<FleetDiff> {
  const started = Date.now();
  const tool = options.kustomize ?? resolveKustomize();
  const repoDir = path.resolve(options.repoDir);
  const git = new FleetGit(repoDir);
  const builders: Builders = new Map();
  try {
    const from: Revision = options.from
      ? { label: options.from, commit: git.commit(options.from) }
      : git.mergeBase();
    const to: Revision = options.to
      ? { label: options.to, commit: git.commit(options.to) }
      : { label: "working tree" };
    if (options.moveTagsTo && !tagCommit(git, options.moveTagsTo))
      throw new DiffError(`--tag ${options.moveTagsTo}: no such tag in ${git.top}: see git tag`);
    // A revision Git lists without a checkout is checked out only when a platform is built at it.
    for (const rev of [from, to]) if (rev.commit && !git.tree(rev.commit)) git.checkout(rev);
    const projectDir = options.projectDir ?? path.dirname(repoDir);
    // Deciding what to skip needs no render (paths and refs are the stack files' own): only the
    // platforms that are built get their stack file rendered.
    let contracts =
      options.contracts ??
      (await stackContracts(projectDir, { cacheRoot: options.cacheRoot, only: () => false })).contracts;
    const problems: string[] = [];
    const skipper = new Skipper(
      git,
      (dir) => builderOf(dir, builders, tool, options.cacheRoot).cache,
      new TreeInputs(options.cacheRoot),
    );
    const plans = platformsOf(contracts, [from, to], git).map((contract) => {
      const ref = follows(contract);
      const sideRev = (rev: Revision): Revision | string => {
        if (ref.kind === "tag") {
          const tag = rev === to && options.moveTagsTo ? options.moveTagsTo : ref.value;
          const commit = tagCommit(git, tag);
          return commit ? { label: `tag ${tag}`, commit } : `tag ${tag} does not exist in the repository`;
        }
        if (ref.kind === "semver") {
          const tag = git.newestMatching(ref.value, rev);
          return tag
            ? { label: `tag ${tag}`, commit: git.commit(`refs/tags/${tag}`) }
            : `no tag reachable from ${rev.label} matches ${ref.value}`;
        }
        return rev;
      };
      return {
        contract,
        ref,
        fromRev: sideRev(from),
        toRev: sideRev(to),
        skipped: undefined as string | undefined,
      };
    });
    const skippable = options.full
      ? []
      : plans.flatMap((p) =>
          typeof p.fromRev === "string" || typeof p.toRev === "string"
            ? []
            : [{ plan: p, contract: p.contract, from: p.fromRev, to: p.toRev }],
        );
    skipper.reasons(skippable).forEach((why, i) => (skippable[i].plan.skipped = why));
    if (!options.contracts) {
      const built = new Set(plans.filter((p) => !p.skipped).map((p) => p.contract.platform));
      const read = await stackContracts(projectDir, {
        cacheRoot: options.cacheRoot,
        only: (p) => built.has(p),
      });
      contracts = read.contracts;
      problems.push(...read.findings.map((f) => `${f.file}:${f.line}: ${f.message}`));
    }
    const toBuild = plans.filter((p) => !p.skipped);
    const checkouts = new BuildCheckouts(git);
    checkouts.plan(
      toBuild.flatMap((p) =>
        [p.fromRev, p.toRev].flatMap((rev) =>
          typeof rev === "string"
            ? []
            : [{ rev, contract: contracts!.get(p.contract.platform) ?? p.contract }],
        ),
      ),
    );
    // A kustomize failure in a partial checkout (./checkouts.ts) is built again in the whole one.
    const sideAt = (rev: Revision, contract: PlatformContract): Side => {
      const dir = checkouts.dirOf(rev);
      const side = buildSide(dir, builders, tool, contract, options.cacheRoot);
      return side.kustomizeFailed && checkouts.partial.has(dir)
        ? buildSide(git.checkout(rev), builders, tool, contract, options.cacheRoot)
        : side;
    };
    const platforms: PlatformDiff[] = [];
    for (const plan of plans) {
      const { ref, fromRev, toRev, skipped } = plan;
      const contract = contracts.get(plan.contract.platform) ?? plan.contract;
      const pinned = ref.kind === "tag" || ref.kind === "semver";
      const followed = ref.kind ? `${ref.kind} ${ref.value}` : "the refs (no stack file)";
      if (skipped) {
        const none = { added: [], removed: [], renamed: [], changed: [], problems: [] };
        platforms.push({
          platform: contract.platform,
          follows: followed,
          pinned,
          ...none,
          skipped,
          from: fromRev as Revision,
          to: toRev as Revision,
        });
        continue;
      }
      // kustomize runs on every core: the builds of the next platforms are made ahead, in parallel.
      const at = toBuild.indexOf(plan);
      if (at % PREFETCH === 0)
        for (const side of ["fromRev", "toRev"] as const) {
          const ahead = toBuild.slice(at, at + PREFETCH).filter((p) => typeof p[side] !== "string");
          for (const checkout of new Set(ahead.map((p) => checkouts.dirOf(p[side] as Revision)))) {
            const b = builderOf(checkout, builders, tool, options.cacheRoot);
            await b.builder.prefetch(
              ahead
                .filter((p) => checkouts.dirOf(p[side] as Revision) === checkout)
                .filter((p) => fs.existsSync(path.join(checkout, p.contract.rootPath)))
                .flatMap(
                  (p) =>
                    walkTree(b.cache, treeContextOf(contracts!.get(p.contract.platform) ?? p.contract))
                      .requests,
                ),
            );
          }
        }
      const unbuilt: Side = { objects: new Map(), problems: [] };
      const fromSide =
        typeof fromRev === "string" ? { ...unbuilt, problems: [fromRev] } : sideAt(fromRev, contract);
      const toSide = typeof toRev === "string" ? { ...unbuilt, problems: [toRev] } : sideAt(toRev, contract);
      platforms.push({
        platform: contract.platform,
        follows: followed,
        pinned,
        from: typeof fromRev === "string" ? { label: fromRev } : fromRev,
        to: typeof toRev === "string" ? { label: toRev } : toRev,
        ...compare(fromSide, toSide),
        problems: [
          ...fromSide.problems.map((p) => (typeof fromRev === "string" ? p : `at ${fromRev.label}: ${p}`)),
          ...toSide.problems.map((p) => (typeof toRev === "string" ? p : `at ${toRev.label}: ${p}`)),
        ].filter((p, i, all) => all.indexOf(p) === i),
      });
    }
    const changed = platforms.some(
      (p) => p.added.length + p.removed.length + p.renamed.length + p.changed.length > 0,
    );
    return { from, to, platforms, problems, changed, durationMs: Date.now() - started };
  } finally {
    for (const b of builders.values()) b.builder.dispose();
    git.dispose();
  }
}

function tagCommit(git: FleetGit, tag: string): string | undefined {
  try {
    return git.commit(`refs/tags/${tag}`);
  } catch {
    return undefined;
  }
}
