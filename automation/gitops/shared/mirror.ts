/**
 * The mirror kustomize builds in (./sandbox.ts): a copy of the repository holding nothing a build may
 * not read. Made only as far as the builds need it: the paths a build may read (BuildResult.inputs,
 * every directory it enters and every path its kustomizations name) are copied before it runs, so a
 * run that builds one platform of a thousand copies one platform's files, not the repository. A
 * build whose inputs are not known gets the whole repository, and so does a repository with a
 * symbolic link (a link's target must be in the mirror too): there it is copied whole at once, as
 * mirrorRepo does. A build that fails in a partial mirror is run again in the whole one
 * (KustomizeBuilder), so what kustomize says never depends on how much was copied.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_FILE_BYTES, mirrorRepo, type BadLink } from "./sandbox";

export class BuildMirror {
  /** Symbolic links of the repository left out of the mirror. */
  readonly badLinks: BadLink[] = [];
  private whole = false;
  /** Repository-relative paths whose whole subtree is in the mirror. */
  private readonly copied = new Set<string>();

  constructor(
    readonly repoDir: string,
    readonly dir: string,
  ) {
    fs.mkdirSync(dir);
    if (firstLink(repoDir) !== undefined) {
      this.badLinks = mirrorRepo(repoDir, dir);
      this.whole = true;
    }
  }

  /** Whether the whole repository is in the mirror. */
  get complete(): boolean {
    return this.whole;
  }

  /** Put `paths` (repository-relative, normalised) in the mirror; undefined: the whole repository. */
  ensure(paths: readonly string[] | undefined): void {
    if (this.whole) return;
    if (!paths || paths.includes(".")) {
      this.copy("");
      this.whole = true;
      return;
    }
    for (const p of paths) {
      if (p === ".." || p.startsWith("../") || path.posix.isAbsolute(p)) continue;
      if (p.split("/").includes(".git") || this.covered(p)) continue;
      fs.mkdirSync(path.join(this.dir, path.posix.dirname(p)), { recursive: true });
      this.copy(p);
      this.copied.add(p);
    }
  }

  private covered(p: string): boolean {
    for (let at = p; at !== "."; at = path.posix.dirname(at)) if (this.copied.has(at)) return true;
    return false;
  }

  /**
   * Copy `rel` and what is below it (the repository has no symbolic link: the constructor checked),
   * leaving out `.git/` and files over MAX_FILE_BYTES, as mirrorRepo does; what is already there is kept.
   */
  private copy(rel: string): void {
    const from = path.join(this.repoDir, rel);
    const st = fs.lstatSync(from, { throwIfNoEntry: false });
    if (!st) return;
    const to = path.join(this.dir, rel);
    if (st.isFile()) {
      if (st.size <= MAX_FILE_BYTES && !fs.existsSync(to)) linkOrCopy(from, to);
      return;
    }
    if (!st.isDirectory()) return;
    fs.mkdirSync(to, { recursive: true });
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      if (e.name === ".git") continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (!this.copied.has(child)) this.copy(child);
    }
  }
}

/** The first symbolic link of a directory (outside `.git/`), repository-relative; undefined when none. */
export function firstLink(dir: string, rel = ""): string | undefined {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (e.name === ".git") continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isSymbolicLink()) return child;
    if (e.isDirectory()) {
      const found = firstLink(dir, child);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A file of the mirror: a hard link to the repository's file where both are on one file system (one
 * call, no bytes copied: kustomize only reads it), a copy where they are not.
 */
function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (e) {
    if (!["EXDEV", "EPERM", "EMLINK", "ENOTSUP"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    fs.copyFileSync(from, to);
  }
}
