/**
 * Writing output without deleting what we did not write. A folder we write holds a marker file
 * listing the files we put there and a hash of that listing (each file's name, size and content
 * hash); we only ever replace a folder that is absent, empty, or whose current content hashes to
 * exactly what its marker says. The root of the file system, the home folder, the project and any
 * folder holding it are never replaced. The new content is written beside the folder and swapped in
 * with renames, so a failed or interrupted write leaves the previous output whole. A single file (a
 * report) is only overwritten when it is one of ours, and never in a folder that does not exist.
 */
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Name of the marker file in every folder we write. */
export const OUTPUT_MARKER = ".platform-output.json";

/** An output path the user gave that we must not write to: what, where, and the fix. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

interface Marker {
  writtenBy: string;
  files: string[];
  /** sha256 of the listing (see `listing`) of what was written. */
  listing: string;
}

/** A path as the user reads it: relative below the working directory, absolute elsewhere. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(p) : rel;
}
const display = displayPath;

/** Files under `dir` (relative, `/`-separated, sorted; anything but a file or folder too), the marker left out. */
async function filesUnder(dir: string, limit = Infinity, base = dir, out: string[] = []): Promise<string[]> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (out.length > limit) break;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await filesUnder(p, limit, base, out);
    else {
      const rel = path.relative(base, p).split(path.sep).join("/");
      if (rel !== OUTPUT_MARKER) out.push(rel);
    }
  }
  return out.sort();
}

/** sha256 of one line per file, `name size sha256(content)`: what the marker proves. */
async function listing(dir: string, files: string[]): Promise<string> {
  const lines: string[] = [];
  for (const f of files) {
    const p = path.join(dir, f);
    const st = await fs.lstat(p);
    // We write only plain files: a link or a device in the folder never matches.
    const hash = st.isFile()
      ? createHash("sha256")
          .update(await fs.readFile(p))
          .digest("hex")
      : "not a file";
    lines.push(`${JSON.stringify(f)} ${st.size} ${hash}`);
  }
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

async function readMarker(dir: string): Promise<(Partial<Marker> & Pick<Marker, "files">) | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(dir, OUTPUT_MARKER), "utf8")) as Partial<Marker>;
    if (m && typeof m === "object" && typeof m.writtenBy === "string" && Array.isArray(m.files))
      return m as Partial<Marker> & Pick<Marker, "files">;
  } catch {
    // absent or not ours
  }
  return undefined;
}

/**
 * Why `dir` may never be an output folder (replaced whole), or undefined: the root of the file
 * system, the home folder, the project folder or a folder holding it. Symbolic links resolved.
 */
export async function neverReplaced(dir: string, project: string | undefined): Promise<string | undefined> {
  const real = async (p: string): Promise<string> => {
    try {
      return await fs.realpath(p);
    } catch {
      const parent = path.dirname(p);
      return parent === p ? p : path.join(await real(parent), path.basename(p));
    }
  };
  const target = await real(path.resolve(dir));
  if (target === path.parse(target).root) return "is the root of the file system";
  if (target === (await real(os.homedir()))) return "is your home folder";
  if (project !== undefined) {
    const p = await real(path.resolve(project));
    if (p === target) return "is the project folder";
    if (!path.relative(target, p).startsWith("..")) return `holds the project folder ${display(p)}`;
  }
  return undefined;
}

export interface OutputDirOptions {
  /** The option that named the folder, for messages (e.g. `--out`). */
  option: string;
  /** Create missing parent folders (only for a default location, never for a path the user typed). */
  createParents?: boolean;
  /** The project folder: it, and any folder holding it, is refused. */
  project?: string;
}

/**
 * Throws OutputError unless `dir` may be (re)written: absent (with an existing parent, unless
 * `createParents`), empty, or holding exactly what its marker says we wrote; never the file system's
 * root, the home folder, the project or a folder holding it.
 */
