// What a process has used, from /proc (Linux): CPU seconds (user + system) and peak resident memory,
// for the figures of the scale e2e (the controllers run as local processes, one per Deployment).
import * as fs from "node:fs";

export interface ProcUsage {
  /** CPU seconds, user + system, since the process started. */
  cpuSeconds: number;
  /** Peak resident set size in MiB (VmHWM). */
  peakRssMiB: number;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** The process's usage, or undefined when it is gone (or /proc cannot be read). */
export function procUsage(pid: number): ProcUsage | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime] = [Number(fields[11]), Number(fields[12])];
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return {
      cpuSeconds: (utime + stime) / USER_HZ,
      peakRssMiB: hwm ? Math.round(Number(hwm[1]) / 1024) : 0,
    };
  } catch {
    return undefined;
  }
}
