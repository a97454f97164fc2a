import { exitCodeOf, runFleet, Semaphore, type DriverOptions } from "../../../automation/fleet/driver";
import type { FleetStack } from "../../../automation/fleet/inventory";
import type { FluxRootStatus, LiveState } from "../../../automation/fleet/types";
import { defaultOutputs, FakeRunner, fleetStack, manyStacks, readyStatus, ScriptedFlux } from "./fakes";

const engineOptions = () => ({
  policyPacks: [],
  policyPackConfigs: [],
  expectNoChanges: false,
  refresh: false,
});

function options(
  stacks: FleetStack[],
  runner: FakeRunner,
  extra: Partial<DriverOptions> = {},
): DriverOptions {
  return {
    operation: "up",
    stacks,
    concurrency: 4,
    failFast: false,
    gate: { enabled: false, timeoutMs: 1000, pollMs: 5 },
    engineOptions,
    runner,
    ...extra,
  };
}

const outcome = (r: { results: { stack: string; result: string }[] }) =>
  Object.fromEntries(r.results.map((x) => [x.stack, x.result]));

describe("runFleet scheduling", () => {
  it("keeps 8 of 40 stacks running at once: each finished stack's place is taken at once", async () => {
    const runner = new FakeRunner({ durationMs: 20 });
    const r = await runFleet(options(manyStacks(40), runner, { concurrency: 8 }));
    expect(r.results.every((x) => x.result === "succeeded")).toBe(true);
    // The first 8 start together; every later one starts as one finishes, so 8 run again.
    expect(runner.runningAtStart).toEqual([1, 2, 3, 4, 5, 6, 7, 8, ...Array(32).fill(8)]);
  });

  it("never runs more than the concurrency, and concurrency 1 is sequential", async () => {
    const runner = new FakeRunner({ durationMs: 5 });
    await runFleet(options(manyStacks(6), runner, { concurrency: 1 }));
    expect(runner.maxRunning).toBe(1);
    expect(runner.started).toEqual(["s01", "s02", "s03", "s04", "s05", "s06"]);
  });

  it("starts a wave only when the previous one finished", async () => {
    const runner = new FakeRunner({ durationMs: (s) => (s === "a" ? 60 : 5) });
    const stacks = [fleetStack("a", 1), fleetStack("b", 1), fleetStack("c", 2), fleetStack("d", 3)];
    const events: string[] = [];
    const last = new Map<string, LiveState>();
    const progress = {
      update: (s: FleetStack, st: LiveState) => {
        if (st !== "pending" && last.get(s.stack) !== st) events.push(`${s.stack}:${st}`);
        last.set(s.stack, st);
      },
    };
    await runFleet(options(stacks, runner, { progress }));
    expect(runner.started).toEqual(["a", "b", "c", "d"]);
    expect(events).toEqual([
      "a:running",
      "b:running",
      "b:succeeded",
      "a:succeeded",
      "c:running",
      "c:succeeded",
      "d:running",
      "d:succeeded",
    ]);
    expect(runner.maxRunning).toBe(2);
  });

  it("a failure in wave 1 stops wave 2 but lets the rest of wave 1 finish", async () => {
    const runner = new FakeRunner({ durationMs: 10, fail: ["a"] });
    const stacks = [fleetStack("a", 1), fleetStack("b", 1), fleetStack("c", 2)];
    const r = await runFleet(options(stacks, runner));
    expect(outcome(r)).toEqual({ a: "failed", b: "succeeded", c: "skipped" });
    expect(r.results[0].error).toBe("error: update of a failed");
    expect(r.results[2].note).toBe("wave 1 did not pass (a), so later waves did not start");
    expect(r.haltedBecause).toBe(r.results[2].note);
    expect(runner.started).not.toContain("c");
    expect(exitCodeOf("up", r.results)).toBe(1);
  });

  it("--fail-fast cancels the running stacks of the wave and starts no more", async () => {
    const runner = new FakeRunner({ durationMs: (s) => (s === "a" ? 5 : 200), fail: ["a"] });
    const stacks = [fleetStack("a", 1), fleetStack("b", 1), fleetStack("c", 1), fleetStack("d", 2)];
    const r = await runFleet(options(stacks, runner, { concurrency: 2, failFast: true }));
    expect(outcome(r)).toEqual({ a: "failed", b: "cancelled", c: "skipped", d: "skipped" });
    expect(runner.cancelled).toEqual(["b"]);
    expect(r.results[1].note).toBe("cancelled by --fail-fast");
    expect(r.results[2].note).toBe("not started: --fail-fast after a failure");
  });

  it("preview keeps going after a failed wave (every stack gets its preview)", async () => {
    const runner = new FakeRunner({ fail: ["a"] });
    const r = await runFleet(
      options([fleetStack("a", 1), fleetStack("b", 2)], runner, { operation: "preview" }),
    );
    expect(outcome(r)).toEqual({ a: "failed", b: "succeeded" });
    expect(runner.requests.map((q) => q.operation)).toEqual(["preview", "preview"]);
  });

  it("Ctrl-C on a terminal (stop only) starts nothing new and does not signal Pulumi again", async () => {
    const stop = new AbortController();
    const runner = new FakeRunner({ durationMs: 40 });
    const stacks = [fleetStack("a", 1), fleetStack("b", 1), fleetStack("c", 2)];
    setTimeout(() => stop.abort(), 10);
    const r = await runFleet(options(stacks, runner, { concurrency: 1, stopSignal: stop.signal }));
    expect(runner.cancelled).toEqual([]);
    expect(outcome(r)).toEqual({ a: "succeeded", b: "skipped", c: "skipped" });
  });

  it("SIGTERM (stop and cancel) cancels running operations through their signal", async () => {
    const stop = new AbortController();
    const runner = new FakeRunner({ durationMs: 200 });
    setTimeout(() => stop.abort(), 10);
    const r = await runFleet(
      options([fleetStack("a", 1), fleetStack("b", 2)], runner, {
        stopSignal: stop.signal,
        cancelSignal: stop.signal,
      }),
    );
    expect(runner.cancelled).toEqual(["a"]);
    expect(outcome(r)).toEqual({ a: "cancelled", b: "skipped" });
    expect(r.results[0].note).toBe("the run was cancelled (Ctrl-C or SIGTERM)");
    expect(r.haltedBecause).toBe("the run was cancelled (Ctrl-C or SIGTERM)");
  });

  it("passes each stack its own engine options and writes Pulumi output to its log", async () => {
    const runner = new FakeRunner();
    const written: Record<string, string> = {};
    const logs = {
      open: (stack: string) => ({
        path: `fleet-logs/${stack}.log`,
        write: (t: string) => void (written[stack] = (written[stack] ?? "") + t),
        close: async () => undefined,
      }),
    };
    const perStack = (s: FleetStack) => ({
      ...engineOptions(),
      policyPackConfigs: [`policy/${s.stack}.json`],
    });
    const r = await runFleet(options([fleetStack("a", 1)], runner, { logs, engineOptions: perStack }));
    expect(runner.requests[0].options.policyPackConfigs).toEqual(["policy/a.json"]);
    expect(written).toEqual({ a: "Updating (a)\n" });
    expect(r.results[0]).toMatchObject({ logFile: "fleet-logs/a.log", changes: { create: 1, same: 3 } });
  });
});

