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
