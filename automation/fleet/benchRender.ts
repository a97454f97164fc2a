/**
 * Benchmark of `fleet render`: generates N platform stacks (copies of a template stack) in a temp
 * project and renders them all offline, printing the wall time and the peak memory (max RSS).
 *
 *   npm run fleet:bench-render -- [local|dev|prod|all] [N] [workers]
 *
 * `all` (the default) runs local, dev and prod one after another, each in its own process so each
 * peak memory is its own. Prints figures only: nothing here asserts a time.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateFleet } from "./generate";
import { loadInventory } from "./inventoryFile";
import { renderFleet } from "./render";

const TEMPLATES = ["local", "dev", "prod"];
const USAGE =
  "usage: npm run fleet:bench-render -- [local|dev|prod|all] [stacks, default 100] [workers, default 1]";

/** Peak resident memory of this process, in MiB. */
export const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;

async function benchOne(template: string, count: number, workers: number): Promise<number> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-bench-"));
  try {
    await generateFleet({ projectDir: process.cwd(), template, count, targetDir: dir });
    const inventory = await loadInventory(dir);
    const t0 = performance.now();
    const results = await renderFleet(inventory.stacks, {
      projectDir: dir,
      outDir: path.join(dir, "render"),
      workers,
    });
    const s = (performance.now() - t0) / 1000;
    const failed = results.filter((r) => r.result !== "succeeded");
    const resources = results[0]?.render?.resources ?? 0;
    console.log(
      `fleet render ${template}: ${count} stacks × ${resources} resources, ${workers} worker(s): ` +
        `${s.toFixed(2)} s (${((s * 1000) / count).toFixed(1)} ms per stack), ` +
        `peak memory ${peakMiB().toFixed(0)} MiB${workers > 1 ? " (this process; workers not counted)" : ""}, ` +
        `${failed.length} failed`,
    );
    if (failed.length) console.log(failed[0].error);
    return failed.length ? 1 : 0;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  // The template may be left out (`benchRender.ts 100` as before): all three then.
  const args = /^\d+$/.test(argv[0] ?? "") ? ["all", ...argv] : argv;
  const [template = "all", countArg = "100", workersArg = "1"] = args;
  const count = Number(countArg);
  const workers = Number(workersArg);
  if (![...TEMPLATES, "all"].includes(template) || !(count >= 1) || !(workers >= 1)) {
    console.error(USAGE);
    return 2;
  }
  if (template !== "all") return benchOne(template, count, workers);
  let code = 0;
  for (const t of TEMPLATES) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, t, countArg, workersArg], {
      stdio: "inherit",
    });
    code ||= child.status ?? 1;
  }
  return code;
}

if (require.main === module) void main(process.argv.slice(2)).then((c) => (process.exitCode = c));
