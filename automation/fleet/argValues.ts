/** The values of the fleet flags and their bounds, each bound with why (args.ts parses the flags). */
import * as os from "node:os";
import { SelectionError } from "./select";

/** Go-style duration (`90s`, `10m`, `1h30m`) or plain seconds, in ms. */
export function parseDurationMs(text: string, flag: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "")
    throw new SelectionError(`${flag} "${text}": expected a duration such as 90s, 10m or 1h30m`);
  const ms = ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
  if (ms > MAX_WAIT_MS)
    throw new SelectionError(
      `${flag} "${text}": at most 24h: a wait longer than a day is a stuck platform, not a slow one`,
    );
  return ms;
}

/** The longest wait a flag may ask for (one day). */
const MAX_WAIT_MS = 86_400_000;

/** Upper bounds of the count flags, each with why. */
const MAX_COUNT: Record<string, [number, string]> = {
  "--concurrency": [64, "each stack runs its own Pulumi engine; more at once only exhausts the machine"],
  "--workers": [64, "each worker is a process of its own; more than the machine's cores only slows the run"],
  "--read-concurrency": [
    1000,
    "each read holds a connection to a cluster; beyond that the machine runs out of sockets before the clusters answer faster",
  ],
};

/** The bounds of `--read-timeout`, each with why. */
const READ_TIMEOUT = { minMs: 1000, maxMs: 600_000 };

export function readTimeoutMs(text: string): number {
  const ms = parseDurationMs(text, "--read-timeout");
  if (ms < READ_TIMEOUT.minMs)
    throw new SelectionError(
      `--read-timeout "${text}": at least 1s: a cluster API server needs round trips of its own, so less reports healthy clusters as not answering`,
    );
  if (ms > READ_TIMEOUT.maxMs)
    throw new SelectionError(
      `--read-timeout "${text}": at most 10m: one read of a cluster is a few requests; a cluster that takes longer is hung, and --gate-timeout bounds the wait for Flux`,
    );
  return ms;
}

/** Render workers when --workers is not given: one per core the process may use, at most 64. */
export const defaultWorkers = (): number => Math.min(MAX_COUNT["--workers"][0], os.availableParallelism());

export function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new SelectionError(`${flag} "${text}": expected a whole number from 1`);
  const [max, why] = MAX_COUNT[flag] ?? [Number.MAX_SAFE_INTEGER, ""];
  if (Number(text) > max) throw new SelectionError(`${flag} "${text}": at most ${max}: ${why}`);
  return Number(text);
}
