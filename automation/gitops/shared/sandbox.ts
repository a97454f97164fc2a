/**
 * The Git-side tools' sandbox. A fleet repository tree comes from a merge request by someone not
 * trusted with the cluster or the CI machine, so every file the tools read is resolved first
 * (`resolveInRepo`): it must lie inside the repository once symbolic links are followed, outside
 * `.git/` (where the CI job's token sits in the remote URL), and be at most MAX_FILE_BYTES. kustomize
 * only ever sees a mirror of the repository holding nothing else (`mirrorRepo`), and runs with
 * `sandboxEnv()`: Git may use no transport but local files, and no proxy is inherited. References
 * kustomize would fetch (`isRemoteReference`) are refused before it runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { hasAsciiControl } from "../../../components/k8sNames";

/** The largest file the tools read (a manifest, a patch, a generator's input). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** The most YAML aliases one document may expand (the `yaml` package's maxAliasCount). */
export const MAX_YAML_ALIASES = 100;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const slash = (p: string) => p.split(path.sep).join("/");

/** What a path of the repository is, once resolved; `problem` says why it may not be read. */
export type InRepo =
  { ok: true; real: string; stat: fs.Stats } | { ok: false; missing: boolean; problem: string };

const realRoots = new Map<string, string>();
function realRoot(repoDir: string): string {
  let r = realRoots.get(repoDir);
  if (!r) realRoots.set(repoDir, (r = fs.realpathSync(repoDir)));
  return r;
}

const inside = (root: string, real: string) => real === root || real.startsWith(root + path.sep);
const underGit = (rel: string) => rel.split("/").includes(".git");

/** The message for a symbolic link that leaves the repository (its target is never printed). */
export function linkOutMessage(link: string): string {
  return `${link} is a symbolic link that leads outside the repository: the Git-side tools read only files inside it (a merge request could otherwise print any file of the CI machine); replace the link with the file itself, or point it at a file of the repository`;
}

type Resolved = { real: string } | { missing: true } | { link: string; why: "out" | "nowhere" };

/**
 * Follow `rel` from the repository's real root one component at a time. A link's target is checked
 * lexically before anything is done with it, so no path outside the repository is ever touched
 * (not even stat'ed): the first link that leads out is named.
 */
function follow(root: string, rel: string): Resolved {
  let todo = rel.split("/").filter((p) => p && p !== ".");
  let cur = root;
  let hops = 0;
  // The last link followed (named when it leads out), and the next `pending` components come from
  // its target (it is named when they do not exist).
  let last = "";
  let pending = 0;
  while (todo.length) {
    const part = todo.shift() as string;
    const fromLink = pending > 0;
    if (pending > 0) pending--;
    if (part === "..") {
      cur = path.dirname(cur);
      continue;
    }
    const next = path.join(cur, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(next);
    } catch {
      return fromLink ? { link: last, why: "nowhere" } : { missing: true };
    }
    if (!st.isSymbolicLink()) {
      cur = next;
      continue;
    }
    last = slash(path.relative(root, next));
    if (++hops > 40) return { link: last, why: "nowhere" };
    const target = path.resolve(cur, fs.readlinkSync(next));
    if (!inside(root, target)) return { link: last, why: "out" };
    const parts = path.relative(root, target).split(path.sep).filter(Boolean);
    todo = [...parts, ...todo];
    pending = parts.length;
    cur = root;
  }
  return { real: cur };
}

/**
 * Resolve `rel` (repository-relative, `/` separators) inside `repoDir`: symbolic links are followed
 * and must end inside the repository, never under `.git/`.
 */