describe("runFleet Flux gate", () => {
  const waiting: FluxRootStatus = {
    ...readyStatus(),
    kustomization: { ...readyStatus().kustomization, lastAppliedRevision: "main@sha1:old" },
  };
  const gate = { enabled: true, timeoutMs: 200, pollMs: 5 };

  it("wave 2 starts after wave 1 is Ready at the new revision", async () => {
    const flux = new ScriptedFlux(() => [waiting, waiting, readyStatus()]);
    const runner = new FakeRunner();
    const r = await runFleet(options([fleetStack("a", 1), fleetStack("b", 2)], runner, { gate, flux }));
    expect(outcome(r)).toEqual({ a: "succeeded", b: "succeeded" });
    expect(flux.reads.slice(0, 3)).toEqual(["a", "a", "a"]);
    expect(r.results[0].flux).toEqual({
      revision: "main@sha1:abc123",
      ready: "True",
      reason: "ReconciliationSucceeded",
      since: "2026-11-22T10:00:00Z",
    });
  });

  it("a gate that times out fails the stack and stops the next wave", async () => {
    const flux = new ScriptedFlux(() => [waiting]);
    const r = await runFleet(
      options([fleetStack("a", 1), fleetStack("b", 2)], new FakeRunner(), {
        gate: { ...gate, timeoutMs: 30 },
        flux,
      }),
    );
    expect(outcome(r)).toEqual({ a: "gate-failed", b: "skipped" });
    expect(r.results[0].error).toBe(
      "Flux gate: not Ready after 30 ms: Kustomization applied main@sha1:old so far, waiting for main@sha1:abc123",
    );
    expect(exitCodeOf("up", r.results)).toBe(1);
  });

  it("with --fail-fast a failed gate stops the other gates of the wave", async () => {
    const failed: FluxRootStatus = {
      ...readyStatus(),
      kustomization: {
        ...readyStatus().kustomization,
        ready: { type: "Ready", status: "False", reason: "HealthCheckFailed", message: "timeout" },
        lastAppliedRevision: "main@sha1:old",
      },
    };
    const flux = new ScriptedFlux((s) => (s === "a" ? [waiting, failed] : [waiting]));
    const stacks = [fleetStack("a", 1), fleetStack("b", 1), fleetStack("c", 2)];
    const r = await runFleet(options(stacks, new FakeRunner(), { gate, flux, failFast: true }));
    expect(outcome(r)).toEqual({ a: "gate-failed", b: "cancelled", c: "skipped" });
    expect(r.results[0].error).toBe(
      "Flux gate: Kustomization failed at main@sha1:abc123: HealthCheckFailed: timeout",
    );
  });

  it("--no-gate never reads the cluster", async () => {
    const flux = new ScriptedFlux(() => [waiting]);
    const r = await runFleet(
      options([fleetStack("a", 1), fleetStack("b", 2)], new FakeRunner(), {
        gate: { ...gate, enabled: false },
        flux,
      }),
    );
    expect(outcome(r)).toEqual({ a: "succeeded", b: "succeeded" });
    expect(flux.reads).toEqual([]);
  });

  it("a stack without a kubeconfig output fails its gate with the fix", async () => {
    const runner = new FakeRunner({ outputs: () => ({}) });
    const r = await runFleet(
      options([fleetStack("a", 1)], runner, { gate, flux: new ScriptedFlux(() => [readyStatus()]) }),
    );
    expect(r.results[0]).toMatchObject({
      result: "gate-failed",
      error: "the stack has no kubeconfig output to read Flux through (run up first, or pass --no-gate)",
    });
  });
});

