/**
 * Classifies every row of the bad-input table and prints the counts:
 *
 *   node --import ./scripts/ts-hooks.mjs test/unit/cli/badInputReport.ts [--against <checkout>] [--verbose]
 *
 * Without --against, the CLIs of this checkout run; with it, the same commands of another checkout
 * (e.g. a `git worktree` of the code before a change, with node_modules), `{root}` in the rows
 * being that checkout. Prints one line per row that is not a clean refusal (every row with
 * --verbose), then the count of each outcome; exits 1 unless every row is refused cleanly.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Cli, Io } from "../../../cli/common";
import { rows } from "./badInputRows";
import { OUTCOMES, rowTitle, runRow, type Outcome } from "./badInputRun";

/** The CLI modules by command name, as cli/<file>.ts exports them. */
const MODULES: Record<string, [string, string]> = {
  render: ["render", "render"],
  check: ["check", "check"],
  "gitops:lint": ["gitops-lint", "gitopsLint"],
  "gitops:new-slice": ["gitops-new-slice", "gitopsNewSlice"],
  fleet: ["fleet", "fleet"],
};

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf("--against");
  const root = path.resolve(at === -1 ? path.join(__dirname, "..", "..", "..") : (argv[at + 1] ?? ""));
  const verbose = argv.includes("--verbose");
  const load = (file: string) => import(path.join(root, "cli", `${file}.ts`)) as Promise<Record<string, unknown>>;
  const { execute } = (await load("common")) as {
    execute: (cli: Cli, argv: string[], io: Io) => Promise<number>;
  };
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const base = await fs.mkdtemp(path.join(os.tmpdir(), "bad-input-report-"));
  try {
    for (const [i, row] of rows.entries()) {
      const mod = MODULES[row.cli.spec.name];
      if (!mod) throw new Error(`no CLI module for ${row.cli.spec.name}: add it to MODULES`);
      const cli = (await load(mod[0]))[mod[1]] as Cli;
      const tmp = await fs.mkdtemp(path.join(base, "row-"));
      const r = await runRow(row, { tmp, root, execute, cli });
      counts[r.outcome]++;
      if (verbose || r.outcome !== "refused cleanly")
        console.log(`${rowTitle(row, i)}\n    ${r.outcome}${r.why ? `: ${r.why}` : ""}`);
    }
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
  console.log(`\n${rows.length} rows against ${root}:`);
  for (const o of OUTCOMES) console.log(`  ${o}: ${counts[o]}`);
  return counts["refused cleanly"] === rows.length ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(70);
  },
);
