/**
 * The Git-side tools' cache on disk: results that depend only on file contents (kustomize builds,
 * stack-file renders), keyed by the program's version, the tool's version and the content hash of
 * every input file. Under the user's cache folder, never inside a repository:
 * `$PLATFORM_GITOPS_CACHE`, else `$XDG_CACHE_HOME/platform/gitops`, else `~/.cache/platform/gitops`;
 * `PLATFORM_GITOPS_CACHE=off` (or the commands' `--no-cache`) turns it off. An entry is trusted only
 * when it names its own key and its value hashes to the hash it records: anything else (a truncated
 * write, another program's file, an edit) is ignored and rebuilt.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAX_FILE_BYTES } from "./sandbox";

const PROGRAM_ROOT = path.resolve(__dirname, "../../..");
/** The folders of the program's source whose code makes what the cache holds (renders, contracts, walks). */
const SOURCE_DIRS = ["automation", "components", "stacks"];

let versionMemo: string | undefined;
/**
 * The program's version (package.json) and a hash of its source files and locked dependencies, part
 * of every key: another version, or a checkout whose code changed under the same version, never
 * reads an old entry. Computed once per process (a few hundred small files).
 */
export function programVersion(): string {
  if (versionMemo) return versionMemo;
  const hash = createHash("sha256");
  const walk = (rel: string) => {
    for (const e of fs
      .readdirSync(path.join(PROGRAM_ROOT, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && /\.(ts|json)$/.test(e.name))
        hash
          .update(`${child}\0`)
          .update(fs.readFileSync(path.join(PROGRAM_ROOT, child)))
          .update("\0");
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  const lock = path.join(PROGRAM_ROOT, "package-lock.json");
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  const { version } = JSON.parse(fs.readFileSync(path.join(PROGRAM_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  return (versionMemo = `${version}+${hash.digest("hex").slice(0, 16)}`);
}

export const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** A user error of the cache's configuration (a folder inside the repository). */
export class CacheError extends Error {}

/**
 * The cache folder, or undefined when turned off. Throws CacheError when it would be inside
 * `repoDir` (entries must never land in a repository, nor be read from one).
 */
export function cacheDir(repoDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.PLATFORM_GITOPS_CACHE;
  if (set === "off") return undefined;
  const dir = path.resolve(
    set || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "platform", "gitops"),
  );
  const real = (p: string) => {
    let probe = p;
    while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
    return path.join(fs.realpathSync(probe), path.relative(probe, p));
  };
  const repo = real(path.resolve(repoDir));
  const inside = path.relative(repo, real(dir));
  if (!inside || (!inside.startsWith("..") && !path.isAbsolute(inside)))
    throw new CacheError(
      `the gitops cache folder ${dir} is inside the repository ${repoDir}: set PLATFORM_GITOPS_CACHE to a folder outside it (or to off)`,
    );
  return dir;
}

/** One kind of entry (`kustomize`, `contract`) in the cache folder. */
export class DiskCache<T> {
  hits = 0;
  misses = 0;
  private readonly dir: string;

  constructor(root: string, kind: string) {
    this.dir = path.join(root, kind);
  }

  private file(key: string): string {
    return path.join(this.dir, `${sha256(key)}.json`);
  }

  /** The value stored under `key`, if an entry holds it and verifies; undefined otherwise. */
  get(key: string): T | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file(key), "utf8");
    } catch {
      this.misses++;
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { key?: unknown; hash?: unknown; value?: unknown };
      const value = JSON.stringify(entry.value);
      if (entry.key === key && typeof value === "string" && entry.hash === sha256(value)) {
        this.hits++;
        return entry.value as T;
      }
    } catch {
      /* not an entry of ours: ignored, and overwritten by the next put */
    }
    this.misses++;
    return undefined;
  }

  /** Store a value (written whole or not at all; a folder that cannot be written is no error). */
  put(key: string, value: T): void {
    const text = JSON.stringify({ key, hash: sha256(JSON.stringify(value)), value });
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(tmp, text, { mode: 0o600 });
      fs.renameSync(tmp, this.file(key));
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

/**
 * Content hashes of the paths of a repository as a build's mirror holds them (./mirror.ts): a file's
 * bytes, a directory's entries recursively, `missing` for nothing there; `.git/` and files over
 * MAX_FILE_BYTES are not in a mirror, so they count as absent. A symbolic link has none (its target
 * may change while it does not), nor has a directory holding one. Read from the repository itself,
 * which does not change while a run asks (a hit then copies nothing).
 */
export class ContentHashes {
  private readonly memo = new Map<string, string | undefined>();
  constructor(readonly root: string) {}

  of(rel: string): string | undefined {
    if (this.memo.has(rel)) return this.memo.get(rel);
    const abs = path.join(this.root, rel);
    const st = rel.split("/").includes(".git") ? undefined : fs.lstatSync(abs, { throwIfNoEntry: false });
    let out: string | undefined;
    if (!st || (st.isFile() && st.size > MAX_FILE_BYTES)) out = "missing";
    else if (st.isFile()) out = `file:${sha256(fs.readFileSync(abs))}`;
    else if (st.isDirectory()) {
      const parts = fs
        .readdirSync(abs)
        .sort()
        .map((name) => [name, this.of(rel === "." ? name : `${rel}/${name}`)])
        .filter(([, h]) => h !== "missing");
      out = parts.some(([, h]) => h === undefined)
        ? undefined
        : `dir:${sha256(parts.map((p) => p.join("\0")).join("\n"))}`;
    }
    this.memo.set(rel, out);
    return out;
  }
}
