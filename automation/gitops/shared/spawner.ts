/**
 * Starts processes on behalf of a process that holds a lot of memory. On Linux, Node starts a child
 * with fork(), which copies the parent's page tables: the larger its resident set, the longer every
 * start takes, and the event loop waits meanwhile (nodejs/node#14917, libuv/libuv#1715). A lint of
 * hundreds of platforms holds most of a gigabyte and starts thousands of kustomize processes: a
 * profile showed a third of its main thread in `spawn`. So a small helper process, started once,
 * starts them: it runs each command as `execFile` does (the same working directory, environment,
 * timeout, kill signal and output bound) and answers with what `execFile` gave, one JSON line each.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";

/** Above this resident set, processes are started by the helper. */
export const HELPER_ABOVE_BYTES = 256 * 1024 * 1024;

/** What a run gave: its output, or the error `execFile` reports (with `stderr`, `signal`, `code`). */
export type Ran = { stdout: string } | { error: unknown };

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeout: number;
  maxBuffer: number;
  killSignal: NodeJS.Signals;
}

// The helper, plain JavaScript for `node -e`: one JSON line per request and per answer.
const HELPER = `
const { execFile } = require("node:child_process");
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buf += chunk;
  for (let i = buf.indexOf("\\n"); i >= 0; i = buf.indexOf("\\n")) {
    const r = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    const child = execFile(r.bin, r.args, { ...r.options, encoding: "utf8" }, (e, stdout, stderr) =>
      process.stdout.write(JSON.stringify(e
        ? { id: r.id, error: { message: e.message, code: e.code, signal: e.signal, stderr } }
        : { id: r.id, stdout }) + "\\n"));
    child.stdin.end();
  }
});
`;

interface Answer {
  id: number;
  stdout?: string;
  error?: { message: string; code?: unknown; signal?: unknown; stderr?: string };
}

/** One helper process, started at the first run; `dispose` lets it exit. */
export class Spawner {
  private child?: ChildProcess;
  private readonly waiting = new Map<number, (r: Ran) => void>();
  private next = 0;
  private chunks: string[] = [];

  /** @param helperAbove the resident set above which the helper starts processes (tests: 0). */
  constructor(private readonly helperAbove = HELPER_ABOVE_BYTES) {}

  private helper(): ChildProcess {
    if (this.child) return this.child;
    // Nothing of the parent's Node options (a profiler, a loader) in the helper.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ["-e", HELPER], { stdio: ["pipe", "pipe", "inherit"], env });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.read(chunk));
    // The helper gone (killed, out of memory): every run waiting fails as a run that could not start.
    child.on("exit", (code, signal) => {
      const error = new Error(`the process starting kustomize ended (${signal ?? `exit ${code}`})`);
      for (const resolve of this.waiting.values())
        resolve({ error: Object.assign(error, { stderr: error.message }) });
      this.waiting.clear();
      this.child = undefined;
    });
    this.child = child;
    this.hold(false);
    return child;
  }

  private read(chunk: string): void {
    let at = chunk.indexOf("\n");
    if (at < 0) {
      this.chunks.push(chunk);
      return;
    }
    let line = this.chunks.join("") + chunk.slice(0, at);
    this.chunks = [];
    for (;;) {
      const answer = JSON.parse(line) as Answer;
      const resolve = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (!this.waiting.size) this.hold(false);
      resolve?.(
        answer.error
          ? { error: Object.assign(new Error(answer.error.message), answer.error) }
          : { stdout: answer.stdout ?? "" },
      );
      const from = at + 1;
      at = chunk.indexOf("\n", from);
      if (at < 0) {
        if (from < chunk.length) this.chunks.push(chunk.slice(from));
        return;
      }
      line = chunk.slice(from, at);
    }
  }

  /**
   * Run `bin` with `args` as `execFile` would: in the helper once this process holds more than
   * HELPER_ABOVE_BYTES (a small one starts its own, without the helper's start).
   */
  run(bin: string, args: string[], options: RunOptions): Promise<Ran> {
    if (!this.child && process.memoryUsage.rss() < this.helperAbove)
      return new Promise((resolve) => {
        const child = execFile(bin, args, { ...options, encoding: "utf8" }, (e, stdout, stderr) =>
          resolve(e ? { error: Object.assign(e, { stderr }) } : { stdout }),
        );
        child.stdin?.end();
      });
    const id = this.next++;
    return new Promise((resolve) => {
      const child = this.helper();
      this.waiting.set(id, resolve);
      this.hold(true);
      child.stdin!.write(`${JSON.stringify({ id, bin, args, options })}\n`);
    });
  }

  /** The helper keeps this process alive only while a run waits (an idle one never holds it). */
  private hold(on: boolean): void {
    for (const handle of [this.child, this.child?.stdin, this.child?.stdout] as (
      { ref?: () => void; unref?: () => void } | undefined
    )[])
      if (on) handle?.ref?.();
      else handle?.unref?.();
  }

  /** Let the helper exit (it ends when its input does, after the runs under way). */
  dispose(): void {
    this.child?.stdin?.end();
  }
}
