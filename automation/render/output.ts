/**
 * Writing output without deleting what we did not write. A folder we write holds a marker file
 * listing the files we put there; we only ever replace a folder that is absent, empty, or marked and
 * holding nothing but the files its marker lists. The new content is written beside it and swapped
 * in with renames, so a failed or interrupted write leaves the previous output whole. A single file
 * (a report) is only overwritten when it is one of ours, and never in a folder that does not exist.
 */
import { existsSync, promises as fs } from "node:fs";
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
}

/** A path as the user reads it: relative below the working directory, absolute elsewhere. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(p) : rel;
}
const display = displayPath;

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p, base)));
    else out.push(path.relative(base, p).split(path.sep).join("/"));
  }
  return out.sort();
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(dir, OUTPUT_MARKER), "utf8")) as Partial<Marker>;
    if (typeof m.writtenBy === "string" && Array.isArray(m.files)) return m as Marker;
  } catch {
    // absent or not ours
  }
  return undefined;
}

export interface OutputDirOptions {
  /** The option that named the folder, for messages (e.g. `--out`). */
  option: string;
  /** Create missing parent folders (only for a default location, never for a path the user typed). */
  createParents?: boolean;
  /**
   * Recognise an unmarked folder as our own earlier output (written before markers existed) from
   * its files, listed relative to it; only then is it replaced.
   */
  adopt?: (files: string[], dir: string) => Promise<boolean>;
}

/**
 * Throws OutputError unless `dir` may be (re)written: absent (with an existing parent, unless
 * `createParents`), empty, or written by us earlier and holding only the files we wrote.
 */
export async function checkOutputDir(dir: string, o: OutputDirOptions): Promise<void> {
  const where = `${o.option} ${display(dir)}`;
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
  if (!marker && o.adopt && (await o.adopt(await filesUnder(dir), dir))) return;
  if (!marker)
    throw new OutputError(
      `${where} is not empty and was not written by this tool (no ${OUTPUT_MARKER} in it), so nothing in it is replaced: ` +
        `choose a new or empty folder with ${o.option}, or move what it holds (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}) away yourself`,
    );
  const files = await filesUnder(dir);
  const ours = new Set([...marker.files, OUTPUT_MARKER]);
  const foreign = files.filter((f) => !ours.has(f));
  if (foreign.length)
    throw new OutputError(
      `${where} holds files this tool did not write: ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ` and ${foreign.length - 5} more` : ""}: ` +
        `move them out of the folder (it is replaced on every run), or choose another ${o.option}`,
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
    const marker: Marker = { writtenBy, files: await filesUnder(fresh) };
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
  // Checked above: only files we wrote.
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
