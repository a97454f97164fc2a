/**
 * Progress of a fleet run: on a terminal, a live line per stack (state, elapsed, resource changes)
 * redrawn in place; in CI (or when output is piped), plain timestamped lines, one per state change.
 * Also the per-stack log files that keep Pulumi's own output (fleet-logs/<stack>.log).
 */
import { createWriteStream, mkdirSync } from "node:fs";
import * as path from "node:path";
import type { FleetStack } from "./inventory";
import type { LogSink, ProgressSink } from "./driver";
import { formatDuration } from "./table";
import type { ChangeCounts, LiveState } from "./types";

export interface LiveEntry {
  stack: string;
  wave: number;
  state: LiveState;
  startedAt?: number;
  endedAt?: number;
  changes?: ChangeCounts;
  message?: string;
}

const MARK: Record<LiveState, string> = {
  pending: "·",
  running: "▶",
  gating: "⏳",
  succeeded: "✔",
  failed: "✖",
  "gate-failed": "⛔",
  cancelled: "■",
  skipped: "–",
};

/** `+2 ~1 -0 +-0` for a live line; empty when nothing is known yet. */
export function formatChanges(c: ChangeCounts | undefined): string {
  return c ? `+${c.create} ~${c.update} -${c.delete} +-${c.replace}` : "";
}

/** One live line: `▶ de-dev        w1  running    12.0 s  +2 ~1 -0 +-0  waiting for …`. */
export function formatLiveLine(e: LiveEntry, now: number, nameWidth: number, maxWidth = 160): string {
  const elapsed = e.startedAt !== undefined ? formatDuration((e.endedAt ?? now) - e.startedAt) : "";
  const line = [
    MARK[e.state],
    e.stack.padEnd(nameWidth),
    `w${e.wave}`,
    e.state.padEnd(11),
    elapsed.padStart(7),
    formatChanges(e.changes).padEnd(18),
    e.message?.split("\n")[0] ?? "",
  ]
    .join("  ")
    .trimEnd();
  return line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line;
}

/** A timestamped CI line for a state change. */
export function formatPlainLine(e: LiveEntry, at: Date): string {
  const end =
    e.endedAt !== undefined && e.startedAt !== undefined
      ? ` in ${formatDuration(e.endedAt - e.startedAt)}`
      : "";
  const ch =
    e.changes && e.state !== "running" && e.state !== "pending" ? ` (${formatChanges(e.changes)})` : "";
  const msg = e.message ? `: ${e.message.split("\n").slice(-1)[0]}` : "";
  return `${at.toISOString()} [wave ${e.wave}] ${e.stack} ${e.state}${end}${ch}${msg}`;
}

const FINAL: readonly LiveState[] = ["succeeded", "failed", "gate-failed", "cancelled", "skipped"];

/** Tracks each stack's live state; subclasses decide how to show it. */
abstract class Tracker implements ProgressSink {
  protected readonly entries = new Map<string, LiveEntry>();
  update(s: FleetStack, state: LiveState, detail: { changes?: ChangeCounts; message?: string } = {}): void {
    const prev = this.entries.get(s.stack);
    const e: LiveEntry = { ...(prev ?? { stack: s.stack, wave: s.wave }), state };
    if (state === "running" && e.startedAt === undefined) e.startedAt = Date.now();
    if (FINAL.includes(state) && e.startedAt !== undefined) e.endedAt = Date.now();
    if (detail.changes) e.changes = detail.changes;
    e.message = detail.message ?? (state === prev?.state ? prev.message : undefined);
    this.entries.set(s.stack, e);
    this.changed(e, prev);
  }
  protected abstract changed(e: LiveEntry, prev: LiveEntry | undefined): void;
  /** Stop drawing (before the summary is printed). */
  close(): void {}
}

/** CI: one timestamped line per state change (and per new gate message). */
export class PlainProgress extends Tracker {
  constructor(private readonly out: (line: string) => void = (l) => console.log(l)) {
    super();
  }
  protected changed(e: LiveEntry, prev: LiveEntry | undefined): void {
    if (e.state === "pending") return;
    if (prev?.state === e.state && (e.state !== "gating" || prev.message === e.message)) return;
    this.out(formatPlainLine(e, new Date()));
  }
}

/** Terminal: every stack's line redrawn in place four times a second. */
export class TtyProgress extends Tracker {
  #drawn = 0;
  readonly #timer: NodeJS.Timeout;
  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {
    super();
    this.#timer = setInterval(() => this.draw(), 250);
    this.#timer.unref();
  }
  protected changed(): void {}
  private draw(): void {
    const all = [...this.entries.values()];
    const rows = Math.max(5, (this.stream.rows ?? 40) - 2);
    const width = Math.max(...all.map((e) => e.stack.length), 5);
    let shown = all;
    let header: string[] = [];
    if (all.length > rows) {
      const active = all.filter((e) => e.state === "running" || e.state === "gating");
      const done = all.filter((e) => FINAL.includes(e.state)).slice(-(rows - 1 - active.length));
      shown = [...done, ...active].slice(-(rows - 1));
      const pending = all.filter((e) => e.state === "pending").length;
      header = [
        `${all.filter((e) => FINAL.includes(e.state)).length} done, ${active.length} active, ${pending} pending`,
      ];
    }
    const lines = [
      ...header,
      ...shown.map((e) =>
        formatLiveLine(
          e,
          Date.now(),
          width,
          (this.stream.columns && this.stream.columns >= 40 ? this.stream.columns : 160) - 1,
        ),
      ),
    ];
    let text = this.#drawn > 0 ? `\x1b[${this.#drawn}F` : "";
    for (const l of lines) text += `\x1b[2K${l}\n`;
    for (let i = lines.length; i < this.#drawn; i++) text += "\x1b[2K\n";
    this.stream.write(text);
    this.#drawn = Math.max(lines.length, this.#drawn);
  }
  close(): void {
    clearInterval(this.#timer);
    this.draw();
  }
}

/** Pulumi's output per stack in `<dir>/<stack>.log`, truncated at each run. */
export class FileLogSink implements LogSink {
  constructor(private readonly dir: string) {}
  open(stack: string) {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${stack}.log`);
    const stream = createWriteStream(file, { flags: "w" });
    return {
      path: file,
      write: (text: string) => void stream.write(text),
      close: () => new Promise<void>((resolve) => stream.end(resolve)),
    };
  }
}