describe("runFleet gate: the up's start and the declared ref reach the gate", () => {
  const gate = { enabled: true, timeoutMs: 100, pollMs: 5 };

  it("a stack without a rootSourceRef output holds the next wave at once", async () => {
    const runner = new FakeRunner({ outputs: () => ({ kubeconfig: { value: "k", secret: true } }) });
    const flux = new ScriptedFlux(() => [readyStatus()]);
    const r = await runFleet(options([fleetStack("a", 1), fleetStack("b", 2)], runner, { gate, flux }));
    expect(outcome(r)).toEqual({ a: "gate-failed", b: "skipped" });
    expect(r.results[0].error).toBe(
      "Flux gate: the stack has no rootSourceRef output, so the gate cannot tell which revision is right (the platform program exports it; a stack without Flux needs --no-gate)",
    );
    expect(runner.started).toEqual(["a"]);
  });

  it("a source Ready since before the up, that never handles the gate's request, holds the next wave", async () => {
    const flux = new ScriptedFlux(() => [readyStatus()], { handlesRequests: false });
    const runner = new FakeRunner();
    const r = await runFleet(options([fleetStack("a", 1), fleetStack("b", 2)], runner, { gate, flux }));
    expect(outcome(r)).toEqual({ a: "gate-failed", b: "skipped" });
    expect(r.results[0].error).toMatch(
      /^Flux gate: not Ready after 100 ms: GitRepository has reported nothing since the up started at \S+ \(Ready since 2026-11-22T10:00:00Z, artifact from never, reconcile requested at \S+ not handled yet\)$/,
    );
    expect(flux.requests.map((q) => [q.stack, q.object])).toEqual([
      ["a", { kind: "GitRepository", namespace: "flux-system", name: "flux-system" }],
    ]);
  });
});

