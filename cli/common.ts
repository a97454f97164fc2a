/** Shared plumbing of the thin CLI entry points. */
import { parseArgs } from "node:util";

/** Wrong arguments: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

type FlagSpec = Record<string, "string" | "boolean">;
type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K] extends "string" ? string : boolean };

export function parseCliArgs<S extends FlagSpec>(
  argv: string[],
  spec: S,
): { positionals: string[]; flags: Flags<S> } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type }])),
    });
    return { positionals, flags: values as Flags<S> };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Run a CLI main and set the exit code. User errors (UsageError and the given error classes) print
 * their message only and exit 1 (2 for usage); anything else is a bug and prints its stack. Never
 * rejects; resolves once the exit code is set.
 */
export function runCli(
  main: (argv: string[]) => Promise<number>,
  userErrors: (new (...a: never[]) => Error)[] = [],
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof UsageError) {
        console.error(e.message);
        process.exitCode = 2;
      } else if (e instanceof Error && userErrors.some((c) => e instanceof c)) {
        console.error(e.message);
        process.exitCode = 1;
      } else {
        console.error(e);
        process.exitCode = 1;
      }
    },
  );
}