export function resolveInRepo(repoDir: string, rel: string): InRepo {
  const norm = path.posix.normalize(rel.replace(/^\.\/+/, "") || ".");
  if (norm === ".." || norm.startsWith("../") || path.posix.isAbsolute(norm))
    return { ok: false, missing: false, problem: `${rel} is outside the repository` };
  const git = `.git/, which is Git's own (in CI it holds the remote's credentials), not the tree: the tools never read it`;
  if (underGit(norm)) return { ok: false, missing: false, problem: `${norm} is inside ${git}` };
  const root = realRoot(repoDir);
  const r = follow(root, norm);
  if ("missing" in r) return { ok: false, missing: true, problem: `${norm} does not exist` };
  if ("link" in r)
    return {
      ok: false,
      missing: false,
      problem:
        r.why === "out"
          ? linkOutMessage(r.link)
          : `${r.link} is a symbolic link that points at nothing (or at itself): replace it with the file itself, or remove it`,
    };
  if (underGit(slash(path.relative(root, r.real))))
    return { ok: false, missing: false, problem: `${norm} leads through a symbolic link into ${git}` };
  try {
    return { ok: true, real: r.real, stat: fs.statSync(r.real) };
  } catch {
    return { ok: false, missing: true, problem: `${norm} does not exist` };
  }
}

/** The message for a file over MAX_FILE_BYTES. */
export function tooLargeMessage(rel: string, bytes: number): string {
  return `${rel} is ${mib(bytes)}, more than the ${mib(MAX_FILE_BYTES)} a file of the repository may be for the Git-side tools (and far more than Kubernetes stores in one object): split it, or keep it out of the tree`;
}

/** The text of a file of the repository, or why it may not be read. */
export function readRepoText(
  repoDir: string,
  rel: string,
): { text: string } | { problem: string; rule: string } {
  const r = resolveInRepo(repoDir, rel);
  if (!r.ok) return { problem: r.problem, rule: r.missing ? "path" : "symlink" };
  if (!r.stat.isFile()) return { problem: `${rel} is not a file`, rule: "path" };
  if (r.stat.size > MAX_FILE_BYTES) return { problem: tooLargeMessage(rel, r.stat.size), rule: "size" };
  return { text: fs.readFileSync(r.real, "utf8") };
}

/** A symbolic link of the repository that may not be followed, with why. */
export interface BadLink {
  file: string;
  problem: string;
}

/**
 * Copy the repository to `dest` (an empty directory) with nothing a build may not read: no `.git/`,
 * no file over MAX_FILE_BYTES, no symbolic link that leaves the repository, points into `.git/` or at
 * nothing. A link inside the repository stays a link, to the same place in the mirror. Returns the
 * links left out.
 */
export function mirrorRepo(repoDir: string, dest: string): BadLink[] {
  const root = realRoot(repoDir);
  const bad: BadLink[] = [];
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(repoDir, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === ".git") continue;
      const to = path.join(dest, child);
      if (e.isDirectory()) {
        fs.mkdirSync(to);
        walk(child);
      } else if (e.isFile()) {
        if (fs.statSync(path.join(repoDir, child)).size <= MAX_FILE_BYTES)
          fs.copyFileSync(path.join(repoDir, child), to);
      } else if (e.isSymbolicLink()) {
        const r = resolveInRepo(repoDir, child);
        if (!r.ok) bad.push({ file: child, problem: r.problem });
        else
          fs.symlinkSync(path.relative(path.dirname(to), path.join(dest, path.relative(root, r.real))), to);
      }
    }
  };
  walk("");
  return bad.sort((a, b) => a.file.localeCompare(b.file));
}

/** Every symbolic link of the repository (outside `.git/`) that may not be followed. */
export function badLinks(repoDir: string): BadLink[] {
  const bad: BadLink[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(repoDir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === ".git" || e.name === "node_modules") continue;
      if (e.isDirectory()) walk(child);
      else if (e.isSymbolicLink()) {
        const r = resolveInRepo(repoDir, child);
        if (!r.ok) bad.push({ file: child, problem: r.problem });
      }
    }
  };
  walk("");
  return bad.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * A reference kustomize would fetch instead of reading from the repository: a URL (`https://`,
 * `ssh://`, `file://`, …), a go-getter address (`git::…`), an scp-like `git@host:org/repo`, or a
 * hosted repository written without a scheme (`github.com/org/repo/…`).
 */
