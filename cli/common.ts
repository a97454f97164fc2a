/**
 * What every CLI shares: its description (`Cli`: the command's spec and what it runs), the parse
 * with `--help`/`-h`, and the one top-level handler (`execute`) that turns an error into exit code
 * and message: usage mistakes exit 2 with the usage, a user's mistake exits 1 with what, where and
 * the fix, and only a real bug prints a stack trace.
 */
import {
  formatHelp,
  parseCommand,
  UsageError,
  type CommandSpec,
  type ParsedValues,
} from "../automation/cli/args";
import { stackNameProblem } from "../stacks/stackName";
import { describeUserError } from "./errors";

export { UsageError } from "../automation/cli/args";

/** A `<stack>` argument that is not a stack name (a path, a space): a usage error, exit 2. */
export function usageIfBadStackName(stack: string): void {
  const problem = stackNameProblem(stack);
  if (problem) throw new UsageError(`<stack> ${problem}`);
}

/** Where a CLI prints: stdout for results, stderr for progress and errors. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const consoleIo: Io = {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
};

export interface RunArgs {
  subcommand?: string;
  positionals: string[];
  values: ParsedValues;
  /** The arguments as given (for CLIs that re-parse them, e.g. fleet). */
  argv: string[];
}

export interface Cli {
  spec: CommandSpec;
  /** Runs the command; resolves to the exit code. Heavy modules are imported here, not at load. */
  run(args: RunArgs, io: Io): Promise<number>;
  /** Parse `argv` itself instead of by the spec (a command with free-form options); help is handled before. */
  parse?: (argv: string[]) => Omit<RunArgs, "argv">;
}

/** Parse, run, report: resolves to the exit code; never rejects. */
export async function execute(cli: Cli, argv: string[], io: Io = consoleIo): Promise<number> {
  try {
    const end = argv.indexOf("--");
    const flags = end === -1 ? argv : argv.slice(0, end);
    if (flags.includes("--help") || flags.includes("-h")) {
      io.out(formatHelp(cli.spec));
      return 0;
    }
    let parsed: Omit<RunArgs, "argv">;
    if (cli.parse) parsed = cli.parse(argv);
    else {
      const p = parseCommand(cli.spec, argv);
      if (p.help) throw new UsageError("unreachable: help handled above");
      parsed = p;
    }
    return await cli.run({ ...parsed, argv }, io);
  } catch (e) {
    return reportError(e, cli, io);
  }
}

/** Print an error the way every CLI does; resolves to the exit code (2 usage, 1 user error, 70 bug). */
export async function reportError(e: unknown, cli: Cli, io: Io): Promise<number> {
  if (e instanceof UsageError) {
    io.err(`${e.message}\n\n${e.usage ?? formatHelp(cli.spec)}`);
    return 2;
  }
  const known = await describeUserError(e);
  if (known) {
    io.err(known.message);
    if (known.usage) io.err(`\n${formatHelp(cli.spec)}`);
    return known.usage ? 2 : 1;
  }
  io.err(
    `internal error in npm run ${cli.spec.name} (a bug, not your input: please report it with this output):\n${(e as { stack?: unknown } | undefined)?.stack ?? String(e)}`,
  );
  return 70;
}

/**
 * Run `cli` as the process (the bottom of every entry file) and set the exit code. An error that
 * escapes the run (thrown in a callback, a promise nobody awaits) goes through the same reporting
 * and ends the process, so a user's mistake never surfaces as Node's raw crash trace.
 */
export function start(cli: Cli): void {
  let reported = false;
  const escaped = (e: unknown) => {
    if (reported) return;
    reported = true;
    void reportError(e, cli, consoleIo).then((code) => process.exit(code));
  };
  process.on("uncaughtException", escaped);
  process.on("unhandledRejection", escaped);
  void execute(cli, process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

// ---------------------------------------------------------------------------------------------------
// The entry-point API from before `Cli` (parseCliArgs + runCli), kept so a CLI written against it still
// builds and gets the shared error reporting. New CLIs: write a `Cli` (spec + run) and `start` it, which
// also gives them --help, the usage on mistakes and their docs/cli.md section.

type FlagSpec = Record<string, "string" | "boolean">;
type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K] extends "string" ? string : boolean };

/** @deprecated Write a `Cli`. Strict parse of `argv`; UsageError (closest option named) on a mistake. */
export function parseCliArgs<S extends FlagSpec>(
  argv: string[],
  spec: S,
): { positionals: string[]; flags: Flags<S> } {
  const p = parseCommand(
    {
      name: "this command",
      summary: "",
      positionals: [{ name: "[arguments...]", description: "", optional: true, variadic: true }],
      options: Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type, description: k }])),
    },
    argv.filter((a) => a !== "--help" && a !== "-h"),
  );
  if (p.help) throw new UsageError("unreachable: help is filtered out above");
  const help = argv.includes("--help") || argv.includes("-h");
  // Callers that declare `help` see it; the usage of a legacy CLI is its own, so it is not attached.
  return {
    positionals: p.positionals,
    flags: { ...p.values, ...(help && "help" in spec ? { help: true } : {}) } as Flags<S>,
  };
}

/** @deprecated Write a `Cli` and `start` it. Runs `main` with the shared error reporting. */
export function runCli(
  main: (argv: string[]) => Promise<number>,
  userErrors: (new (...a: never[]) => Error)[] = [],
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const legacy: Cli = { spec: { name: "this command", summary: "", options: {} }, run: async () => 0 };
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    async (e: unknown) => {
      if (e instanceof UsageError) {
        console.error(e.usage ? `${e.message}\n\n${e.usage}` : e.message);
        process.exitCode = 2;
      } else if (e instanceof Error && userErrors.some((c) => e instanceof c)) {
        console.error(e.message);
        process.exitCode = 1;
      } else process.exitCode = await reportError(e, legacy, consoleIo);
    },
  );
}
