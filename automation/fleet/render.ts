/**
 * `fleet render`: the offline render of every selected stack, written to `<out>/<stack>/`, with one
 * summary. Pulumi's mock runtime is process-global, so stacks render one after another in a process;
 * with `workers > 1` (the default: one per core) a pool of that many child processes renders them
 * (../render/pool.ts). The files written are the same either way.
 * The program (the offline engine, the stacks, every provider SDK) is loaded only where stacks render:
 * with a pool, in the workers, not in the parent that hands them out.
 */
import * as path from "node:path";
import type { FleetRepoCache } from "../render/fleetRepo";
import { inWorkers, type PoolJob } from "../render/pool";
import type { FleetStack } from "./inventory";
import { NO_CHANGES, type StackResult } from "./types";

export interface RenderFleetOptions {
  projectDir: string;
  /** Render root: each stack goes to `<outDir>/<stack>/`. */
  outDir: string;
  /**
   * The fleet repository each render is checked against, as `npm run render` does (a stack whose
   * cluster-vars leave a variable of its tree without a value fails); skipped when it does not exist.
   */
  gitopsDir?: string;
  /** Child processes; 1 renders in this process. */
  workers: number;
  onDone?: (r: StackResult) => void;
}

/** What every result of a stack starts from. */
const resultBase = (s: FleetStack) => ({
  stack: s.stack,
  wave: s.wave,
  ...(s.group ? { group: s.group } : {}),
  changes: NO_CHANGES,
});

const firstLines = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 20).join("\n");

/**
 * Render stacks one after another in this process. The fleet repository's shared files are read and
 * parsed once for all of them (`repoCache`, or a cache of this call; see FleetRepoCache).
 */
export async function renderSequential(
  stacks: readonly FleetStack[],
  o: Pick<RenderFleetOptions, "projectDir" | "outDir" | "gitopsDir" | "onDone"> & {
    repoCache?: FleetRepoCache;
  },
): Promise<StackResult[]> {
  const [
    { renderStack },
    { checkFleetRepo, describeFleetRepo, fleetRepoFails, FleetRepoCache },
    { writeRender },
  ] = await Promise.all([import("../render"), import("../render/fleetRepo"), import("../render/write")]);
  const out: StackResult[] = [];
  const repoCache = o.repoCache ?? (o.gitopsDir === undefined ? undefined : new FleetRepoCache(o.gitopsDir));
  for (const s of stacks) {
    const started = Date.now();
    const base = resultBase(s);
    let r: StackResult;
    try {
      const result = await renderStack(o.projectDir, s.stack);
      const fleet =
        o.gitopsDir === undefined ? undefined : await checkFleetRepo(result, o.gitopsDir, repoCache);
      const dir = path.join(o.outDir, s.stack);
      await writeRender(result, dir, fleet, { option: "--out", createParents: true, project: o.projectDir });
      const gap = fleetRepoFails(fleet);
      r = {
        ...base,
        result: gap ? "failed" : "succeeded",
        durationMs: Date.now() - started,
        render: { resources: result.resources.length, objects: result.objects.length, outDir: dir },
        ...(gap && fleet ? { error: firstLines(describeFleetRepo(fleet).join("\n")) } : {}),
      };
    } catch (e) {
      r = { ...base, result: "failed", durationMs: Date.now() - started, error: firstLines(e) };
    }
    o.onDone?.(r);
    out.push(r);
  }
  return out;
}

/** What a worker is told once: where to render. Then it gets one stack at a time. */
interface WorkerSetup {
  projectDir: string;
  outDir: string;
  gitopsDir?: string;
}

/** A pool worker's job (../render/pool.ts): one cache of the fleet repository for all its stacks. */
export const poolJob: PoolJob<WorkerSetup, FleetStack, StackResult> = async (setup) => {
  const { FleetRepoCache } = await import("../render/fleetRepo");
  const repoCache = setup.gitopsDir === undefined ? undefined : new FleetRepoCache(setup.gitopsDir);
  return async (stack) => (await renderSequential([stack], { ...setup, repoCache }))[0];
};

/**
 * Render the stacks, in this process or in a pool of `workers` child processes (../render/pool.ts).
 * The results come back in the order of `stacks`.
 */
export async function renderFleet(
  stacks: readonly FleetStack[],
  o: RenderFleetOptions,
): Promise<StackResult[]> {
  if (o.workers <= 1 || stacks.length <= 1) return renderSequential(stacks, o);
  return inWorkers<WorkerSetup, FleetStack, StackResult>(stacks, {
    workers: o.workers,
    module: __filename,
    setup: {
      projectDir: o.projectDir,
      outDir: o.outDir,
      ...(o.gitopsDir !== undefined ? { gitopsDir: o.gitopsDir } : {}),
    },
    failed: (s, why) => ({ ...resultBase(s), result: "failed", durationMs: 0, error: why }),
    ...(o.onDone ? { onDone: (_s: FleetStack, r: StackResult) => o.onDone?.(r) } : {}),
  });
}
