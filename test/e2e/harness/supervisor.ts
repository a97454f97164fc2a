// Starts the end-to-end processes, each in its own process group with its output in a log file,
// each bounded in time, and stops every one of them at the end whatever happens (also on SIGINT).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface ProcessSpec {
  /** Short name: the log file is `<logDir>/<name>.log`. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The process is killed after this long, whatever it is doing. @default 30 minutes */
  maxLifetimeMs?: number;
  /** Its exit is its starter's business (a kubelet restarts it): assertAlive does not count it. */
  restartable?: boolean;
}

export interface Running {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Exit code, or the signal name, once it has exited; undefined while it runs. */
  exit(): string | number | undefined;
  readonly exited: Promise<void>;
}

/** How long a process may run when neither its spec nor the supervisor says otherwise. */
export const DEFAULT_LIFETIME_MS = 30 * 60_000;

/**
 * Something that must fail the step it happens in: a process that exited on its own (not stopped
 * by the harness, stop or stopAll, nor by its lifetime), or a problem a harness part reported (the
 * kubelet refusing a Deployment).
 */
export interface Incident {
  /** The process, or the part that reported it. */
  name: string;
  at: number;
  message: string;
}

interface Entry {
  proc: Running;
  child: ChildProcess;
  timer: NodeJS.Timeout;
  restartable: boolean;
  /** Set before the harness signals it: its exit is then a deliberate stop. */
  stopping: boolean;
}

export class Supervisor {
  private readonly running: Entry[] = [];
  private stopping = false;
  private readonly exits: Incident[] = [];
  private readonly listeners = new Set<() => void>();

  private readonly groupsFile: string;
  private readonly watchdog: ChildProcess;

  /** `defaultLifetimeMs`: how long a process may run unless its spec says (the run's own deadline, for a harness run). */
  constructor(
    readonly logDir: string,
    private readonly defaultLifetimeMs = DEFAULT_LIFETIME_MS,
  ) {
    fs.mkdirSync(logDir, { recursive: true });
    // A watchdog outlives this process if it is killed outright (SIGKILL, a runner's second
    // signal): once this pid is gone it stops every process group listed in groupsFile.
    this.groupsFile = path.join(logDir, ".process-groups");
    fs.writeFileSync(this.groupsFile, "");
    const script = [
      'while kill -0 "$0" 2>/dev/null; do sleep 1; done',
      '[ -s "$1" ] || exit 0',
      'for g in $(cat "$1"); do kill -TERM -"$g" 2>/dev/null; done',
      "sleep 5",
      '[ -s "$1" ] && for g in $(cat "$1"); do kill -KILL -"$g" 2>/dev/null; done',
      "exit 0",
    ].join("; ");
    this.watchdog = spawn("bash", ["-c", script, String(process.pid), this.groupsFile], {
      detached: true,
      stdio: "ignore",
    });
    this.watchdog.unref();
  }