export async function checkOutputDir(dir: string, o: OutputDirOptions): Promise<void> {
  const where = `${o.option} ${display(dir)}`;
  const never = await neverReplaced(dir, o.project);
  if (never)
    throw new OutputError(
      `${where} ${never}: an output folder is replaced whole, so it must be a folder of its own: choose a new folder such as render/<stack> with ${o.option}`,
    );
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat) {
    const parent = path.dirname(dir);
    if (!o.createParents && !existsSync(parent))
      throw new OutputError(
        `${where}: the folder ${display(parent)} does not exist: create it first, or choose another ${o.option}`,
      );
    return;
  }
  if (!stat.isDirectory())
    throw new OutputError(`${where} is a file, not a folder: choose a new or empty folder with ${o.option}`);
  const entries = await fs.readdir(dir);
  if (entries.length === 0) return;
  const marker = await readMarker(dir);
  if (!marker)
    throw new OutputError(
      `${where} is not empty and was not written by this tool (no ${OUTPUT_MARKER} in it), so nothing in it is replaced: ` +
        `choose a new or empty folder with ${o.option}, or move what it holds (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}) away yourself`,
    );
  const files = await filesUnder(dir, marker.files.length);
  const ours = new Set(marker.files);
  const foreign = files.filter((f) => !ours.has(f));
  if (foreign.length)
    throw new OutputError(
      `${where} holds files this tool did not write: ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ` and ${foreign.length - 5} more` : ""}: ` +
        `move them out of the folder (it is replaced on every run), or choose another ${o.option}`,
    );
  if (typeof marker.listing !== "string" || (await listing(dir, files)) !== marker.listing)
    throw new OutputError(
      `${where}: its content is not exactly what this tool wrote there (a file was changed or removed since, or its ${OUTPUT_MARKER} was not written by this tool), so nothing in it is replaced: ` +
        `move what you want to keep out of it and delete the folder yourself, or choose another ${o.option}`,
    );
}

/**
 * Replace `dir` with what `write` puts into the (empty) folder it is given: written beside `dir`,
 * marked, then swapped in. Checks `dir` first (see checkOutputDir); on failure nothing changes.
 */
export async function replaceOutputDir(
  dir: string,
  writtenBy: string,
  o: OutputDirOptions,
  write: (tmpDir: string) => Promise<void>,
): Promise<void> {
  await checkOutputDir(dir, o);
  const parent = path.dirname(dir);
  await fs.mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const fresh = path.join(parent, `.${path.basename(dir)}.new-${tag}`);
  const old = path.join(parent, `.${path.basename(dir)}.old-${tag}`);
  await fs.mkdir(fresh);
  try {
    await write(fresh);
    const files = await filesUnder(fresh);
    const marker: Marker = { writtenBy, files, listing: await listing(fresh, files) };
    await fs.writeFile(path.join(fresh, OUTPUT_MARKER), JSON.stringify(marker, null, 2) + "\n");
  } catch (e) {
    await fs.rm(fresh, { recursive: true, force: true });
    throw e;
  }
  const previous = existsSync(dir);
  if (previous) await fs.rename(dir, old);
  try {
    await fs.rename(fresh, dir);
  } catch (e) {
    if (previous) await fs.rename(old, dir);
    await fs.rm(fresh, { recursive: true, force: true });
    throw e;
  }
  // Checked above: exactly what we wrote.
  if (previous) await fs.rm(old, { recursive: true, force: true });
}

export interface OutputFileOptions {
  option: string;
  /** Whether an existing file's text is an earlier output of ours (then it may be replaced). */
  isOurs: (existing: string) => boolean;
}

/** Throws OutputError unless `file` may be written: its folder exists; absent, or one of ours. */
export async function checkOutputFile(file: string, o: OutputFileOptions): Promise<void> {
  const where = `${o.option} ${display(file)}`;
  const parent = path.dirname(path.resolve(file));
  const parentStat = await fs.stat(parent).catch(() => undefined);
  if (!parentStat?.isDirectory())
    throw new OutputError(
      `${where}: the folder ${display(parent)} does not exist: create it first, or choose another path`,
    );
  const stat = await fs.stat(file).catch(() => undefined);
  if (stat?.isDirectory()) throw new OutputError(`${where} is a folder: give a file name`);
  if (stat && !o.isOurs(await fs.readFile(file, "utf8")))
    throw new OutputError(
      `${where} exists and is not a report written by this tool, so it is not overwritten: choose another path, or remove it yourself`,
    );
}

/**
 * Write one file (a report) atomically (beside, then renamed): refuses a missing folder (never
 * creates one) and an existing file that `isOurs` does not recognise.
 */
export async function writeOutputFile(file: string, text: string, o: OutputFileOptions): Promise<void> {
  await checkOutputFile(file, o);
  const target = path.resolve(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.new-${process.pid}`);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, target);
}
