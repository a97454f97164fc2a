/**
 * Cluster reads at fleet scale, on a virtual clock (Jest's fake timers): a reader double that answers
 * after a fixed delay shows the bound on reads in flight, the number of calls, and a total time that
 * grows with N / concurrency; a cluster that never answers is reported as such without holding others.
 */
import { runFleet } from "../../../automation/fleet/driver";
import { boundedReader, formatMs } from "../../../automation/fleet/reads";
import type { FleetStack } from "../../../automation/fleet/inventory";
import type {
  FleetRunner,
  FluxObjectRef,
  FluxReader,
  FluxRootStatus,
  FluxTarget,
  LiveState,
} from "../../../automation/fleet/types";
import { defaultOutputs, manyStacks, readyStatus } from "./fakes";

/** A cluster double: every call answers after `delayMs` (never, for the stacks in `hung`). */
class DelayedFlux implements FluxReader {
  inFlight = 0;
  maxInFlight = 0;
  readonly calls: string[] = [];
  readonly requests: { stack: string; token: string }[] = [];
  constructor(
    private readonly delayMs: number,
    private readonly hung: string[] = [],
    withRequests = false,
  ) {
    if (!withRequests) this.requestReconcile = undefined;
  }

  #answer<T>(what: string, target: FluxTarget, value: () => T): Promise<T> {
    this.calls.push(`${what} ${target.stack}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // A hung cluster ignores the abort signal too, as a stuck exec plugin would.
    if (this.hung.includes(target.stack)) return new Promise<T>(() => undefined);
    return new Promise<T>((resolve) =>
      setTimeout(() => {
        this.inFlight--;
        resolve(value());
      }, this.delayMs),
    );
  }

  read(target: FluxTarget): Promise<FluxRootStatus> {
    return this.#answer("read", target, () => {
      const status = readyStatus();
      const handled = this.requests.filter((r) => r.stack === target.stack).at(-1);
      return handled
        ? { ...status, source: { ...status.source!, lastHandledReconcileAt: handled.token } }
        : status;
    });
  }

  requestReconcile?(target: FluxTarget, _object: FluxObjectRef, token: string): Promise<void> {
    return this.#answer("request", target, () => {
      this.requests.push({ stack: target.stack, token });
    });
  }
}

/** `outputs` answers at once: only the cluster reads take time here. */
const instantRunner: FleetRunner = {
  run: () => Promise.reject(new Error("no engine operation in these tests")),
  outputs: async (s) => defaultOutputs(s.stack),
};

/** When (virtual ms since the start) each stack reached its final state. */
function finishTimes(start: number) {
  const at = new Map<string, number>();
  const progress = {
    update: (s: FleetStack, state: LiveState) => {
      if (state !== "pending" && state !== "running" && state !== "gating")
        at.set(s.stack, Date.now() - start);
    },
  };
  return { at, progress };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe("cluster reads at fleet scale (virtual clock)", () => {
  it("status of 1,000 clusters answering in 200 ms, 50 at a time: 1,000 reads, never more than 50 in flight, 4 s", async () => {
    const flux = new DelayedFlux(200);
    const stacks = manyStacks(1000);
    const start = Date.now();
    const { at, progress } = finishTimes(start);
    const run = runFleet({
      operation: "status",
      stacks,
      concurrency: 4,
      failFast: false,
      gate: { enabled: true, timeoutMs: 600_000, pollMs: 5000 },
      engineOptions: () => ({
        policyPacks: [],
        policyPackConfigs: [],
        expectNoChanges: false,
        refresh: false,
      }),
      runner: instantRunner,
      flux,
      reads: { concurrency: 50, timeoutMs: 15_000 },
      progress,
    });
    await jest.runAllTimersAsync();
    const r = await run;
    expect(r.results.filter((x) => x.result === "succeeded")).toHaveLength(1000);
    expect(flux.calls).toHaveLength(1000);
    expect(new Set(flux.calls).size).toBe(1000);
    expect(flux.maxInFlight).toBe(50);
    // 1,000 / 50 = 20 rounds of 200 ms: the first 50 at 200 ms, the last 50 at 4,000 ms.
    expect(Math.max(...at.values())).toBe(4000);
    expect(at.get("s01")).toBe(200);
    expect(at.get("s50")).toBe(200);
    expect(at.get("s51")).toBe(400);
    expect(at.get("s1000")).toBe(4000);
    expect(Date.now() - start).toBe(4000);
  });

  it("the total grows with N / concurrency: 1,000 clusters at 100 take 2 s, 100 clusters at 50 take 400 ms", async () => {
    const time = async (n: number, concurrency: number) => {
      const flux = new DelayedFlux(200);
      const start = Date.now();
      const run = runFleet({
        operation: "status",
        stacks: manyStacks(n),
        concurrency: 4,
        failFast: false,
        gate: { enabled: true, timeoutMs: 600_000, pollMs: 5000 },
        engineOptions: () => ({
          policyPacks: [],
          policyPackConfigs: [],
          expectNoChanges: false,
          refresh: false,
        }),
        runner: instantRunner,
        flux,
        reads: { concurrency, timeoutMs: 15_000 },
      });
      await jest.runAllTimersAsync();
      await run;
      return [Date.now() - start, flux.maxInFlight, flux.calls.length];
    };
    expect(await time(1000, 100)).toEqual([2000, 100, 1000]);
    expect(await time(100, 50)).toEqual([400, 50, 100]);
    expect(await time(7, 50)).toEqual([200, 7, 7]);
  });

  it("a cluster that never answers is reported as not answering after --read-timeout, and the others are read meanwhile", async () => {
    const flux = new DelayedFlux(200, ["s007"]);
    const stacks = manyStacks(100).map((s, i) => ({ ...s, stack: `s${String(i + 1).padStart(3, "0")}` }));
    const start = Date.now();
    const { at, progress } = finishTimes(start);
    const run = runFleet({
      operation: "status",
      stacks,
      concurrency: 4,
      failFast: false,
      gate: { enabled: true, timeoutMs: 600_000, pollMs: 5000 },
      engineOptions: () => ({
        policyPacks: [],
        policyPackConfigs: [],
        expectNoChanges: false,
        refresh: false,
      }),
      runner: instantRunner,
      flux,
      reads: { concurrency: 10, timeoutMs: 15_000 },
      progress,
    });
    await jest.runAllTimersAsync();
    const r = await run;
    const hung = r.results.find((x) => x.stack === "s007")!;
    expect([hung.result, hung.error]).toEqual([
      "failed",
      "reading Flux of stack s007: no answer from its cluster in 15 s (--read-timeout): the API server is down, unreachable or hung",
    ]);
    expect(r.results.filter((x) => x.result === "succeeded")).toHaveLength(99);
    // The hung read holds one of the 10 slots: 99 reads over the other 9 are 11 rounds of 200 ms.
    expect(Math.max(...[...at].filter(([s]) => s !== "s007").map(([, t]) => t))).toBe(2200);
    expect(at.get("s007")).toBe(15_000);
    expect(flux.calls).toHaveLength(100);
    expect(flux.maxInFlight).toBe(10);
  });

  it("the gate's polls and reconcile requests of 200 clusters share the bound", async () => {
    const flux = new DelayedFlux(200, [], true);
    const run = runFleet({
      operation: "up",
      stacks: manyStacks(200),
      concurrency: 64,
      failFast: false,
      gate: { enabled: true, timeoutMs: 600_000, pollMs: 1000 },
      engineOptions: () => ({
        policyPacks: [],
        policyPackConfigs: [],
        expectNoChanges: false,
        refresh: false,
      }),
      runner: {
        run: async (req) => ({
          changes: { create: 0, update: 0, delete: 0, replace: 0, same: 1 },
          outputs: defaultOutputs(req.stack.stack),
        }),
        outputs: async (s) => defaultOutputs(s.stack),
      },
      flux,
      reads: { concurrency: 10, timeoutMs: 15_000 },
    });
    await jest.runAllTimersAsync();
    const r = await run;
    expect(r.results.filter((x) => x.result === "succeeded")).toHaveLength(200);
    // Per cluster: a read, the reconcile request, and the read that sees it handled.
    expect(flux.calls.filter((c) => c.startsWith("read "))).toHaveLength(400);
    expect(flux.calls.filter((c) => c.startsWith("request "))).toHaveLength(200);
    expect(flux.maxInFlight).toBe(10);
  });
});

describe("boundedReader", () => {
  it("frees the slot of a call that timed out and passes the answer of one that did not", async () => {
    const flux = new DelayedFlux(200, ["hung"]);
    const reader = boundedReader(flux, { concurrency: 1, timeoutMs: 1000 });
    const never = new AbortController().signal;
    const hung = reader.read({ stack: "hung", kubeconfig: "k" }, never);
    const ok = reader.read({ stack: "ok", kubeconfig: "k" }, never);
    hung.catch(() => undefined);
    const start = Date.now();
    await jest.advanceTimersByTimeAsync(1000);
    await expect(hung).rejects.toThrow(
      "reading Flux of stack hung: no answer from its cluster in 1 s (--read-timeout): the API server is down, unreachable or hung",
    );
    await jest.advanceTimersByTimeAsync(200);
    await expect(ok).resolves.toEqual(readyStatus());
    expect(Date.now() - start).toBe(1200);
    expect(reader.requestReconcile).toBeUndefined();
  });

  it("formats durations for messages", () => {
    expect([formatMs(200), formatMs(1000), formatMs(1500), formatMs(15_000)]).toEqual([
      "200 ms",
      "1 s",
      "1.5 s",
      "15 s",
    ]);
  });
});