  start(spec: ProcessSpec): Running {
    if (this.stopping) throw new Error(`not starting ${spec.name}: the harness is stopping`);
    const logFile = path.join(this.logDir, `${spec.name}.log`);
    const fd = fs.openSync(logFile, "a");
    fs.writeSync(fd, `$ ${spec.command} ${spec.args.join(" ")}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ["ignore", fd, fd],
      detached: true, // own process group: stopping it stops its children too
    });
    fs.closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    let exitValue: string | number | undefined;
    // Filled in below; the exit handlers run later, once the process is gone.
    const entry = { stopping: false } as Entry;
    const noteExit = (value: string | number) => {
      exitValue = value;
      if (!entry.stopping && !this.stopping)
        this.reportIncident(
          spec.name,
          `${spec.name} exited on its own (${value}), not stopped by the harness; last lines of ${logFile}:\n${tail(logFile, 20)}`,
        );
    };
    const exited = new Promise<void>((resolve) => {
      child.on("exit", (code, signal) => {
        noteExit(code ?? signal ?? "unknown");
        resolve();
      });
      child.on("error", (err) => {
        noteExit(`spawn error: ${err.message}`);
        resolve();
      });
    });
    const lifetime = spec.maxLifetimeMs ?? this.defaultLifetimeMs;
    const timer = setTimeout(() => {
      entry.stopping = true;
      fs.appendFileSync(logFile, `\n[harness] ${spec.name} exceeded its ${lifetime} ms lifetime: killed\n`);
      killGroup(child.pid, "SIGKILL");
    }, lifetime);
    timer.unref();
    fs.appendFileSync(this.groupsFile, `${child.pid}\n`);
    const proc: Running = { name: spec.name, pid: child.pid, logFile, exit: () => exitValue, exited };
    Object.assign(entry, { proc, child, timer, restartable: spec.restartable ?? false });
    this.running.push(entry);
    return proc;
  }

  /**
   * Every incident, in order: exits the harness did not cause, restartable processes included (a
   * controller the kubelet restarted after a crash is still a crash), and reported problems;
   * runHarness fails the step each happens in.
   */
  unexpectedExits(): readonly Incident[] {
    return this.exits;
  }

  /** Records an incident (see Incident) and wakes whoever waits for one. */
  reportIncident(name: string, message: string): void {
    if (this.stopping) return;
    this.exits.push({ name, at: Date.now(), message });
    for (const l of this.listeners) l();
  }

  /** Rejects with the first incident after index `since` (now or when one comes); `cancel` stops waiting. */
  nextIncident(since: number): { promise: Promise<never>; cancel: () => void } {
    let listener = () => {};
    const promise = new Promise<never>((_resolve, reject) => {
      listener = () => {
        const i = this.exits[since];
        if (i) {
          this.listeners.delete(listener);
          reject(new Error(`${i.message}\n(at ${new Date(i.at).toISOString()})`));
        }
      };
      this.listeners.add(listener);
      listener();
    });
    promise.catch(() => {});
    return { promise, cancel: () => this.listeners.delete(listener) };
  }

  /**
   * Throws with the tail of its log when a started process has died on its own: a process that is
   * not restartable and has exited, or any incident since `since` (an index into
   * unexpectedExits(); by default every one so far).
   */
  assertAlive(since = 0): void {
    for (const { proc, restartable } of this.running) {
      if (restartable) continue;
      const code = proc.exit();
      if (code !== undefined) {
        throw new Error(
          `${proc.name} exited (${code}); last lines of ${proc.logFile}:\n${tail(proc.logFile, 20)}`,
        );
      }
    }
    const incident = this.exits[since];
    if (incident) throw new Error(incident.message);
  }

  /** The running (or exited, not yet stopped) process of that name. */
  find(name: string): Running | undefined {
    return this.running.find((e) => e.proc.name === name)?.proc;
  }

  /**
   * Stops the named processes (SIGTERM, then SIGKILL after `graceMs`) and forgets them, so
   * assertAlive no longer counts them; their logs stay. Their exit is not unexpected.
   */
  async stop(names: string[], graceMs = 10_000): Promise<void> {
    for (const entry of this.running.filter((e) => names.includes(e.proc.name))) {
      await stopEntry(entry, graceMs);
      this.running.splice(this.running.indexOf(entry), 1);
    }
  }

  /** Stops every process, newest first: SIGTERM, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const entry of [...this.running].reverse()) await stopEntry(entry, graceMs);
    this.releaseWatchdog();
  }

  /** Everything stopped: the watchdog has nothing left to do (and must not touch reused pids). */
  private releaseWatchdog(): void {
    try {
      fs.writeFileSync(this.groupsFile, "");
      if (this.watchdog.pid !== undefined) process.kill(this.watchdog.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }

  /** Last resort from a synchronous 'exit' handler: SIGKILL whatever still runs. */
  killAllNow(): void {
    this.stopping = true;
    for (const { proc } of this.running) if (proc.exit() === undefined) killGroup(proc.pid, "SIGKILL");
  }
}

async function stopEntry(entry: Entry, graceMs: number): Promise<void> {
  clearTimeout(entry.timer);
  entry.stopping = true;
  if (entry.proc.exit() !== undefined) return;
  killGroup(entry.proc.pid, "SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs));
  if ((await Promise.race([entry.proc.exited, timeout])) === "timeout") {
    killGroup(entry.proc.pid, "SIGKILL");
    await Promise.race([entry.proc.exited, new Promise((r) => setTimeout(r, 2000))]);
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
