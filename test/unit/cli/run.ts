/** Run a CLI in this process as the user would, capturing what it prints and its exit code. */
import { execute, type Cli } from "../../../cli/common";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(cli: Cli, argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await execute(cli, argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A line of a V8 stack trace (`    at fn (file:1:2)`). */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