describe("runFleet read-only operations", () => {
  it("status reports each root's revision and Ready state; not Ready means exit 1", async () => {
    const notReady: FluxRootStatus = {
      kustomization: {
        ready: { type: "Ready", status: "False", reason: "BuildFailed", message: "kustomize build failed" },
        lastAppliedRevision: "main@sha1:1",
      },
    };
    const flux = new ScriptedFlux((s) =>
      s === "a" ? [readyStatus()] : s === "b" ? [notReady] : [new Error("connect ECONNREFUSED")],
    );
    const stacks = [fleetStack("a", 1), fleetStack("b", 1), fleetStack("c", 2)];
    const r = await runFleet(options(stacks, new FakeRunner(), { operation: "status", flux }));
    expect(outcome(r)).toEqual({ a: "succeeded", b: "succeeded", c: "failed" });
    expect(r.results[1]).toMatchObject({
      flux: { ready: "False", revision: "main@sha1:1" },
      note: "not Ready: BuildFailed kustomize build failed",
    });
    expect(r.results[2].error).toBe("connect ECONNREFUSED");
    expect(exitCodeOf("status", r.results.slice(0, 1))).toBe(0);
    expect(exitCodeOf("status", r.results.slice(0, 2))).toBe(1);
  });

  it("status passes the root's Git URL (rootSourceUrl) on, for the link to the applied commit", async () => {
    const url = "ssh://git@github.com/acme-telco/platform-fleet.git";
    const runner = new FakeRunner({
      outputs: (s) => ({
        ...defaultOutputs(s),
        ...(s === "a" ? { rootSourceUrl: { value: url, secret: false } } : {}),
      }),
    });
    const stacks = [fleetStack("a", 1), fleetStack("b", 1)];
    const r = await runFleet(
      options(stacks, runner, { operation: "status", flux: new ScriptedFlux(() => [readyStatus()]) }),
    );
    expect(r.results.map((x) => x.flux?.sourceUrl)).toEqual([url, undefined]);
  });

  it("outputs hides secret outputs", async () => {
    const r = await runFleet(options([fleetStack("a", 1)], new FakeRunner(), { operation: "outputs" }));
    expect(r.results[0].outputs).toEqual({
      clusterName: "a",
      kubeconfig: "[secret]",
      rootSourceRef: "branch main",
    });
  });
});

describe("Semaphore", () => {
  it("serves waiters in arrival order", async () => {
    const sem = new Semaphore(1);
    const order: number[] = [];
    await sem.acquire();
    const waiters = [1, 2, 3].map((i) => sem.acquire().then(() => order.push(i)));
    for (let i = 0; i < 3; i++) {
      sem.release();
      await Promise.resolve();
    }
    sem.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });
});
