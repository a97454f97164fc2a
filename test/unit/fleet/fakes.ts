/** Test doubles for the fleet driver: a fake Pulumi runner and a scripted Flux reader. */
import type { FleetStack } from "../../../automation/fleet/inventory";
import type {
  ChangeCounts,
  FleetRunner,
  FluxObjectRef,
  FluxReader,
  FluxRootStatus,
  FluxTarget,
  RunRequest,
  RunResult,
  StackOutputs,
} from "../../../automation/fleet/types";

export function fleetStack(stack: string, wave: number, extra: Partial<FleetStack> = {}): FleetStack {
  return { stack, file: `Pulumi.${stack}.yaml`, wave, labels: {}, ...extra };
}

/** `n` stacks named s01… spread over waves by `waveOf(i)`. */
export function manyStacks(n: number, waveOf: (i: number) => number = () => 1): FleetStack[] {
  return Array.from({ length: n }, (_, i) => fleetStack(`s${String(i + 1).padStart(2, "0")}`, waveOf(i)));
}

export interface FakeRunnerOptions {
  durationMs?: number | ((stack: string) => number);
  /** Stacks whose operation fails. */
  fail?: string[];
  changes?: ChangeCounts;
  outputs?: (stack: string) => StackOutputs;
}

/** A runner that sleeps instead of running Pulumi and records what it was asked to do. */
export class FakeRunner implements FleetRunner {
  readonly started: string[] = [];
  readonly requests: RunRequest[] = [];
  readonly cancelled: string[] = [];
  running = 0;
  maxRunning = 0;
  /** How many ran (this one included) as each started, in start order. */
  readonly runningAtStart: number[] = [];
  constructor(private readonly o: FakeRunnerOptions = {}) {}

  private work(stack: string, signal: AbortSignal): Promise<void> {
    this.started.push(stack);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.runningAtStart.push(this.running);
    const ms = typeof this.o.durationMs === "function" ? this.o.durationMs(stack) : (this.o.durationMs ?? 10);
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.running--;
        signal.removeEventListener("abort", onAbort);
        if (this.o.fail?.includes(stack)) reject(new Error(`error: update of ${stack} failed`));
        else resolve();
      };
      const timer = setTimeout(done, ms);
      const onAbort = () => {
        clearTimeout(timer);
        this.running--;
        this.cancelled.push(stack);
        reject(new Error(`error: update of ${stack} canceled`));
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  async run(req: RunRequest): Promise<RunResult> {
    this.requests.push(req);
    req.onOutput(`Updating (${req.stack.stack})\n`);
    await this.work(req.stack.stack, req.signal);
    const changes = this.o.changes ?? { create: 1, update: 0, delete: 0, replace: 0, same: 3 };
    req.onChanges(changes);
    return { changes, outputs: this.o.outputs?.(req.stack.stack) ?? defaultOutputs(req.stack.stack) };
  }

  async outputs(stack: FleetStack, signal: AbortSignal): Promise<StackOutputs> {
    await this.work(stack.stack, signal);
    return this.o.outputs?.(stack.stack) ?? defaultOutputs(stack.stack);
  }
}

export function defaultOutputs(stack: string): StackOutputs {
  return {
    clusterName: { value: stack, secret: false },
    kubeconfig: { value: `kubeconfig-of-${stack}`, secret: true },
    rootSourceRef: { value: "branch main", secret: false },
  };
}

/** A Flux status that passes the gate at `revision`. */
export function readyStatus(revision = "main@sha1:abc123"): FluxRootStatus {
  const ready = {
    type: "Ready",
    status: "True" as const,
    reason: "ReconciliationSucceeded",
    lastTransitionTime: "2026-11-22T10:00:00Z",
  };
  return {
    source: {
      kind: "GitRepository",
      name: "flux-system",
      namespace: "flux-system",
      generation: 2,
      observedGeneration: 2,
      ready,
      artifactRevision: revision,
    },
    kustomization: {
      generation: 1,
      observedGeneration: 1,
      ready,
      lastAppliedRevision: revision,
      lastAttemptedRevision: revision,
    },
  };
}

/**
 * A reader answering from a script per stack: a list of statuses consumed one per read (last one
 * repeats). Like source-controller, it echoes the last reconcile request of a stack in the source's
 * lastHandledReconcileAt, unless `handlesRequests` is false (a controller that is not running); with
 * `refuseRequests` the request fails as the API server would refuse it.
 */
export class ScriptedFlux implements FluxReader {
  readonly reads: string[] = [];
  readonly requests: { stack: string; object: FluxObjectRef; token: string }[] = [];
  constructor(
    private readonly script: (stack: string) => (FluxRootStatus | Error)[],
    private readonly o: { handlesRequests?: boolean; refuseRequests?: string } = {},
  ) {}
  async read(target: { stack: string; kubeconfig: string }): Promise<FluxRootStatus> {
    const n = this.reads.filter((s) => s === target.stack).length;
    this.reads.push(target.stack);
    const list = this.script(target.stack);
    const next = list[Math.min(n, list.length - 1)];
    if (next instanceof Error) throw next;
    const handled = this.requests.filter((r) => r.stack === target.stack).at(-1);
    if (!handled || !next.source || this.o.handlesRequests === false) return next;
    return { ...next, source: { ...next.source, lastHandledReconcileAt: handled.token } };
  }
  async requestReconcile(target: FluxTarget, object: FluxObjectRef, token: string): Promise<void> {
    if (this.o.refuseRequests) throw new Error(this.o.refuseRequests);
    this.requests.push({ stack: target.stack, object, token });
  }
}
