/**
 * Runs one row of the bad-input table (./badInputRows.ts) and classifies what the CLI did. Shared by
 * the table test (every row must be a clean refusal) and the report script (./badInputReport.ts),
 * which counts the classes, also against another checkout (the code before a change).
 */
import { createHash } from "node:crypto";
import { promises as fs, readdirSync, readFileSync, readlinkSync } from "node:fs";
import * as path from "node:path";
import type { Cli, Io } from "../../../cli/common";
import { NOT_APPLICABLE, type BadInputRow } from "./badInputRows";
import { STACK_LINE } from "./run";
import { commitAll } from "../gitops/hostileFleet";

/**
 * What a CLI did with a bad input, worst first: wrote or deleted files before refusing, crashed (a
 * stack trace, an internal error, an exception that escaped or no answer within ROW_TIMEOUT_MS),
 * accepted it (exit 0; whatever it wrote is its output), refused it without the exit code, option
 * or path and fix the row expects, or refused it cleanly; or the row does not apply to the checkout
 * (it edits a stack-file line that checkout does not have).
 */
export const OUTCOMES = [
  "wrote before refusing",
  "crashed",
  "accepted",
  "refused unclearly",
  "refused cleanly",
  "not applicable",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How long a row may take before it counts as a crash (a hang). */
export const ROW_TIMEOUT_MS = 120_000;

export interface RowResult {
  outcome: Outcome;
  code: number;
  printed: string;
  /** Why the row is not a clean refusal ("" when it is). */
  why: string;
}

/**
 * Every file under `dir` (hidden ones too) with a hash of its content, a symbolic link with its
 * target (never followed); {} for a missing folder. Synchronous: each row snapshots the project's
 * gitops/ folder twice, and one promise per file made that most of the table's time.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    let entries;
    try {
      entries = readdirSync(sub, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(sub, e.name);
      const key = path.relative(dir, p) + (e.isDirectory() ? "/" : "");
      if (e.isSymbolicLink()) out[key] = `-> ${readlinkSync(p)}`;
      else if (e.isDirectory()) {
        out[key] = "";
        walk(p);
      } else out[key] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/** Keys whose hash differs between two snapshots (added, removed or changed). */
function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

export interface RowContext {
  /** The row's own empty folder (`{tmp}`). */
  tmp: string;
  /** The project checkout the CLIs come from (`{root}`). */
  root: string;
  /** The `execute` of that checkout's cli/common. */
  execute: (cli: Cli, argv: string[], io: Io) => Promise<number>;
  /** The CLI to run for the row (the row's own, or the same command of that checkout). */
  cli: Cli;
}

/** Run `row` in `ctx` and classify the result. */
export async function runRow(row: BadInputRow, ctx: RowContext): Promise<RowResult> {
  const { tmp, root } = ctx;
  if (row.files && NOT_APPLICABLE in row.files)
    return {
      outcome: "not applicable",
      code: 0,
      printed: "",
      why: "its edit changes nothing in that checkout's stack file",
    };
  const fill = (s: string) => s.replaceAll("{tmp}", tmp).replaceAll("{root}", root);
  for (const [file, content] of Object.entries(row.files ?? {})) {
    await fs.mkdir(path.dirname(path.join(tmp, file)), { recursive: true });
    await fs.writeFile(path.join(tmp, file), content);
  }
  for (const [link, target] of Object.entries(row.links ?? {})) {
    await fs.mkdir(path.dirname(path.join(tmp, link)), { recursive: true });
    await fs.symlink(fill(target), path.join(tmp, link));
  }
  if (row.git) commitAll(path.join(tmp, row.git));
  const gitops = path.join(root, "gitops");
  const before = snapshot(tmp);
  const gitopsBefore = snapshot(gitops);
  const out: string[] = [];
  const err: string[] = [];
  // Code that lets an exception escape (what `execute` exists to prevent) must not take the run down.
  let escaped: (e: unknown) => void = () => undefined;
  const onEscape = (e: unknown) => escaped(e);
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  let timer: NodeJS.Timeout | undefined;
  let code: number;
  try {
    code = await Promise.race([
      ctx.execute(ctx.cli, row.argv.map(fill), { out: (t) => out.push(t), err: (t) => err.push(t) }),
      new Promise<never>((_, reject) => {
        escaped = reject;
        timer = setTimeout(() => reject(new Error(`no answer within ${ROW_TIMEOUT_MS} ms`)), ROW_TIMEOUT_MS);
      }),
    ]);
  } catch (e) {
    // execute never rejects: an escaped exception or a hang is a crash.
    err.push(`escaped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    code = 70;
  } finally {
    clearTimeout(timer);
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  }
  const printed = `${out.join("\n")}\n${err.join("\n")}`;
  const written = [
    ...changed(before, snapshot(tmp)),
    ...changed(gitopsBefore, snapshot(gitops)).map((k) => `gitops/${k}`),
  ];
  const result = (outcome: Outcome, why: string): RowResult => ({ outcome, code, printed, why });
  if (STACK_LINE.test(printed) || printed.includes("internal error") || printed.includes("\nescaped: "))
    return result("crashed", "printed a stack trace or an internal error, or an exception escaped");
  if (code === 0) return result("accepted", "exit code 0");
  if (written.length) return result("wrote before refusing", `changed: ${written.join(", ")}`);
  if (code !== row.code) return result("refused unclearly", `exit code ${code}, expected ${row.code}`);
  const missing = row.says.map((s) => fill(s).replaceAll(`${root}/`, "")).filter((s) => !printed.includes(s));
  if (missing.length)
    return result("refused unclearly", `does not say: ${missing.map((s) => JSON.stringify(s)).join(", ")}`);
  const leaked = (row.never ?? []).filter((s) => printed.includes(s));
  if (leaked.length)
    return result("refused unclearly", `printed: ${leaked.map((s) => JSON.stringify(s)).join(", ")}`);
  return result("refused cleanly", "");
}

/** A row's test name: its number, command and arguments. */
export const rowTitle = (row: BadInputRow, i: number) =>
  `${i + 1} ${row.cli.spec.name} ${row.argv.join(" ")}`;
