/**
 * The stack-file renders the Git-side tools need: each stack's cluster-vars, from the offline render
 * (../../render). A few stacks render in this process; many render in a pool of worker processes
 * (../../render/pool.ts) while the caller goes on (gitops:lint walks the platforms whose contracts
 * have come). Either way each render is the same job, `poolJob` below.
 */
import { availableParallelism } from "node:os";
import { inWorkers, type PoolJob } from "../../render/pool";
import { firstLine, guarded } from "./guardedRender";

/** A stack's render: its cluster-vars, or the first line of why it did not render. */
export type StackRender =
  { clusterVars: Record<string, string> } | { error: { text: string; configPath?: string } };

/** From this many renders on, they run in worker processes (loading the program in one costs seconds). */
const POOL_FROM = 32;

/** The render of one stack, the same in this process and in a pool worker. */
export const poolJob: PoolJob<{ projectDir: string }, string, StackRender> = async ({ projectDir }) => {
  const { renderStack } = await import("../../render");
  return async (stack) => {
    try {
      const rendered = await guarded(() => renderStack(projectDir, stack));
      return { clusterVars: rendered.outputs.clusterVars as Record<string, string> };
    } catch (e) {
      return { error: firstLine(e) };
    }
  };
};

/**
 * Render `stacks` in their order; `onDone` gets each as it ends. `workers`: worker processes for the
 * renders, 0 for this process; by default, from POOL_FROM stacks on, one per core but the one the
 * caller goes on working on (at least one), else this process. (Measured on two cores: a cold lint
 * of 1,000 platforms, whose walk keeps this process busy, took a median 64 s with one render worker
 * and 68 s with two.)
 */
export async function renderStacks(
  projectDir: string,
  stacks: readonly string[],
  onDone: (stack: string, render: StackRender) => void,
  workers = stacks.length >= POOL_FROM ? Math.max(1, availableParallelism() - 1) : 0,
): Promise<void> {
  if (!stacks.length) return;
  if (workers > 0) {
    await inWorkers(stacks, {
      workers,
      module: __filename,
      setup: { projectDir },
      failed: (_stack, why) => ({ error: { text: why } }),
      onDone,
    });
    return;
  }
  const render = await poolJob({ projectDir });
  for (const stack of stacks) onDone(stack, await render(stack));
}
