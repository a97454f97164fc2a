/**
 * `gitops:lint --changed-since <ref>`: the platforms a merge request can change. A platform is linted
 * when a file that differs between <ref> and the working tree is one its tree reads (the hand-written
 * walk's inputs, ../shared/build.ts, plus charts/ whose versions the chart check reads), or its stack
 * file (or Pulumi.yaml) changed, or the walk cannot vouch for its inputs: a link in the repository, a
 * build that transforms Flux Kustomizations, a Kustomization path written with a variable, a problem
 * that stops the walk. Every other platform reads exactly what it read at <ref>: its findings there
 * are its findings here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { treeContextOf, type PlatformContract } from "../shared/contract";
import { FleetGit } from "../shared/git";
import { firstLink, reaching, unvouched, valuesFree } from "../shared/incremental";
import type { ManifestCache } from "../shared/manifests";
import { walkTree } from "../shared/tree";
import { DirHashes, TreeInputs } from "../shared/treeInputs";

export interface ChangedSelection {
  /** Why each platform is linted (the first changed file that reaches it, or what the walk cannot vouch for). */
  linted: Map<string, string>;
  /** Platforms not linted, with why. */
  skipped: Map<string, string>;
  notes: string[];
}

/** Which of `platforms` (contracts unrendered: keys and paths from the stack files) a change since `ref` reaches. */
export function changedSince(
  ref: string,
  repoDir: string,
  projectDir: string,
  cache: ManifestCache,
  platforms: PlatformContract[],
  stackFileOf: (platform: string) => string | undefined,
  inputs: TreeInputs = new TreeInputs(undefined),
): ChangedSelection {
  const git = new FleetGit(repoDir);
  const out: ChangedSelection = { linted: new Map(), skipped: new Map(), notes: [] };
  try {
    const from = { label: ref, commit: git.commit(ref) };
    const here = { label: "working tree" };
    const changed = git.changedFiles(from, here);
    const link = firstLink(repoDir);
    const hashes = new DirHashes(repoDir);
    const projectRel = path.relative(git.top, projectDir);
    const projectInRepo = !projectRel.startsWith("..") && !path.isAbsolute(projectRel);
    const stackChanges = projectInRepo
      ? git
          .changedFiles(from, here, projectRel ? `${projectRel}/` : "")
          .filter((f) => /^Pulumi\.([^/]+\.)?yaml$/.test(f))
      : [];
    if (!projectInRepo)
      out.notes.push(
        `--changed-since ${ref}: the stack files in ${projectDir} are not in the fleet repository's Git repository, so a change to them alone is not seen: lint without --changed-since after changing a stack file`,
      );
    for (const contract of platforms) {
      const p = contract.platform;
      const why = (): string | undefined => {
        if (link)
          return `the repository has a symbolic link (${link}), whose target's changes the walk cannot follow`;
        const stackFile = stackFileOf(p);
        const stackChange = stackChanges.find((f) => f === "Pulumi.yaml" || f === stackFile);
        if (stackChange) return `${stackChange} changed`;
        if (!fs.existsSync(path.join(repoDir, contract.rootPath)))
          return `${contract.rootPath} does not exist`;
        // What the tree reads: kept from an earlier run when none of it changed since (../shared/treeInputs.ts).
        const context = treeContextOf(contract);
        let read = inputs.get(context, hashes);
        if (!read) {
          const tree = walkTree(cache, context);
          const unsure = unvouched(tree);
          if (unsure) return unsure;
          read = [...tree.inputs];
          inputs.put(context, hashes, read, valuesFree(tree));
        }
        const hit = reaching([...read, "charts"], changed);
        return hit ? `${hit} changed` : undefined;
      };
      const reason = why();
      if (reason) out.linted.set(p, reason);
      else out.skipped.set(p, `no file its tree reads changed since ${ref} (${from.commit.slice(0, 7)})`);
    }
    return out;
  } finally {
    git.dispose();
  }
}
