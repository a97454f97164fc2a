/**
 * Classifies every row of the bad-input table and prints the counts:
 *
 *   node --import ./scripts/ts-hooks.mjs test/unit/cli/badInputReport.ts [--against <checkout>] [--verbose]
 *
 * Without --against, the CLIs of this checkout run; with it, the same commands of another checkout
 * (e.g. a `git worktree` of the code before a change, with node_modules), `{root}` in the rows
 * being that checkout. Prints one line per row that is not a clean refusal (every row with
 * --verbose), then the count of each outcome; exits 1 unless every row is refused cleanly (or,
 * against another checkout, does not apply to it).
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Cli, Io } from "../../../cli/common";
import type { BadInputRow } from "./badInputRows";
import type { Outcome } from "./badInputRun";

/** The CLI modules by command name, as cli/<file>.ts exports them. */
const MODULES: Record<string, [string, string]> = {
  render: ["render", "render"],
  check: ["check", "check"],
  "gitops:lint": ["gitops-lint", "gitopsLint"],
  "gitops:new-slice": ["gitops-new-slice", "gitopsNewSlice"],
  "gitops:diff": ["gitops-diff", "gitopsDiff"],
  "gitops:publish": ["gitops-publish", "gitopsPublish"],
  fleet: ["fleet", "fleet"],
};

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf("--against");
  const root = path.resolve(at === -1 ? path.join(__dirname, "..", "..", "..") : (argv[at + 1] ?? ""));
  const verbose = argv.includes("--verbose");
  // The rows edit the shipped stack files of the checkout they run against.
  process.env.BAD_INPUT_ROOT = root;
  const { rows: baseRows } = (await import("./badInputRows")) as { rows: BadInputRow[] };
  const { boundsRows } = (await import("./badInputRows.bounds")) as { boundsRows: BadInputRow[] };
  const { gitsideRows } = (await import("./badInputRows.gitside")) as { gitsideRows: BadInputRow[] };
  const { privilegeRows } = (await import("./badInputRows.privilege")) as { privilegeRows: BadInputRow[] };
  const { rows: secretRows } = (await import("./badInputRows.secrets")) as { rows: BadInputRow[] };
  const rows = [...baseRows, ...privilegeRows, ...secretRows, ...boundsRows, ...gitsideRows];
  const { OUTCOMES, rowTitle, runRow } = await import("./badInputRun");
  const load = (file: string) =>
    import(path.join(root, "cli", `${file}.ts`)) as Promise<Record<string, unknown>>;
  const { execute } = (await load("common")) as {
    execute: (cli: Cli, argv: string[], io: Io) => Promise<number>;
  };
  // Code that lets an exception escape must not take the report down: it counts as the row's crash.
  let current = -1;
  const escapes = new Map<number, string>();
  const escaped = (e: unknown) =>
    escapes.set(current, (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200));
  process.on("uncaughtException", escaped);
  process.on("unhandledRejection", escaped);
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const base = await fs.mkdtemp(path.join(os.tmpdir(), "bad-input-report-"));
  try {
    for (const [i, row] of rows.entries()) {
      const mod = MODULES[row.cli.spec.name];
      if (!mod) throw new Error(`no CLI module for ${row.cli.spec.name}: add it to MODULES`);
      const cli = (await load(mod[0]))[mod[1]] as Cli;
      const tmp = await fs.mkdtemp(path.join(base, "row-"));
      current = i;
      const r = await runRow(row, { tmp, root, execute, cli });
      // An exception that escapes after the command answered still belongs to this row.
      await new Promise((done) => setTimeout(done, 200));
      if (escapes.has(i) && r.outcome !== "crashed") {
        r.outcome = "crashed";
        r.why = `an exception escaped after it answered: ${escapes.get(i)}`;
      }
      counts[r.outcome]++;
      if (verbose || r.outcome !== "refused cleanly")
        console.log(`${rowTitle(row, i)}\n    ${r.outcome}${r.why ? `: ${r.why}` : ""}`);
    }
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
  console.log(`\n${rows.length} rows against ${root}:`);
  for (const o of OUTCOMES) console.log(`  ${o}: ${counts[o]}`);
  return counts["refused cleanly"] + counts["not applicable"] === rows.length ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(70);
  },
);