export function isRemoteReference(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    /^[a-z][a-z0-9+.-]*::/i.test(entry) ||
    /^[^/\s@:]+@[^/\s:]+:/.test(entry) ||
    /^(github\.com|gitlab\.com|bitbucket\.org|dev\.azure\.com|ssh\.dev\.azure\.com)(\/|:)/i.test(entry) ||
    /\?(ref|version|submodules|timeout)=/.test(entry)
  );
}

/** The message for a remote reference of a kustomization (`entry` printed without credentials). */
export function remoteMessage(field: string, entry: string): string {
  const shown = entry.replace(/^((?:[a-z][a-z0-9+.-]*::)?[a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
  return `${field} entry "${shown}" is fetched from outside the repository: the Git-side tools never reach the network (they run in merge-request pipelines), and what a remote base holds is not reviewed here; vendor it into the repository (a directory listed by its path), or publish it as an OCI artifact and apply it with an OCIRepository and its own Flux Kustomization`;
}

/** A proxy nobody listens on (the discard port of the loopback address). */
export const DEAD_PROXY = "http://127.0.0.1:9";

/** Variables that would let a child process (git, kustomize) reach the network, removed. */
const PROXY_VARS = /^(https?_proxy|all_proxy|no_proxy|ftp_proxy|git_proxy_command|git_ssh|git_ssh_command)$/i;

/**
 * The environment for git and kustomize: Git may only use local files (no https, ssh or git
 * transport, no prompt for a password, no ssh), no proxy is inherited, and the HTTP proxy is a
 * closed local port, so an HTTP fetch fails at once instead of reaching the network.
 */
export function sandboxEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!PROXY_VARS.test(k)) out[k] = v;
  return {
    ...out,
    // An HTTP fetch (kustomize loads http(s):// files itself) goes to a closed local port and fails.
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    GIT_ALLOW_PROTOCOL: "file",
    GIT_PROTOCOL_FROM_USER: "0",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
    GIT_SSH_COMMAND: "/bin/false",
  };
}

/**
 * Why a tool may not write `rel` (repository-relative), or undefined: every part of the path that
 * exists must be a real folder (the last a real file), never a symbolic link, which could send the
 * write anywhere, `--force` or not.
 */
export function writeProblem(repoDir: string, rel: string, tool: string): string | undefined {
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(repoDir, prefix));
    } catch {
      return undefined; // from here on, created by the tool as real folders and a real file
    }
    const last = i === parts.length;
    if (st.isSymbolicLink())
      return `${prefix} is a symbolic link: ${tool} writes only real folders and files of the repository (a link could send the write outside it); replace the link with the ${last ? "file" : "folder"} itself, or remove it`;
    if (!last && !st.isDirectory()) return `${prefix} is not a folder: ${tool} needs a folder there`;
    if (last && !st.isFile()) return `${rel} exists and is not a file: remove it`;
  }
  return undefined;
}

/**
 * Write a file checked by writeProblem: created without following a link (O_NOFOLLOW) and, without
 * `overwrite`, only if it does not exist (O_EXCL).
 */
export function writeRepoFile(repoDir: string, rel: string, content: string, overwrite: boolean): void {
  const target = path.join(repoDir, rel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const { O_WRONLY, O_CREAT, O_TRUNC, O_EXCL, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | (overwrite ? 0 : O_EXCL), 0o644);
  try {
    fs.writeFileSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

/** A line break (YAML's or Unicode's) or another control character: never in a value a tool writes or prints. */
export const hasControlCharacter = (value: string): boolean =>
  hasAsciiControl(value) || /[\u0085\u2028\u2029]/.test(value);
