// Benchmark of `fleet render`: generates N platform stacks (copies of `local`) in a temp project and
// renders them all offline, printing the time. Usage: npx tsx automation/fleet/benchRender.ts [N] [workers]
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateFleet } from "./generate";
import { loadInventory } from "./inventoryFile";
import { renderFleet } from "./render";

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100);
  const workers = Number(process.argv[3] ?? 1);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-bench-"));
  try {
    await generateFleet({ projectDir: process.cwd(), template: "local", count, targetDir: dir });
    const inventory = await loadInventory(dir);
    const t0 = performance.now();
    const results = await renderFleet(inventory.stacks, {
      projectDir: dir,
      outDir: path.join(dir, "render"),
      workers,
    });
    const s = (performance.now() - t0) / 1000;
    const failed = results.filter((r) => r.result !== "succeeded");
    console.log(
      `fleet render: ${count} platform stacks, ${workers} worker(s): ${s.toFixed(2)} s (${((s * 1000) / count).toFixed(1)} ms per stack), ${failed.length} failed (target < 60 s)`,
    );
    if (failed.length) console.log(failed[0].error);
    process.exitCode = failed.length ? 1 : 0;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main();
