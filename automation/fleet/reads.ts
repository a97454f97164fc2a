/**
 * Cluster reads at fleet scale: at most `concurrency` reads in flight across the whole run (apart
 * from `--concurrency`, which bounds Pulumi engines), and each read given up after `timeoutMs`, so
 * a cluster that does not answer is reported as such and holds one slot for that long, never the
 * others. A run of N clusters then takes about N / concurrency × the time of one read.
 */
import type { FluxReader, FluxTarget } from "./types";

/** A counting semaphore: at most `limit` holders at once, served in arrival order. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.#free = limit;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

export interface ReadLimits {
  /** Cluster reads in flight at once, over every stack of the run (`--read-concurrency`). */
  concurrency: number;
  /** How long one read may take once started (`--read-timeout`); the wait for a slot is not counted. */
  timeoutMs: number;
}

/** The defaults of `--read-concurrency` and `--read-timeout`. */
export const DEFAULT_READ_LIMITS: ReadLimits = { concurrency: 50, timeoutMs: 15_000 };

/** `15 s`, `1.5 s`, `200 ms`. */
export const formatMs = (ms: number): string =>
  ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;

/** A read that got no answer within the read timeout. */
export class ClusterReadTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClusterReadTimeout";
  }
}

/**
 * The reader with every call (status read, details, reconcile request) taking one of `concurrency`
 * slots shared by all stacks, and failing with a ClusterReadTimeout after `timeoutMs`: the call's
 * signal is aborted then and the slot freed even if the call ignores it (a hung exec plugin, say).
 */
export function boundedReader(reader: FluxReader, limits: ReadLimits): FluxReader {
  const slots = new Semaphore(Math.max(1, limits.concurrency));
  const bounded = async <T>(
    what: string,
    target: FluxTarget,
    signal: AbortSignal,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    await slots.acquire();
    const inner = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort = () => {};
    try {
      if (signal.aborted) throw new Error(`${what}: cancelled`);
      const gaveUp = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const e = new ClusterReadTimeout(
            `${what} of stack ${target.stack}: no answer from its cluster in ${formatMs(limits.timeoutMs)} (--read-timeout): the API server is down, unreachable or hung`,
          );
          inner.abort(e);
          reject(e);
        }, limits.timeoutMs);
        onAbort = () => {
          inner.abort(signal.reason);
          reject(new Error(`${what}: cancelled`));
        };
        signal.addEventListener("abort", onAbort, { once: true });
      });
      const answer = call(inner.signal);
      answer.catch(() => undefined);
      return await Promise.race([answer, gaveUp]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      slots.release();
    }
  };
  return {
    read: (target, signal) => bounded("reading Flux", target, signal, (s) => reader.read(target, s)),
    ...(reader.readDetails
      ? {
          readDetails: (target, signal) =>
            bounded("listing Flux objects", target, signal, (s) => reader.readDetails!(target, s)),
        }
      : {}),
    ...(reader.requestReconcile
      ? {
          requestReconcile: (target, object, token, signal) =>
            bounded("requesting a reconcile", target, signal, (s) =>
              reader.requestReconcile!(target, object, token, s),
            ),
        }
      : {}),
  };
}
