/**
 * A pool job for test/integration/render/pool.test.ts: upper-cases its item, after the setup's prefix;
 * the item `die` ends the worker process on it (exit code 3).
 */
import type { PoolJob } from "../../automation/render/pool";

export const poolJob: PoolJob<{ prefix: string }, string, string> = async ({ prefix }) => {
  return async (item) => {
    if (item === "die") process.exit(3);
    return `${prefix}${item.toUpperCase()} by ${process.pid}`;
  };
};
