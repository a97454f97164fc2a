// Small helpers shared by the harness: free loopback ports, bounded polling, commands, timing.
import { execFile } from "node:child_process";
import * as net from "node:net";

const handedOut = new Set<number>();

/** A TCP port free on 127.0.0.1 right now (never the same one twice in a run). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        const p = typeof addr === "object" && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free port on 127.0.0.1");
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined, or throws after
 * `timeoutMs` with `what` and the last reason the probe gave. `check` runs each round (e.g. a
 * process-liveness check) and may throw to stop early.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; check?: () => void; lastReason?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    opts.check?.();
    try {
      const v = await probe();
      if (v !== undefined) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      // When the last look failed (a 403, a refused connection), that failure is the reason: what
      // lastReason describes is then stale or, for an object never read, a wrong "not found".
      const reason = lastError ?? opts.lastReason?.() ?? "";
      throw new Error(
        `timed out after ${opts.timeoutMs / 1000}s waiting for ${what}${reason ? `: ${reason}` : ""}`,
      );
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by `timeoutMs`); rejects with its output on failure. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const msg = `${command} ${args.join(" ")} failed: ${err.message}\n${stderr}${stdout}`.trim();
          reject(new Error(msg));
        } else resolve({ stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a command to completion (bounded by `timeoutMs`) and resolves with its exit code and output. */
export function runStatus(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult & { code: number | string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number | string }).code ?? err.message) : 0;
        resolve({ stdout, stderr, code: err && err.killed ? "killed (timeout)" : code });
      },
    );
  });
}

/** Seconds since `start` (a `Date.now()` value), one decimal. */
export const secondsSince = (start: number) => Math.round((Date.now() - start) / 100) / 10;

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const v = await fn();
  return [v, secondsSince(start)];
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export const canonical = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : x,
  );
