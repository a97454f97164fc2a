/**
 * The one shape of an argument problem and the one error every component throws for bad arguments.
 * A leaf module: it imports nothing of ours, so components and the program can both use it.
 */

/** One thing wrong with a component's arguments: where (dotted path) and what to do about it. */
export interface Problem {
  /** Dotted path relative to the arguments (the program prefixes its config path, e.g. `cluster.`). */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Bad arguments for one component: every problem at once, thrown before anything is created. */
export class ArgsError extends Error {
  constructor(
    /** Component class, e.g. `PlatformDns`. */
    readonly component: string,
    /** Logical name of the instance, when known. */
    readonly resourceName: string | undefined,
    readonly problems: readonly Problem[],
  ) {
    super(
      `invalid ${component} arguments${resourceName ? ` (${resourceName})` : ""}, ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p.path || "(top level)"}: ${p.message}`).join("\n"),
    );
    this.name = "ArgsError";
  }
}

/** Throw one ArgsError when there are problems; otherwise return nothing. */
export function throwIfProblems(
  component: string,
  resourceName: string | undefined,
  problems: readonly Problem[],
): void {
  if (problems.length) throw new ArgsError(component, resourceName, problems);
}

/** The problems with `prefix.` put before each path (the program's config path of a component's section). */
export const prefixProblems = (prefix: string, problems: readonly Problem[]): Problem[] =>
  problems.map((p) => ({ path: p.path ? `${prefix}.${p.path}` : prefix, message: p.message }));

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The candidate closest to `word` (a prefix of it, or a few edits away), if any is close enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}
