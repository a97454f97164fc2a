/** The fleet repository's Git side for gitops:diff: refs, tags and checkouts of one revision. */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as semver from "semver";
import { sandboxEnv } from "./sandbox";
import { removeInBackground } from "./removeLater";
import { GitTreeHashes } from "./treeInputs";

/** A user error of gitops:diff (a ref that does not exist, a directory that is not a repository). */
export class DiffError extends Error {}

/**
 * Git's output is read whole: `ls-tree -r` of a 1,000-platform fleet repository is over 2 MiB, past
 * Node's 1 MiB default, which made every answer of such a repository fall back to whole checkouts.
 */
const GIT_MAX_OUTPUT = 1024 * 1024 * 1024;

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: GIT_MAX_OUTPUT,
    stdio: ["ignore", "pipe", "pipe"],
    env: sandboxEnv(),
  }).trim();
}

function tryGit(cwd: string, args: string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

/** A revision of the fleet repository: a commit, or the working tree (commit undefined). */
export interface Revision {
  /** As the user or the stack file names it, e.g. `main`, `v1.0.0`, `working tree`. */
  label: string;
  commit?: string;
}

/** The Git repository holding a fleet repository directory (which may be a subdirectory of it). */
export class FleetGit {
  readonly top: string;
  /** The fleet repository's path inside the Git repository (`` or `gitops/`). */
  readonly prefix: string;
  private readonly checkouts = new Map<string, string>();
  /** Git's answers in this run: a ref's commit, the tags reachable from a commit (one process each, not one per platform). */
  private readonly commits = new Map<string, string>();
  private readonly tagsAt = new Map<string, string[]>();
  private readonly trees = new Map<string, GitTreeHashes | undefined>();
  private readonly partials = new Map<string, { dir: string; paths: string[] }>();
  private conversion?: boolean;
  private work?: string;

  constructor(readonly repoDir: string) {
    if (!fs.existsSync(repoDir) || !fs.statSync(repoDir).isDirectory())
      throw new DiffError(
        `${repoDir} does not exist: pass the fleet repository's directory with --repo <dir>`,
      );
    const top = tryGit(repoDir, ["rev-parse", "--show-toplevel"]);
    if (!top)
      throw new DiffError(
        `${repoDir} is not in a Git repository: gitops:diff compares revisions of the fleet repository; pass its clone with --repo <dir>`,
      );
    this.top = top;
    this.prefix = git(repoDir, ["rev-parse", "--show-prefix"]);
  }

  /** The commit a ref names; DiffError naming the ref when there is none. */
  commit(ref: string): string {
    const known = this.commits.get(ref);
    if (known) return known;
    const sha = tryGit(this.repoDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (sha) this.commits.set(ref, sha);
    if (!sha)
      throw new DiffError(
        `"${ref}" is not a branch, tag or commit of the Git repository ${this.top}: see git branch -a and git tag`,
      );
    return sha;
  }

  /** The default `from`: where HEAD forked from the main branch (HEAD itself on main). */
  mergeBase(): Revision {
    for (const base of ["origin/HEAD", "origin/main", "main", "origin/master", "master"]) {
      if (!tryGit(this.repoDir, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`])) continue;
      const sha = tryGit(this.repoDir, ["merge-base", "HEAD", base]);
      if (sha) return { label: `merge base with ${base}`, commit: sha };
    }
    throw new DiffError(
      "no main or master branch to take the merge base with: name the revisions, e.g. npm run gitops:diff -- v1.0.0 HEAD",
    );
  }

  /** Tags reachable from a revision (the working tree: from HEAD). */
  tags(at: Revision): string[] {
    const commit = at.commit ?? "HEAD";
    let tags = this.tagsAt.get(commit);
    if (!tags) {
      tags = (tryGit(this.repoDir, ["tag", "--merged", commit]) ?? "").split("\n").filter(Boolean);
      this.tagsAt.set(commit, tags);
    }
    return tags;
  }

  /** The newest tag matching a semver range among those reachable from a revision (Flux's choice). */
  newestMatching(range: string, at: Revision): string | undefined {
    const candidates = this.tags(at).filter((t) => semver.valid(semver.clean(t, { loose: true })));
    const best = semver.maxSatisfying(
      candidates.map((t) => semver.clean(t, { loose: true }) as string),
      range,
      { includePrerelease: /-/.test(range) },
    );
    return best === null ? undefined : candidates.find((t) => semver.clean(t, { loose: true }) === best);
  }

  /**
   * The files of the fleet repository (relative to it) that differ between two revisions, either of
   * which may be the working tree (then files Git does not track count too, ignored ones included:
   * the tools read them). Read from the repository's own objects: nothing is fetched.
   */
  changedFiles(from: Revision, to: Revision, under = this.prefix): string[] {
    if (from.commit && from.commit === to.commit) return [];
    const scope = ["--", under || "."];
    const lines = (args: string[]) => git(this.top, args).split("\0").filter(Boolean);
    const out = new Set<string>();
    if (from.commit && to.commit)
      for (const f of lines(["diff", "--name-only", "-z", "--no-renames", from.commit, to.commit, ...scope]))
        out.add(f);
    else {
      const commit = from.commit ?? to.commit;
      if (commit)
        for (const f of lines(["diff", "--name-only", "-z", "--no-renames", commit, ...scope])) out.add(f);
      for (const f of lines(["ls-files", "--others", "-z", ...scope])) out.add(f);
    }
    return [...out]
      .filter((f) => f.startsWith(under))
      .map((f) => f.slice(under.length))
      .sort();
  }

  /**
   * The fleet repository's paths at a commit, with their content hashes (./treeInputs.ts), read with
   * one `git ls-tree`, nothing checked out. Undefined when a checkout's bytes may differ from Git's
   * (an attributes file, core.autocrlf true): then its hashes do not say what a checkout holds.
   */
  tree(commit: string): GitTreeHashes | undefined {
    if (this.trees.has(commit)) return this.trees.get(commit);
    const treeish = this.prefix ? `${commit}:${this.prefix.replace(/\/$/, "")}` : commit;
    const listing = tryGit(this.top, ["ls-tree", "-r", "-t", "-l", "-z", treeish]);
    let tree = listing === undefined ? undefined : new GitTreeHashes(listing);
    if (tree && (this.converts() || tree.hasAttributes() || this.hasAttributesAbove(commit)))
      tree = undefined;
    this.trees.set(commit, tree);
    return tree;
  }

  /**
   * Whether Git may change a file's bytes on the way out of the repository: core.autocrlf, or an
   * attributes file outside the tree (the repository's own, core.attributesFile, the user's, the system's).
   */
  private converts(): boolean {
    if (this.conversion === undefined) {
      const gitDir = path.resolve(this.top, git(this.top, ["rev-parse", "--git-common-dir"]));
      const home = os.homedir();
      const files = [
        path.join(gitDir, "info", "attributes"),
        tryGit(this.top, ["config", "--path", "core.attributesFile"]),
        path.join(process.env.XDG_CONFIG_HOME || path.join(home, ".config"), "git", "attributes"),
        "/etc/gitattributes",
        "/usr/local/etc/gitattributes",
      ];
      this.conversion =
        tryGit(this.top, ["config", "--type=bool", "core.autocrlf"]) === "true" ||
        files.some((f) => f && fs.existsSync(f));
    }
    return this.conversion;
  }

  /** Whether an attributes file sits in a directory above the fleet repository at a commit. */
  private hasAttributesAbove(commit: string): boolean {
    if (!this.prefix) return false;
    const dirs = this.prefix.replace(/\/$/, "").split("/");
    return dirs.some((_, i) => {
      const dir = dirs.slice(0, i).join("/");
      return (
        tryGit(this.top, ["cat-file", "-e", `${commit}:${dir ? `${dir}/` : ""}.gitattributes`]) !== undefined
      );
    });
  }

  /** A directory holding the fleet repository at a revision (the repository itself for the working tree). */
  checkout(rev: Revision): string {
    if (!rev.commit) return this.repoDir;
    const hit = this.checkouts.get(rev.commit);
    if (hit) return hit;
    const dir = this.extract({ ...rev, commit: rev.commit }, rev.commit, undefined);
    this.checkouts.set(rev.commit, dir);
    return dir;
  }

  /**
   * A directory holding `paths` (repository-relative, existing at the commit) of the fleet
   * repository at a commit, and what earlier calls for it asked for: a new directory whenever it
   * grows (a reader of an earlier one never sees it change). The whole checkout when there is one.
   */
  partialCheckout(rev: Revision & { commit: string }, paths: string[]): string {
    const whole = this.checkouts.get(rev.commit);
    if (whole) return whole;
    const held = this.partials.get(rev.commit);
    const covered = (p: string) => held?.paths.some((h) => p === h || p.startsWith(`${h}/`));
    if (held && paths.every(covered)) return held.dir;
    const all = [...new Set([...(held?.paths ?? []), ...paths.filter((p) => !covered(p))])].sort();
    const dir = this.extract(rev, `${rev.commit}-${this.partials.size}-${all.length}`, all);
    this.partials.set(rev.commit, { dir, paths: all });
    return dir;
  }

  /** Extract the fleet repository (only `paths` when given) at a commit into a new directory. */
  private extract(rev: Revision & { commit: string }, name: string, paths: string[] | undefined): string {
    this.work ??= fs.mkdtempSync(path.join(os.tmpdir(), "gitops-diff-"));
    const dir = path.join(this.work, name);
    fs.mkdirSync(dir);
    const treeish = this.prefix ? `${rev.commit}:${this.prefix.replace(/\/$/, "")}` : rev.commit;
    // `--` and literal pathspecs: a path is never read as an option or a pattern.
    const only = paths ? ["--", ...paths.map((p) => `:(literal)${p}`)] : [];
    if (paths && !paths.length) return dir;
    const archive = spawnSync("git", ["archive", "--format=tar", treeish, ...only], {
      cwd: this.top,
      maxBuffer: GIT_MAX_OUTPUT,
      env: sandboxEnv(),
    });
    if (archive.status !== 0)
      throw new DiffError(
        `${this.prefix || "the repository"} does not exist at ${rev.label} (${rev.commit.slice(0, 7)}): ${String(archive.stderr).trim()}`,
      );
    const tar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (tar.status !== 0) throw new Error(`tar -x failed: ${String(tar.stderr)}`);
    return dir;
  }

  /** Remove the checkouts. */
  dispose(): void {
    if (this.work) removeInBackground(this.work);
  }
}
