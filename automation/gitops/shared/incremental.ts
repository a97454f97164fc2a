/**
 * What the incremental Git-side tools decide from: the files that changed between two revisions, and
 * whether a change reaches a platform's tree (a changed file at or below one of the inputs its builds
 * recorded, BuildResult.inputs). Sound only without symbolic links inside the repository (a link's
 * target may change while the link does not), so a repository with any link is never skipped.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The first changed file (repository-relative) at, below or above one of `inputs`; undefined when none. */
export function reaching(inputs: Iterable<string>, changed: readonly string[]): string | undefined {
  if (!changed.length) return undefined;
  for (const input of inputs) {
    if (input === ".") return changed[0];
    const hit = changed.find((f) => f === input || f.startsWith(`${input}/`) || input.startsWith(`${f}/`));
    if (hit) return hit;
  }
  return undefined;
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
