/**
 * What a platform's tree reads (PlatformTree.inputs, the hand-written walk's), kept on disk between
 * runs (./cache.ts, kind `inputs`) so that deciding which platforms a change reaches need not walk
 * every unchanged platform again. An entry records each input with the content hash it had; it is
 * used only where every input still hashes the same: the walk reads nothing but its inputs, so it
 * would find the same inputs again. Only a tree the walk vouches for is kept (./incremental.ts).
 *
 * A path's hash is the same whether read from a directory or from a Git commit: a file's is its Git
 * blob id, a directory's hashes its entries' names and hashes; a symbolic link (or a submodule) has
 * none, nor has a file over MAX_FILE_BYTES (the tools never read one whole), nor a directory holding
 * either. A commit is read with `git ls-tree` (one process, no checkout); its hashes stand for a checkout's only when Git converts nothing on the way out (no
 * attributes file, core.autocrlf not true), else none are given and every platform is walked.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DiskCache, programVersion } from "./cache";
import { MAX_FILE_BYTES } from "./sandbox";
import type { TreeContext } from "./tree";
import { valuesPlain } from "./incremental";

/** Content hashes of the paths of one revision; undefined for a path that has none. */
export interface PathHashes {
  of(rel: string): string | undefined;
}

const MISSING = "missing";

export function blobId(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function dirHash(entries: [string, string | undefined][]): string | undefined {
  if (entries.some(([, h]) => h === undefined)) return undefined;
  const lines = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, h]) => `${n}\0${h}`);
  return `tree:${createHash("sha256").update(lines.join("\n")).digest("hex")}`;
}

const memoised = (compute: (rel: string) => string | undefined) => {
  const memo = new Map<string, string | undefined>();
  return (rel: string) => {
    if (!memo.has(rel)) memo.set(rel, compute(rel));
    return memo.get(rel);
  };
};

/** The hashes of a directory's paths (a working tree; `.git` entries are not part of it). */
export class DirHashes implements PathHashes {
  readonly of: (rel: string) => string | undefined;
  constructor(root: string) {
    const of = (rel: string): string | undefined => {
      if (rel.split("/").includes(".git")) return MISSING;
      const abs = path.join(root, rel);
      const st = fs.lstatSync(abs, { throwIfNoEntry: false });
      if (!st) return MISSING;
      if (st.isFile()) return st.size > MAX_FILE_BYTES ? undefined : `blob:${blobId(fs.readFileSync(abs))}`;
      if (!st.isDirectory()) return undefined;
      return dirHash(
        fs
          .readdirSync(abs)
          .filter((n) => n !== ".git")
          .map((n) => [n, this.of(rel === "." ? n : `${rel}/${n}`)]),
      );
    };
    this.of = memoised(of);
  }
}

/** The hashes of a Git tree's paths, from `git ls-tree -r -t -l -z` output (paths relative to the tree). */
export class GitTreeHashes implements PathHashes {
  readonly of: (rel: string) => string | undefined;
  private readonly entries = new Map<string, { type: string; mode: string; oid: string; big: boolean }>();
  private readonly children = new Map<string, string[]>();

  constructor(listing: string) {
    for (const line of listing.split("\0")) {
      const m = /^(\d+) (\w+) ([0-9a-f]+) +(\d+|-)\t(.+)$/s.exec(line);
      if (!m) continue;
      const [, mode, type, oid, size, p] = m;
      this.entries.set(p, { type, mode, oid, big: size !== "-" && Number(size) > MAX_FILE_BYTES });
      const parent = path.posix.dirname(p);
      const list = this.children.get(parent) ?? [];
      list.push(path.posix.basename(p));
      this.children.set(parent, list);
    }
    const of = (rel: string): string | undefined => {
      const norm = path.posix.normalize(rel);
      const e = norm === "." ? { type: "tree", mode: "040000", oid: "", big: false } : this.entries.get(norm);
      if (!e) return MISSING;
      if (e.type === "blob") return e.mode === "120000" || e.big ? undefined : `blob:${e.oid}`;
      if (e.type !== "tree") return undefined;
      return dirHash(
        (this.children.get(norm) ?? []).map((n) => [n, this.of(norm === "." ? n : `${norm}/${n}`)]),
      );
    };
    this.of = memoised(of);
  }

  /** Whether the tree holds a symbolic link (the tools never skip a platform of such a repository). */
  hasLink(): boolean {
    return [...this.entries.values()].some((e) => e.mode === "120000");
  }

  /** Whether the tree holds an attributes file (Git may convert files on the way out). */
  hasAttributes(): boolean {
    return [...this.entries.keys()].some((p) => path.posix.basename(p) === ".gitattributes");
  }

  /** Whether a path (repository-relative, `./` allowed) exists in the tree. */
  exists(rel: string): boolean {
    const norm = path.posix.normalize(rel.replace(/^\.\/+/, "") || ".").replace(/\/$/, "");
    return norm === "." || this.entries.has(norm);
  }

  /** The names of a directory's entries. */
  names(rel: string): string[] {
    return this.children.get(rel) ?? [];
  }

  /** The names of a directory's subdirectories (a submodule is an empty directory in a checkout). */
  subdirs(rel: string): string[] {
    return (this.children.get(rel) ?? []).filter((n) => this.entries.get(`${rel}/${n}`)?.type !== "blob");
  }
}

/**
 * The walk inputs of platforms' trees, on disk. A tree none of whose Kustomizations holds a variable
 * (./incremental.ts valuesFree) is walked the same, whatever the cluster-vars' values and keys: the
 * values change only objects, never which Kustomizations there are, their paths, names or
 * namespaces. Its inputs are kept under its platform, root path and root source kind alone, so a
 * lint with the rendered cluster-vars keeps them for a diff or a `--changed-since` lint that walks
 * with the stack files' keys unrendered; any other tree's under its whole context.
 */
export class TreeInputs {
  hits = 0;
  private readonly disk?: DiskCache<[string, string][]>;

  constructor(cacheRoot: string | undefined) {
    if (cacheRoot) this.disk = new DiskCache(cacheRoot, "inputs");
  }

  private key(context: TreeContext, free: boolean): string {
    const { platform, rootPath, rootSourceKind } = context;
    return [
      `platform ${programVersion()}`,
      "walk inputs",
      free
        ? `no Kustomization with a variable: ${JSON.stringify({ platform, rootPath, rootSourceKind })}`
        : JSON.stringify(context),
    ].join("\n");
  }

  /** The inputs kept for a tree, when every one of them still hashes as it did; else undefined. */
  get(context: TreeContext, hashes: PathHashes | undefined): string[] | undefined {
    if (!hashes || !this.disk) return undefined;
    for (const free of valuesPlain(context) ? [true, false] : [false]) {
      const kept = this.disk.get(this.key(context, free));
      if (!kept || !kept.every(([input, hash]) => hashes.of(input) === hash)) continue;
      this.hits++;
      return kept.map(([input]) => input);
    }
    return undefined;
  }

  /**
   * Keep a vouched tree's inputs with their hashes (nothing when one has no hash); `free`: none of
   * its Kustomizations holds a variable.
   */
  put(context: TreeContext, hashes: PathHashes | undefined, inputs: Iterable<string>, free = false): void {
    if (!hashes || !this.disk) return;
    const entry: [string, string][] = [];
    for (const input of inputs) {
      const hash = input === ".." || input.startsWith("../") ? undefined : hashes.of(input);
      if (hash === undefined) return;
      entry.push([input, hash]);
    }
    this.disk.put(this.key(context, free && valuesPlain(context)), entry);
  }
}
