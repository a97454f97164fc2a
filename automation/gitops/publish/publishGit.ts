/**
 * What gitops:publish reads from the Git checkout of the fleet repository: the commit, its date,
 * the tags at HEAD, the origin, whether the published folder is clean, and its files (those Git
 * tracks or would track; symlinks and submodules are not carried by Flux artifacts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";
import { PublishError, type SourceFile } from "./publish";
import { repoLocation } from "../shared/repoUrl";
import { redactUrl, urlProblems } from "../../../components/url";
import { hasControlCharacter } from "../shared/sandbox";

/** What `flux push artifact` leaves out by default (its --ignore-paths), as GitRepository does too. */
export const FLUX_DEFAULT_IGNORE = [
  ".git/", ".gitignore", ".gitmodules", ".gitattributes",
  "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
] as const; // prettier-ignore

export interface PublishSource {
  /** The published folder (absolute). */
  dir: string;
  /** The folder as the user named it (for messages). */
  label: string;
  commit: string;
  /** The commit's committer date (ISO 8601). */
  committed: string;
  /** Tags pointing at HEAD. */
  tagsAtHead: string[];
  /** `git remote get-url origin`, if there is one. */
  origin?: string;
  /** `git status --porcelain` lines for the folder: uncommitted changes and untracked files. */
  dirty: string[];
  /** Every file of the folder Git tracks or would track (untracked, not ignored), read from disk. */
  files: SourceFile[];
  /** Paths left out, with why (symlinks, submodules). */
  skipped: string[];
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

function tryGit(cwd: string, args: string[]): string | undefined {
  try {
    return git(cwd, args).trim();
  } catch {
    return undefined;
  }
}

/** Read the published folder `dir` (`label` as the user gave it) and its Git facts. */
export function readPublishSource(dir: string, label: string): PublishSource {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (!stat?.isDirectory())
    throw new PublishError(
      `--dir ${label}: no such folder: give the fleet repository's folder to publish (default gitops)`,
    );
  const commit = tryGit(dir, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  if (!tryGit(dir, ["rev-parse", "--show-toplevel"]))
    throw new PublishError(
      `--dir ${label} is not in a Git repository: publish from a clone of the fleet repository (the artifact names the commit it came from)`,
    );
  if (!commit) throw new PublishError(`--dir ${label}: the Git repository has no commit yet: commit first`);
  const committed = git(dir, ["show", "-s", "--format=%cI", commit]).trim();
  const tagsAtHead = (tryGit(dir, ["tag", "--points-at", "HEAD"]) ?? "").split("\n").filter(Boolean);
  const origin = tryGit(dir, ["remote", "get-url", "origin"]) || undefined;
  const dirty = git(dir, ["status", "--porcelain=v1", "--untracked-files=all", "--", "."])
    .split("\n")
    .filter(Boolean);
  const listed = git(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."])
    .split("\0")
    .filter(Boolean);
  const files: SourceFile[] = [];
  const skipped: string[] = [];
  for (const rel of [...new Set(listed)].sort()) {
    const abs = path.join(dir, rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      continue; // deleted in the working tree: reported as dirty
    }
    if (st.isSymbolicLink())
      skipped.push(`${rel} (a symbolic link: Flux artifacts carry regular files only)`);
    else if (st.isDirectory()) skipped.push(`${rel} (a Git submodule: publish its own repository)`);
    else if (st.isFile())
      files.push({ path: rel, data: fs.readFileSync(abs), executable: (st.mode & 0o100) !== 0 });
  }
  return { dir, label, commit, committed, tagsAtHead, origin, dirty, files, skipped };
}

/** The files of the fleet artifact: Flux's default ignore list and the folder's `.sourceignore` applied. */
export function fleetFiles(files: readonly SourceFile[]): SourceFile[] {
  const ig = ignore().add([...FLUX_DEFAULT_IGNORE]);
  const sourceIgnore = files.find((f) => f.path === ".sourceignore");
  if (sourceIgnore) ig.add(sourceIgnore.data.toString("utf8"));
  return files.filter((f) => !ig.ignores(f.path));
}

/** The charts under `charts/*` (a folder with Chart.yaml): each one's files relative to it, `.helmignore` applied. */
export function chartFolders(files: readonly SourceFile[]): { origin: string; files: SourceFile[] }[] {
  const names = files
    .map((f) => /^charts\/([^/]+)\/Chart\.yaml$/.exec(f.path)?.[1])
    .filter((n): n is string => n !== undefined);
  return names.map((name) => {
    const origin = `charts/${name}`;
    const own = files
      .filter((f) => f.path.startsWith(`${origin}/`))
      .map((f) => ({ ...f, path: f.path.slice(origin.length + 1) }));
    const helmIgnore = own.find((f) => f.path === ".helmignore");
    const ig = ignore();
    if (helmIgnore) ig.add(helmIgnore.data.toString("utf8"));
    return { origin, files: own.filter((f) => f.path === "Chart.yaml" || !ig.ignores(f.path)) };
  });
}

/**
 * The https URL of the Git repository for `org.opencontainers.image.source`: `--source` when given,
 * else origin's URL; ssh (`ssh://git@host/org/repo.git`) and scp (`git@host:org/repo.git`) forms
 * become `https://host/org/repo`.
 */
export function sourceUrl(given: string | undefined, origin: string | undefined): string {
  if (given !== undefined) {
    // The source is published in the artifact's annotations: a credential in it would be public.
    const unsafe = urlProblems(given, {
      schemes: ["https", "http", "ssh", "git"],
      credentialsIn: "no URL: --source is only the repository's address, published with the artifact",
    }).filter((p) => p.includes("credentials"));
    if (hasControlCharacter(given))
      throw new PublishError(
        "--source: the URL holds a newline or another control character: give it on one line",
      );
    if (unsafe.length) throw new PublishError(`--source ${redactUrl(given)}: ${unsafe.join("; ")}`);
    const loc = repoLocation(given);
    if (!loc)
      throw new PublishError(
        `--source ${redactUrl(given)}: not a Git repository URL: give its https form, e.g. https://github.com/acme-telco/platform-fleet`,
      );
    return loc.web;
  }
  if (!origin)
    throw new PublishError(
      "the Git repository has no remote origin, so the artifact's source is unknown: pass --source https://<host>/<org>/<repo>",
    );
  const loc = repoLocation(origin);
  if (!loc)
    throw new PublishError(
      `origin is ${origin}, not a URL of a hosted repository: pass --source https://<host>/<org>/<repo>`,
    );
  return loc.web;
}
