/**
 * `npm run fleet`: flags → inventory → selection → the driver (or the offline render) → summary
 * table, reports and exit code. Real Pulumi, clusters and the terminal are the defaults; tests
 * inject fakes through `FleetDeps`.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { existingDir } from "../cli/args";
import {
  checkOutputDir,
  checkOutputFile,
  displayPath,
  neverReplaced,
  OutputError,
  writeOutputFile,
} from "../render/output";
import { isCi, parseFleetArgs, policyConfigFor, type FleetArgs } from "./args";
import { exitCodeOf, runFleet, type LogSink } from "./driver";
import { loadInventory } from "./inventoryFile";
import { htmlReport, PAGE_GENERATOR } from "./page";
import { ClusterFluxReader } from "./kube";
import { formatMs } from "./reads";
import { FileLogSink, PlainProgress, TtyProgress } from "./progress";
import { buildReport, markdownReport, summaryTable } from "./report";
import { describeSelection, groupWaves, planStacks, SelectionError } from "./select";
import type { FleetRunner, FluxReader, StackResult, WaveTiming } from "./types";
import type { FleetStack } from "./inventory";

export interface FleetDeps {
  runner?: FleetRunner;
  flux?: FluxReader;
  logs?: LogSink;
  env?: NodeJS.ProcessEnv;
  /** Live terminal lines (true) or timestamped lines (false). @default stdout is a TTY and not CI */
  interactive?: boolean;
  out?: (line: string) => void;
  /** Signals instead of the process's SIGINT/SIGTERM handlers (tests). */
  stopSignal?: AbortSignal;
  cancelSignal?: AbortSignal;
  gatePollMs?: number;
}

/** Backend URL for display, without credentials. */
export function describeBackend(env: NodeJS.ProcessEnv): string {
  const url = env.PULUMI_BACKEND_URL;
  if (!url) return "the logged-in backend (pulumi login); set PULUMI_BACKEND_URL to choose";
  return url.replace(/\/\/[^/@]+@/, "//***@");
}

function checkPolicyFiles(args: FleetArgs, stacks: FleetStack[]): void {
  const missing = [
    ...args.policyPacks
      .filter((p) => !existsSync(path.resolve(args.projectDir, p)))
      .map((p) => `--policy-pack ${p}: no such folder`),
    ...[...new Set(args.policyConfig ? stacks.map((s) => policyConfigFor(args.policyConfig!, s)) : [])]
      .filter((f) => !existsSync(path.resolve(args.projectDir, f)))
      .map(
        (f) =>
          `--policy-config: ${f} does not exist (needed by ${stacks
            .filter((s) => policyConfigFor(args.policyConfig!, s) === f)
            .map((s) => s.stack)
            .join(", ")})`,
      ),
  ];
  if (missing.length) throw new SelectionError(missing.join("\n"));
}

/** Install Ctrl-C/SIGTERM handling; returns the signals and a function removing the handlers. */
function processSignals(out: (l: string) => void, interactive: boolean) {
  const stop = new AbortController();
  const cancel = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stop.signal.aborted)
      out(
        `\n${sig}: cancelling: no new stack starts; running operations are cancelled by Pulumi, which unlocks their stacks. Waiting for them to stop…`,
      );
    stop.abort();
    // On a terminal, Ctrl-C already reached the Pulumi processes (same process group); a second
    // SIGINT would make them terminate at once and leave stacks locked, so only SIGTERM (or Ctrl-C
    // without a terminal) is forwarded through the Automation API's signal.
    if (sig === "SIGTERM" || !interactive) cancel.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stop: stop.signal,
    cancel: cancel.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** Run the fleet CLI; resolves to the exit code. Throws SelectionError/InventoryError for user errors. */
