/**
 * The fleet driver: runs one operation over the selected stacks wave by wave, at most `concurrency`
 * engine operations at once, gating `up` on Flux, stopping after a wave that did not pass, and
 * cancelling cleanly. Everything outside (Pulumi, clusters, terminal, files) comes in through seams,
 * so the scheduling is tested with fakes.
 */
import type { FleetStack } from "./inventory";
import { withDetails } from "./fluxObjects";
import { fluxSummary, waitForGate } from "./gate";
import { boundedReader, DEFAULT_READ_LIMITS, Semaphore, type ReadLimits } from "./reads";
import { groupWaves } from "./select";
import { redactUrl } from "../../components/url";
import {
  NO_CHANGES,
  type ChangeCounts,
  type EngineOperation,
  type EngineOptions,
  type FleetRunner,
  type FluxReader,
  type LiveState,
  type StackOutputs,
  type StackResult,
  type WaveTiming,
} from "./types";

export { Semaphore } from "./reads";

export type DriverOperation = EngineOperation | "outputs" | "status";

/** Receives every state change of every stack (live terminal lines, CI log lines). */
export interface ProgressSink {
  update(stack: FleetStack, state: LiveState, detail?: { changes?: ChangeCounts; message?: string }): void;
}

/** Where Pulumi's own output of a stack goes (fleet-logs/<stack>.log). */
export interface LogSink {
  open(stack: string): { path: string; write(text: string): void; close(): Promise<void> };
}

export interface GateSettings {
  enabled: boolean;
  timeoutMs: number;
  pollMs: number;
}

export interface DriverOptions {
  operation: DriverOperation;
  stacks: FleetStack[];
  concurrency: number;
  failFast: boolean;
  gate: GateSettings;
  engineOptions: (stack: FleetStack) => EngineOptions;
  runner: FleetRunner;
  flux?: FluxReader;
  /** Cluster reads in flight at once over the run, and how long one may take (default 50, 15 s). */
  reads?: ReadLimits;
  /** Start nothing new and stop waiting on gates (Ctrl-C: the terminal already told Pulumi). */
  stopSignal?: AbortSignal;
  /** Also cancel running operations through the Automation API (SIGTERM, Ctrl-C without a terminal). */
  cancelSignal?: AbortSignal;
  progress?: ProgressSink;
  logs?: LogSink;
}

export interface DriverResult {
  results: StackResult[];
  /** Why later waves did not run, if they did not. */
  haltedBecause?: string;
  /** Each wave's start, gate and end, in order. */
  waves: WaveTiming[];
}

const CANCELLED = "the run was cancelled (Ctrl-C or SIGTERM)";

/** Operations after which a wave that did not fully pass stops the next waves. */
const HALTING: readonly DriverOperation[] = ["up", "refresh", "destroy"];

/** Non-secret outputs for the report; secret ones as "[secret]". */
export function publicOutputs(outputs: StackOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
}

const messageOf = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).trim().split("\n").slice(-20).join("\n");

