/**
 * `fleet render`: the offline render of every selected stack, written to `<out>/<stack>/`, with one
 * summary. Pulumi's mock runtime is process-global, so stacks render one after another in a process;
 * with `workers > 1` (the default: one per core) a pool of that many child processes renders them,
 * each taking the next stack when it is done with one. The files written are the same either way.
 * The program (the offline engine, the stacks, every provider SDK) is loaded only where stacks render:
 * with a pool, in the workers, not in the parent that hands them out.
 */
import { fork } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { FleetRepoCache } from "../render/fleetRepo";
import type { FleetStack } from "./inventory";
import { NO_CHANGES, type StackResult } from "./types";

export interface RenderFleetOptions {
  projectDir: string;
  /** Render root: each stack goes to `<outDir>/<stack>/`. */
  outDir: string;
  /**
   * The fleet repository each render is checked against, as `npm run render` does (a stack whose
   * cluster-vars leave a variable of its tree without a value fails); skipped when it does not exist.
   */
  gitopsDir?: string;
  /** Child processes; 1 renders in this process. */
  workers: number;
  onDone?: (r: StackResult) => void;
}

const firstLines = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 20).join("\n");

/**
 * Render stacks one after another in this process. The fleet repository's shared files are read and
 * parsed once for all of them (`repoCache`, or a cache of this call; see FleetRepoCache).
 */
export async function renderSequential(
  stacks: readonly FleetStack[],
  o: Pick<RenderFleetOptions, "projectDir" | "outDir" | "gitopsDir" | "onDone"> & {
    repoCache?: FleetRepoCache;
  },
): Promise<StackResult[]> {
  const [
    { renderStack },
    { checkFleetRepo, describeFleetRepo, fleetRepoFails, FleetRepoCache },
    { writeRender },
  ] = await Promise.all([import("../render"), import("../render/fleetRepo"), import("../render/write")]);
  const out: StackResult[] = [];
  const repoCache = o.repoCache ?? (o.gitopsDir === undefined ? undefined : new FleetRepoCache(o.gitopsDir));
  for (const s of stacks) {
    const started = Date.now();
    const base = {
      stack: s.stack,
      wave: s.wave,
      ...(s.group ? { group: s.group } : {}),
      changes: NO_CHANGES,
    };
    let r: StackResult;
    try {
      const result = await renderStack(o.projectDir, s.stack);
      const fleet =
        o.gitopsDir === undefined ? undefined : await checkFleetRepo(result, o.gitopsDir, repoCache);
      const dir = path.join(o.outDir, s.stack);
      await writeRender(result, dir, fleet, { option: "--out", createParents: true, project: o.projectDir });
      const gap = fleetRepoFails(fleet);
      r = {
        ...base,
        result: gap ? "failed" : "succeeded",
        durationMs: Date.now() - started,
        render: { resources: result.resources.length, objects: result.objects.length, outDir: dir },
        ...(gap && fleet ? { error: firstLines(describeFleetRepo(fleet).join("\n")) } : {}),
      };
    } catch (e) {
      r = { ...base, result: "failed", durationMs: Date.now() - started, error: firstLines(e) };
    }
    o.onDone?.(r);
    out.push(r);
  }
  return out;
}

/** What a worker is told once: where to render. Then it gets one stack per message. */
interface WorkerSetup {
  projectDir: string;
  outDir: string;
  gitopsDir?: string;
}

/** The worker process runs this file's TypeScript through the project's loader, whatever runs the parent. */
const TS_HOOKS = pathToFileURL(path.resolve(__dirname, "../../scripts/ts-hooks.mjs")).href;

/**
 * Render the stacks, in this process or in a pool of `workers` child processes: each worker loads
 * the program once and takes the next stack as soon as it is done with one, so a slow stack does not
 * hold a whole share. The results come back in the order of `stacks`, as one worker gives them.
 */
export async function renderFleet(
  stacks: readonly FleetStack[],
  o: RenderFleetOptions,
): Promise<StackResult[]> {
  if (o.workers <= 1 || stacks.length <= 1) return renderSequential(stacks, o);
  const queue = [...stacks];
  const byName = new Map<string, StackResult>();
  const setup: WorkerSetup = {
    projectDir: o.projectDir,
    outDir: o.outDir,
    ...(o.gitopsDir !== undefined ? { gitopsDir: o.gitopsDir } : {}),
  };
  const worker = () =>
    new Promise<void>((resolve) => {
      const child = fork(__filename, ["--fleet-render-worker"], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        ...(__filename.endsWith(".ts") ? { execArgv: ["--import", TS_HOOKS] } : {}),
      });
      let current: FleetStack | undefined;
      const next = () => {
        current = queue.shift();
        if (current) child.send({ stack: current });
        else child.disconnect();
      };
      child.on("message", (m: { done?: StackResult }) => {
        if (!m.done) return;
        byName.set(m.done.stack, m.done);
        o.onDone?.(m.done);
        next();
      });
      // A worker that dies fails the stack it was rendering; the others go on in the other workers.
      const died = (why: string) => {
        if (current && !byName.has(current.stack)) {
          const r: StackResult = {
            stack: current.stack,
            wave: current.wave,
            ...(current.group ? { group: current.group } : {}),
            changes: NO_CHANGES,
            result: "failed",
            durationMs: 0,
            error: `the render worker rendering it ${why}`,
          };
          byName.set(r.stack, r);
          o.onDone?.(r);
        }
        current = undefined;
        resolve();
      };
      child.on("error", (e) => died(`could not run: ${e.message}`));
      child.on("exit", (code, signal) => died(`exited (${signal ?? `code ${code}`})`));
      child.send({ setup });
      next();
    });
  await Promise.all(Array.from({ length: Math.min(o.workers, stacks.length) }, worker));
  // A stack no worker took (every worker died first) is reported, not dropped.
  return stacks.map(
    (s) =>
      byName.get(s.stack) ?? {
        stack: s.stack,
        wave: s.wave,
        ...(s.group ? { group: s.group } : {}),
        changes: NO_CHANGES,
        result: "failed",
        durationMs: 0,
        error: "not rendered: every render worker exited before reaching it",
      },
  );
}

if (process.argv.includes("--fleet-render-worker") && process.send) {
  let setup: (WorkerSetup & { repoCache?: FleetRepoCache }) | undefined;
  // The program loads while the parent sends the first stack; messages wait for it, in order.
  const loaded = import("../render/fleetRepo");
  let queue = Promise.resolve();
  process.on("message", (m: { setup?: WorkerSetup; stack?: FleetStack }) => {
    queue = queue.then(async () => {
      // One cache of the fleet repository for all the stacks this worker renders.
      if (m.setup) {
        const { FleetRepoCache } = await loaded;
        setup = {
          ...m.setup,
          ...(m.setup.gitopsDir !== undefined ? { repoCache: new FleetRepoCache(m.setup.gitopsDir) } : {}),
        };
      } else if (m.stack && setup) {
        const [r] = await renderSequential([m.stack], setup);
        process.send?.({ done: r });
      }
    });
  });
  process.on("disconnect", () => void queue.then(() => process.exit(0)));
}
