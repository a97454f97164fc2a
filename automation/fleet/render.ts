/**
 * `fleet render`: the offline render of every selected stack, written to `<out>/<stack>/`, with one
 * summary. Pulumi's mock runtime is process-global, so stacks render one after another in a process;
 * with `workers > 1` the selection is split over that many child processes, each rendering its share.
 */
import { fork } from "node:child_process";
import * as path from "node:path";
import { renderStack } from "../render";
import { checkFleetRepo, describeFleetRepo, fleetRepoFails } from "../render/fleetRepo";
import { writeRender } from "../render/write";
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

/** Render stacks one after another in this process. */
export async function renderSequential(
  stacks: readonly FleetStack[],
  o: Pick<RenderFleetOptions, "projectDir" | "outDir" | "gitopsDir" | "onDone">,
): Promise<StackResult[]> {
  const out: StackResult[] = [];
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
      const fleet = o.gitopsDir === undefined ? undefined : await checkFleetRepo(result, o.gitopsDir);
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

/** Split the stacks round-robin over `n` workers (balanced, deterministic). */
export function splitForWorkers<T>(items: readonly T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, () => []);
  items.forEach((it, i) => parts[i % parts.length].push(it));
  return parts;
}

interface WorkerRequest {
  projectDir: string;
  outDir: string;
  gitopsDir?: string;
  stacks: FleetStack[];
}

/** Render the stacks, in this process or in `workers` child processes. */
export async function renderFleet(
  stacks: readonly FleetStack[],
  o: RenderFleetOptions,
): Promise<StackResult[]> {
  if (o.workers <= 1 || stacks.length <= 1) return renderSequential(stacks, o);
  const parts = splitForWorkers(stacks, o.workers);
  const results = await Promise.all(
    parts.map(
      (part) =>
        new Promise<StackResult[]>((resolve, reject) => {
          // Children inherit the loader (tsx) through execArgv, so the same TypeScript runs there.
          const child = fork(__filename, ["--fleet-render-worker"], {
            stdio: ["ignore", "inherit", "inherit", "ipc"],
          });
          const got: StackResult[] = [];
          child.on("message", (m: { done?: StackResult; finished?: boolean }) => {
            if (m.done) {
              got.push(m.done);
              o.onDone?.(m.done);
            }
          });
          child.on("error", reject);
          child.on("exit", (code) =>
            got.length === part.length
              ? resolve(got)
              : reject(
                  new Error(
                    `render worker exited with code ${code} after ${got.length} of ${part.length} stacks`,
                  ),
                ),
          );
          child.send({
            projectDir: o.projectDir,
            outDir: o.outDir,
            ...(o.gitopsDir !== undefined ? { gitopsDir: o.gitopsDir } : {}),
            stacks: part,
          } satisfies WorkerRequest);
        }),
    ),
  );
  const byName = new Map(results.flat().map((r) => [r.stack, r]));
  return stacks.map((s) => byName.get(s.stack)!);
}

if (process.argv.includes("--fleet-render-worker") && process.send) {
  process.once("message", (req: WorkerRequest) => {
    void renderSequential(req.stacks, { ...req, onDone: (r) => process.send?.({ done: r }) }).then(() =>
      process.disconnect(),
    );
  });
}
