/**
 * A pool of child processes that render stacks: Pulumi's mock runtime is process-global, so one
 * process renders one stack at a time, and a pool of them uses every core. Each worker loads the
 * program once, then takes the next item as soon as it is done with one, so a slow stack does not
 * hold a whole share; it is sent the next items ahead (AHEAD), so it never waits for a busy parent.
 * Two callers: `fleet render` (../fleet/render.ts) and the Git-side tools' stack-file renders
 * (../gitops/shared/stackRenders.ts).
 *
 * What a worker does is a module's `poolJob(setup)`, which returns the function run on each item;
 * items, results and the setup cross the process boundary as JSON (Node's IPC).
 */
import { fork } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

/** What a worker module exports: called once per worker with the setup, it returns the job per item. */
export type PoolJob<Setup, Item, Result> = (setup: Setup) => Promise<(item: Item) => Promise<Result>>;

export interface PoolOptions<Setup, Item, Result> {
  /** Child processes; at most one per item. */
  workers: number;
  /** Absolute path of the module whose `poolJob` export the workers run. */
  module: string;
  setup: Setup;
  /** The result of an item whose worker died on it, or that no worker reached. */
  failed: (item: Item, why: string) => Result;
  /** Each result as it comes, in the order the workers finish them. */
  onDone?: (item: Item, result: Result) => void;
}

/** The worker process runs TypeScript through the project's loader, whatever runs the parent. */
const TS_HOOKS = pathToFileURL(path.resolve(__dirname, "../../scripts/ts-hooks.mjs")).href;
const WORKER_FLAG = "--render-pool-worker";
/** Items a worker is sent ahead of the one it is on. */
const AHEAD = 8;

/** Run `items` in a pool of worker processes; the results come back in the order of `items`. */
export async function inWorkers<Setup, Item, Result>(
  items: readonly Item[],
  o: PoolOptions<Setup, Item, Result>,
): Promise<Result[]> {
  const queue = items.map((item, index) => ({ item, index }));
  const results = new Map<number, Result>();
  const finish = (index: number, result: Result) => {
    if (results.has(index)) return;
    results.set(index, result);
    o.onDone?.(items[index], result);
  };
  const worker = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const child = fork(__filename, [WORKER_FLAG], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        ...(__filename.endsWith(".ts") ? { execArgv: ["--import", TS_HOOKS] } : {}),
      });
      // Items sent and not yet done, in order: a worker has the next ones already when it is done with
      // one, so it never waits for a parent busy with other work (gitops:lint walks meanwhile).
      const inFlight: typeof queue = [];
      let rendered = 0;
      const topUp = () => {
        while (inFlight.length < AHEAD && queue.length) {
          const next = queue.shift()!;
          inFlight.push(next);
          child.send({ item: next.item });
        }
        if (!inFlight.length) child.disconnect();
      };
      child.on("message", (m: { done?: Result }) => {
        const current = inFlight.shift();
        if (!("done" in m) || !current) return;
        finish(current.index, m.done as Result);
        rendered++;
        topUp();
      });
      // A worker that dies fails the item it was on; the items sent after it go back to the queue, for
      // the other workers and for a new one, unless this one died before it rendered anything (then
      // it is the program that does not load, and a new one would die too).
      let ended = false;
      const died = (why: string) => {
        if (ended) return;
        ended = true;
        const current = inFlight.shift();
        if (current) finish(current.index, o.failed(current.item, `the render worker rendering it ${why}`));
        queue.unshift(...inFlight.splice(0));
        if (rendered > 0 && queue.length) void worker().then(resolve);
        else resolve();
      };
      child.on("error", (e) => died(`could not run: ${e.message}`));
      child.on("exit", (code, signal) => died(`exited (${signal ?? `code ${code}`})`));
      child.send({ setup: { module: o.module, setup: o.setup } });
      topUp();
    });
  await Promise.all(Array.from({ length: Math.min(Math.max(o.workers, 1), items.length) }, worker));
  // An item no worker took (every worker died first) is reported, not dropped.
  return items.map(
    (item, index) =>
      results.get(index) ?? o.failed(item, "not rendered: every render worker exited before reaching it"),
  );
}

if (process.argv.includes(WORKER_FLAG) && process.send) {
  let job: ((item: unknown) => Promise<unknown>) | undefined;
  // Messages are handled in order: the items wait for the program to load.
  let queue = Promise.resolve();
  process.on("message", (m: { setup?: { module: string; setup: unknown }; item?: unknown }) => {
    queue = queue.then(async () => {
      if (m.setup) {
        const mod = (await import(m.setup.module)) as { poolJob: PoolJob<unknown, unknown, unknown> };
        job = await mod.poolJob(m.setup.setup);
      } else if ("item" in m && job) process.send?.({ done: await job(m.item) });
    });
  });
  process.on("disconnect", () => void queue.then(() => process.exit(0)));
}
