/**
 * The Flux gate: after `up`, a stack counts as done only when its root Kustomization is Ready at
 * the revision its source now serves, and that source serves the ref the stack declares. Pure
 * decision (`gateDecision`) plus a polling loop with a timeout and a cancel signal.
 */
import { KubeconfigError } from "./kubeconfig";
import type { FluxReader, FluxRootStatus, FluxSummary, FluxTarget } from "./types";

export type GateDecision =
  | { state: "ready"; revision: string }
  | { state: "waiting"; reason: string }
  | { state: "failed"; reason: string };

/**
 * Whether a Flux artifact revision (`main@sha1:…`, `v1.2.0@sha1:…`, `sha1:…`, `v1@sha256:…`) is of
 * the ref a stack declares, as its `rootSourceRef` output says it (`branch main`, `tag v1.2.0`, …).
 * Semver ranges cannot be checked without resolving tags, so any tagged revision passes them.
 */
export function revisionMatchesRef(ref: string | undefined, revision: string): boolean {
  if (ref === undefined) return true;
  const m = /^(\w+) (.+)$/.exec(ref.trim());
  if (!m) return true;
  const [, kind, value] = m;
  switch (kind) {
    case "branch":
    case "tag":
    case "name":
      return revision.startsWith(`${value}@`);
    case "commit": {
      const sha = /sha1:([0-9a-f]+)$/.exec(revision)?.[1];
      return sha !== undefined && sha.startsWith(value);
    }
    case "digest":
      return revision === value || revision.endsWith(`@${value}`);
    default:
      return true;
  }
}

const observed = (o: { generation?: number; observedGeneration?: number }) =>
  o.generation === undefined || (o.observedGeneration ?? -1) >= o.generation;

/** Decide from one reading whether the gate passed, must keep waiting, or failed for good. */
export function gateDecision(status: FluxRootStatus, expectedRef?: string): GateDecision {
  const { kustomization: ks, source } = status;
  if (!ks) return { state: "waiting", reason: "root Kustomization flux-system/flux-system not found yet" };
  if (!source) return { state: "waiting", reason: "the root Kustomization's source not found yet" };
  if (!observed(source))
    return { state: "waiting", reason: `${source.kind} has not reconciled its new spec yet` };
  const revision = source.artifactRevision;
  if (revision === undefined || source.ready?.status !== "True")
    return {
      state: "waiting",
      reason: `${source.kind} not Ready${source.ready?.message ? `: ${source.ready.message}` : ""}`,
    };
  if (!revisionMatchesRef(expectedRef, revision))
    return {
      state: "waiting",
      reason: `${source.kind} serves ${revision}, not yet the declared ${expectedRef}`,
    };
  if (!observed(ks)) return { state: "waiting", reason: "Kustomization has not reconciled its new spec yet" };
  if (ks.ready?.status === "False" && ks.lastAttemptedRevision === revision)
    return {
      state: "failed",
      reason: `Kustomization failed at ${revision}: ${ks.ready.reason ?? "NotReady"}${ks.ready.message ? `: ${ks.ready.message}` : ""}`,
    };
  if (ks.lastAppliedRevision !== revision)
    return {
      state: "waiting",
      reason: `Kustomization applied ${ks.lastAppliedRevision ?? "nothing"} so far, waiting for ${revision}`,
    };
  if (ks.ready?.status !== "True")
    return {
      state: "waiting",
      reason: `Kustomization not Ready yet${ks.ready?.reason ? ` (${ks.ready.reason})` : ""}`,
    };
  return { state: "ready", revision };
}

/** The dashboard view of a reading: applied revision, Ready state and since when. */
export function fluxSummary(status: FluxRootStatus): FluxSummary {
  const ks = status.kustomization;
  if (!ks) return { ready: "missing", message: "root Kustomization flux-system/flux-system not found" };
  return {
    ...(ks.lastAppliedRevision !== undefined ? { revision: ks.lastAppliedRevision } : {}),
    ready: ks.ready?.status ?? "Unknown",
    ...(ks.ready?.reason !== undefined ? { reason: ks.ready.reason } : {}),
    ...(ks.ready?.message !== undefined ? { message: ks.ready.message } : {}),
    ...(ks.ready?.lastTransitionTime !== undefined ? { since: ks.ready.lastTransitionTime } : {}),
  };
}

export interface GateOptions {
  timeoutMs: number;
  pollMs: number;
  expectedRef?: string;
  signal: AbortSignal;
  /** Called with each waiting reason, for progress. */
  onWaiting?: (reason: string) => void;
}

export interface GateOutcome {
  passed: boolean;
  reason: string;
  flux?: FluxSummary;
}

const formatMs = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Poll the cluster until the gate passes, fails, times out or is cancelled. Read errors are retried. */
export async function waitForGate(
  reader: FluxReader,
  target: FluxTarget,
  opts: GateOptions,
): Promise<GateOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = "not read yet";
  let flux: FluxSummary | undefined;
  for (;;) {
    if (opts.signal.aborted) return { passed: false, reason: `cancelled while waiting: ${last}`, flux };
    try {
      const status = await reader.read(target, opts.signal);
      flux = fluxSummary(status);
      const d = gateDecision(status, opts.expectedRef);
      if (d.state === "ready") return { passed: true, reason: `Ready at ${d.revision}`, flux };
      if (d.state === "failed") return { passed: false, reason: d.reason, flux };
      last = d.reason;
    } catch (e) {
      // A kubeconfig that cannot work will not start working: fail now instead of at the timeout.
      if (e instanceof KubeconfigError)
        return { passed: false, reason: `unusable kubeconfig output: ${e.message}`, flux };
      last = `cannot read Flux status: ${(e as Error).message}`;
    }
    opts.onWaiting?.(last);
    const left = deadline - Date.now();
    if (left <= 0)
      return {
        passed: false,
        reason: `not Ready after ${formatMs(opts.timeoutMs)}: ${last}`,
        flux,
      };
    await sleep(Math.min(opts.pollMs, left), opts.signal);
  }
}
