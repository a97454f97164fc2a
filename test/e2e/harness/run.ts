// Runs an end-to-end script: a work folder, a process supervisor, asserted steps, an overall
// deadline, figures, and cleanup whatever happens (success, failure, SIGINT/SIGTERM, deadline).
// The work folder (logs included) is kept on failure and removed on success unless
// PLATFORM_E2E_KEEP=1.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_LIFETIME_MS, Supervisor } from "./supervisor";
import { secondsSince } from "./util";

export interface Harness {
  workDir: string;
  logDir: string;
  sup: Supervisor;
  /** Runs one asserted step: it passes when `fn` resolves. The first failure ends the run. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** A figure printed at the end (`name: value`). */
  figure(name: string, value: string | number): void;
  /** Registers a cleanup that runs before the processes are stopped (e.g. `pulumi destroy`). */
  onCleanup(fn: () => Promise<void>): void;
}

export async function runHarness(
  title: string,
  opts: { deadlineMs: number },
  body: (h: Harness) => Promise<void>,
): Promise<never> {
  const started = Date.now();
  const workDir = fs.mkdtempSync(
    path.join(process.env.PLATFORM_E2E_WORKDIR ?? os.tmpdir(), `platform-e2e-${title}-`),
  );
  const logDir = path.join(workDir, "logs");
  // A process lives as long as the run may, and never less than the supervisor's default.
  const sup = new Supervisor(logDir, Math.max(opts.deadlineMs, DEFAULT_LIFETIME_MS));
  const figures: [string, string][] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let passed = 0;
  let failed = 0;
  let finishing = false;
  /** Unexpected exits already reported by a failed step. */
  let exitsReported = 0;

  const finish = async (ok: boolean, why?: string): Promise<never> => {
    // Already finishing (e.g. a step saw a process the cleanup just stopped): the first call exits.
    if (finishing) return new Promise<never>(() => {});
    finishing = true;
    if (why) console.error(`\n${title}: ${why}`);
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        console.error(`${title}: cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await sup.stopAll();
    figures.push(["total wall time", `${secondsSince(started)}s`]);
    console.log(`\nfigures (${title}):`);
    for (const [k, v] of figures) console.log(`  ${k.padEnd(44)} ${v}`);
    if (ok && process.env.PLATFORM_E2E_KEEP !== "1") fs.rmSync(workDir, { recursive: true, force: true });
    else console.log(`\nwork folder and logs kept: ${workDir}\n  logs: ${logDir}`);
    console.log(`\n${title}: ${passed} passed, ${failed} failed`);
    process.exit(ok ? 0 : 1);
  };

  process.on("exit", () => sup.killAllNow());
  // Ctrl-C under npx delivers SIGINT and then npx's own SIGTERM: signals within 3 s of the first
  // one are the same interruption; a later one stops everything at once.
  let firstSignal = 0;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (firstSignal && Date.now() - firstSignal < 3000) return;
      if (firstSignal) {
        sup.killAllNow();
        console.error(`${title}: ${sig} again: every process killed; work folder and logs kept: ${workDir}`);
        process.exit(130);
      }
      firstSignal = Date.now();
      void finish(false, `interrupted by ${sig}`);
    });
  }
  const deadline = setTimeout(
    () => void finish(false, `deadline of ${opts.deadlineMs / 1000}s exceeded`),
    opts.deadlineMs,
  );
  deadline.unref();

  const h: Harness = {
    workDir,
    logDir,
    sup,
    async step(name, fn) {
      const t = Date.now();
      process.stdout.write(`- ${name} ... `);
      // An incident (a process that exited on its own, even if restarted; a Deployment the kubelet
      // refused) during the step, or since the last one, fails it at once.
      const incident = sup.nextIncident(exitsReported);
      try {
        const v = await Promise.race([fn(), incident.promise]);
        sup.assertAlive(exitsReported);
        incident.cancel();
        passed++;
        console.log(`ok (${secondsSince(t)}s)`);
        return v;
      } catch (e) {
        incident.cancel();
        exitsReported = sup.unexpectedExits().length;
        failed++;
        console.log(`FAILED (${secondsSince(t)}s)`);
        throw e;
      }
    },
    figure(name, value) {
      figures.push([name, String(value)]);
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
  };

  console.log(`${title}: work folder ${workDir}`);
  try {
    await body(h);
    // An incident after the last step fails the run too.
    sup.assertAlive(exitsReported);
  } catch (e) {
    return finish(false, e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  return finish(true);
}