export async function fleetMain(argv: string[], deps: FleetDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((l: string) => console.log(l));
  const args = parseFleetArgs(argv, env);
  const projectDir = path.resolve(existingDir(args.projectDir, "--project", "project folder"));
  // Everything the run writes is checked before anything runs.
  if (args.jsonReport) await checkOutputFile(args.jsonReport, JSON_REPORT);
  if (args.markdownReport) await checkOutputFile(args.markdownReport, MARKDOWN_REPORT);
  if (args.htmlReport) await checkOutputFile(args.htmlReport, HTML_REPORT);
  const gitopsDir =
    args.gitopsDir === undefined
      ? path.join(projectDir, "gitops")
      : path.resolve(existingDir(args.gitopsDir, "--gitops", "fleet repository folder"));
  const inventory = await loadInventory(projectDir);
  const stacks = planStacks(inventory, args.selection);
  const selection = describeSelection(args.selection);
  const interactive = deps.interactive ?? (process.stdout.isTTY === true && !isCi(env));
  if (args.policyPacks.length || args.policyConfig) checkPolicyFiles(args, stacks);
  if (args.operation === "render") await checkRenderRoot(args, stacks);

  // The Automation API (./runner) is loaded only by the operations that run the Pulumi CLI.
  const runner = args.operation === "render" ? undefined : await import("./runner");
  if (runner && !deps.runner) out(`Pulumi CLI ${await runner.checkPulumiCli()}`);
  const waves = groupWaves(stacks);
  out(
    `fleet ${args.operation}: ${stacks.length} stack(s) in ${waves.length} wave(s) (${selection}); ` +
      (args.operation === "render"
        ? `offline, ${args.workers} worker(s)`
        : `concurrency ${args.concurrency}${args.operation === "status" || args.operation === "up" ? `, cluster reads ${args.readConcurrency} at a time (timeout ${formatMs(args.readTimeoutMs)})` : ""}, backend ${describeBackend(env)}`),
  );
  for (const w of waves) out(`  wave ${w.wave}: ${w.stacks.map((s) => s.stack).join(", ")}`);
  if (inventory.outside.length)
    out(`  not in the fleet (no platform:fleet): ${inventory.outside.join(", ")}`);

  const startedAt = new Date();
  let results: StackResult[];
  let haltedBecause: string | undefined;
  let waveTimes: WaveTiming[] | undefined;
  const progress = interactive ? new TtyProgress() : new PlainProgress(out);
  const signals = deps.stopSignal ? undefined : processSignals(out, interactive);
  try {
    if (args.operation === "render") {
      const outDir = path.resolve(args.outDir);
      for (const s of stacks) progress.update(s, "pending");
      // Loaded only here: the offline engine pulls in the whole program.
      const { renderFleet } = await import("./render");
      results = await renderFleet(stacks, {
        projectDir,
        outDir,
        gitopsDir,
        workers: args.workers,
        onDone: (r) =>
          progress.update(
            stacks.find((s) => s.stack === r.stack)!,
            r.result,
            { message: r.error },
          ),
      });
    } else {
      const run = await runFleet({
        operation: args.operation,
        stacks,
        concurrency: args.concurrency,
        failFast: args.failFast,
        gate: { enabled: args.gate, timeoutMs: args.gateTimeoutMs, pollMs: deps.gatePollMs ?? 5000 },
        engineOptions: (s) => ({
          policyPacks: args.policyPacks.map((p) => path.resolve(projectDir, p)),
          policyPackConfigs: args.policyConfig
            ? [path.resolve(projectDir, policyConfigFor(args.policyConfig, s))]
            : [],
          expectNoChanges: args.expectNoChanges,
          refresh: args.refresh,
        }),
        runner:
          deps.runner ?? new runner!.LocalWorkspaceRunner({ projectDir, envVars: runner!.engineEnv(args) }),
        flux: deps.flux ?? new ClusterFluxReader(args.readTimeoutMs),
        reads: { concurrency: args.readConcurrency, timeoutMs: args.readTimeoutMs },
        stopSignal: deps.stopSignal ?? signals?.stop,
        cancelSignal: deps.cancelSignal ?? signals?.cancel,
        progress,
        logs: deps.logs ?? new FileLogSink(path.resolve(args.logsDir)),
      });
      results = run.results;
      haltedBecause = run.haltedBecause;
      waveTimes = run.waves;
    }
  } finally {
    progress.close();
    signals?.dispose();
  }

  const exitCode = exitCodeOf(args.operation === "render" ? "preview" : args.operation, results);
  out("");
  out(summaryTable(results, args.operation));
  if (haltedBecause) out(`\nStopped: ${haltedBecause}`);
  for (const r of results.filter((x) => x.error))
    out(
      `\n${r.stack} ${r.result}:\n${r.error}${r.logFile ? `\n(full Pulumi output: ${path.relative(process.cwd(), r.logFile)})` : ""}`,
    );
  const report = buildReport({
    operation: args.operation,
    project: projectDir,
    selection,
    startedAt,
    finishedAt: new Date(),
    exitCode,
    ...(haltedBecause !== undefined ? { haltedBecause } : {}),
    options: {
      concurrency: args.concurrency,
      failFast: args.failFast,
      gate: args.gate,
      expectNoChanges: args.expectNoChanges,
      refresh: args.refresh,
      policyPacks: args.policyPacks,
    },
    outside: inventory.outside,
    stacks: withDeclared(results, stacks),
    ...(waveTimes ? { waves: waveTimes } : {}),
  });
  if (args.jsonReport)
    await writeOutputFile(args.jsonReport, JSON.stringify(report, null, 2) + "\n", JSON_REPORT);
  if (args.markdownReport)
    await writeOutputFile(args.markdownReport, markdownReport(report), MARKDOWN_REPORT);
  if (args.htmlReport) await writeOutputFile(args.htmlReport, htmlReport(report), HTML_REPORT);
  out(
    `\nfleet ${args.operation}: ${exitCode === 0 ? "passed" : "FAILED"} in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return exitCode;
}

/** Report files: replaced only when an earlier run wrote them. */
const JSON_REPORT = {
  option: "--json",
  isOurs: (text: string) => {
    try {
      return (JSON.parse(text) as { kind?: unknown }).kind === "platform-fleet-report";
    } catch {
      return false;
    }
  },
};
const MARKDOWN_REPORT = { option: "--markdown", isOurs: (text: string) => text.startsWith("## Fleet ") };
const HTML_REPORT = {
  option: "--html",
  isOurs: (text: string) => text.includes(`<meta name="generator" content="${PAGE_GENERATOR}">`),
};

/** Each result with what its stack file declares (cluster kind, Flux version, ref), for the reports. */
function withDeclared(results: StackResult[], stacks: readonly FleetStack[]): StackResult[] {
  const declared = new Map(stacks.map((s) => [s.stack, s.declared]));
  return results.map((r) => {
    const d = declared.get(r.stack);
    return d && Object.keys(d).length ? { ...r, declared: d } : r;
  });
}

/** The render root (`--out`) and every `<out>/<stack>/` may be written: checked before any render. */
async function checkRenderRoot(args: FleetArgs, stacks: FleetStack[]): Promise<void> {
  const root = path.resolve(args.outDir);
  // The default root is created; one the user names must exist, or at least its parent folder.
  await checkOutputDirRoot(root, args.outDir !== "render");
  // The render root holds a folder per stack: never the file system's root, home or the project.
  const never = await neverReplaced(root, args.projectDir);
  if (never)
    throw new OutputError(
      `--out ${displayPath(root)} ${never}: fleet render writes a folder per stack into it, so it must be a folder of its own: choose one such as render`,
    );
  const problems: string[] = [];
  for (const s of stacks)
    await checkOutputDir(path.join(root, s.stack), {
      option: "--out",
      createParents: true,
      project: args.projectDir,
    }).catch((e: unknown) => {
      if (e instanceof OutputError) problems.push(e.message);
      else throw e;
    });
  if (problems.length) throw new OutputError(problems.join("\n"));
}

async function checkOutputDirRoot(root: string, given: boolean): Promise<void> {
  if (existsSync(root)) {
    existingDir(root, "--out", "render root folder");
    return;
  }
  if (given && !existsSync(path.dirname(root)))
    throw new OutputError(
      `--out ${displayPath(root)}: the folder ${displayPath(path.dirname(root))} does not exist: create it first, or choose another --out`,
    );
}