/** Run the operation over the stacks. Never rejects for a stack's failure: it is in the results. */
export async function runFleet(opts: DriverOptions): Promise<DriverResult> {
  const never = new AbortController().signal;
  const stop = opts.stopSignal ?? never;
  const cancel = opts.cancelSignal ?? never;
  const results = new Map<string, StackResult>();
  const progress = opts.progress ?? { update: () => undefined };
  const sem = new Semaphore(Math.max(1, opts.concurrency));
  // Engines and cluster reads are bounded apart: a status of 1,000 clusters reads 50 at a time while
  // at most `concurrency` Pulumi engines run.
  const fluxReader = opts.flux && boundedReader(opts.flux, opts.reads ?? DEFAULT_READ_LIMITS);
  let haltedBecause: string | undefined;
  const waves: WaveTiming[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();

  const finish = (s: FleetStack, r: Omit<StackResult, "stack" | "wave" | "group">) => {
    const full: StackResult = { stack: s.stack, wave: s.wave, ...(s.group ? { group: s.group } : {}), ...r };
    results.set(s.stack, full);
    progress.update(s, full.result, { changes: full.changes, message: full.error ?? full.note });
  };
  const skip = (s: FleetStack, note: string) =>
    finish(s, { result: "skipped", changes: NO_CHANGES, durationMs: 0, note });

  for (const s of opts.stacks) progress.update(s, "pending");

  for (const wave of groupWaves(opts.stacks)) {
    if (haltedBecause !== undefined || stop.aborted) {
      for (const s of wave.stacks) skip(s, haltedBecause ?? CANCELLED);
      waves.push({ wave: wave.wave, stacks: wave.stacks.length, state: "skipped" });
      continue;
    }
    const waveStarted = Date.now();
    let gateStarted: number | undefined;
    const failFast = new AbortController();
    const waveStop = AbortSignal.any([stop, failFast.signal]);
    const waveCancel = AbortSignal.any([cancel, failFast.signal]);

    const runOne = async (s: FleetStack): Promise<void> => {
      await sem.acquire();
      if (waveStop.aborted) {
        sem.release();
        return skip(s, stop.aborted ? CANCELLED : "not started: --fail-fast after a failure");
      }
      const started = Date.now();
      const log = opts.logs?.open(s.stack);
      let changes: ChangeCounts = NO_CHANGES;
      let outputs: StackOutputs | undefined;
      progress.update(s, "running");
      try {
        if (opts.operation === "outputs" || opts.operation === "status") {
          outputs = await opts.runner.outputs(s, waveCancel);
        } else {
          const r = await opts.runner.run({
            stack: s,
            operation: opts.operation,
            options: opts.engineOptions(s),
            signal: waveCancel,
            onOutput: (text) => log?.write(text),
            onChanges: (c) => progress.update(s, "running", { changes: c }),
          });
          changes = r.changes;
          outputs = r.outputs;
        }
      } catch (e) {
        sem.release();
        await log?.close();
        const cancelled = waveStop.aborted || waveCancel.aborted;
        if (!cancelled && opts.failFast) failFast.abort();
        return finish(s, {
          result: cancelled ? "cancelled" : "failed",
          changes,
          durationMs: Date.now() - started,
          error: messageOf(e),
          ...(cancelled ? { note: stop.aborted ? CANCELLED : "cancelled by --fail-fast" } : {}),
          ...(log ? { logFile: log.path } : {}),
        });
      }
      sem.release();
      await log?.close();
      const base = { changes, ...(log ? { logFile: log.path } : {}) };
      if (opts.operation === "outputs")
        return finish(s, {
          ...base,
          result: "succeeded",
          durationMs: Date.now() - started,
          outputs: publicOutputs(outputs ?? {}),
        });
      const wantsFlux = opts.operation === "status" || (opts.operation === "up" && opts.gate.enabled);
      if (!wantsFlux) return finish(s, { ...base, result: "succeeded", durationMs: Date.now() - started });

      const gated = opts.operation === "up";
      const kubeconfig = outputs?.kubeconfig?.value;
      if (typeof kubeconfig !== "string" || kubeconfig.trim() === "" || !fluxReader) {
        const error = fluxReader
          ? "the stack has no kubeconfig output to read Flux through (run up first, or pass --no-gate)"
          : "no Flux reader configured";
        if (gated && opts.failFast) failFast.abort();
        return finish(s, {
          ...base,
          result: gated ? "gate-failed" : "failed",
          durationMs: Date.now() - started,
          error,
        });
      }
      progress.update(s, gated ? "gating" : "running", { changes });
      const target = { stack: s.stack, kubeconfig, ...(s.kubeContext ? { context: s.kubeContext } : {}) };
      const expectedRef =
        typeof outputs?.rootSourceRef?.value === "string" ? outputs.rootSourceRef.value : undefined;
      const links = {
        ...(typeof outputs?.rootSourceUrl?.value === "string"
          ? { sourceUrl: redactUrl(outputs.rootSourceUrl.value) }
          : {}),
        ...(typeof outputs?.rootSourceOrigin?.value === "string"
          ? { origin: outputs.rootSourceOrigin.value }
          : {}),
      };
      if (!gated) {
        try {
          const read = { ...fluxSummary(await fluxReader.read(target, waveStop)), ...links };
          const flux = await withDetails(fluxReader, target, read, waveStop);
          const note =
            flux.ready === "True"
              ? {}
              : { note: `not Ready: ${flux.reason ?? ""} ${flux.message ?? ""}`.trim() };
          return finish(s, { ...base, result: "succeeded", durationMs: Date.now() - started, flux, ...note });
        } catch (e) {
          return finish(s, {
            ...base,
            result: "failed",
            durationMs: Date.now() - started,
            error: messageOf(e),
          });
        }
      }
      gateStarted ??= Date.now();
      const gate = await waitForGate(fluxReader, target, {
        timeoutMs: opts.gate.timeoutMs,
        pollMs: opts.gate.pollMs,
        expectedRef,
        // The source must report after this: a status from before the up proves nothing about it.
        upStartedAt: started,
        signal: waveStop,
        onWaiting: (message) => progress.update(s, "gating", { changes, message }),
      });
      const durationMs = Date.now() - started;
      const interrupted = !gate.passed && waveStop.aborted; // cut short by Ctrl-C or another stack's failure
      if (!gate.passed && !interrupted && opts.failFast) failFast.abort();
      const flux = gate.flux && { ...gate.flux, ...links };
      return finish(s, {
        ...base,
        result: gate.passed ? "succeeded" : interrupted ? "cancelled" : "gate-failed",
        durationMs,
        ...(flux ? { flux: interrupted ? flux : await withDetails(fluxReader, target, flux, stop) } : {}),
        ...(gate.passed ? {} : { error: `Flux gate: ${gate.reason}` }),
      });
    };

    await Promise.all(wave.stacks.map(runOne));
    const bad = wave.stacks.filter((s) => results.get(s.stack)?.result !== "succeeded").map((s) => s.stack);
    const waveFinished = Date.now();
    waves.push({
      wave: wave.wave,
      stacks: wave.stacks.length,
      state: stop.aborted ? "cancelled" : bad.length > 0 ? "failed" : "passed",
      startedAt: iso(waveStarted),
      ...(gateStarted !== undefined ? { gateStartedAt: iso(gateStarted) } : {}),
      finishedAt: iso(waveFinished),
      durationMs: waveFinished - waveStarted,
    });
    if (stop.aborted) haltedBecause = CANCELLED;
    else if (bad.length > 0 && HALTING.includes(opts.operation))
      haltedBecause = `wave ${wave.wave} did not pass (${bad.join(", ")}), so later waves did not start`;
  }
  return {
    results: opts.stacks.map((s) => results.get(s.stack)!),
    ...(haltedBecause !== undefined ? { haltedBecause } : {}),
    waves,
  };
}

/** Exit code of a fleet run: 0 only when every stack succeeded (and, for status, every root is Ready). */
export function exitCodeOf(operation: DriverOperation, results: readonly StackResult[]): number {
  const ok = results.every(
    (r) => r.result === "succeeded" && (operation !== "status" || r.flux?.ready === "True"),
  );
  return ok ? 0 : 1;
}
