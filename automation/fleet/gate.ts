/**
 * The Flux gate: after `up`, a stack counts as done only when its root Kustomization is Ready at
 * the revision its source now serves, that source has reported since the up started, and the
 * revision is what the ref the stack declares means (a tag inside the range, for semver). It fails
 * closed: a ref it cannot read holds the wave. Pure decision (`gateDecision`) plus a polling loop
 * with a timeout and a cancel signal.
 */
import * as semver from "semver";
import { KubeconfigError } from "./kubeconfig";
import type { FluxReader, FluxRootStatus, FluxSummary, FluxTarget } from "./types";

export type GateDecision =
  | { state: "ready"; revision: string }
  | { state: "waiting"; reason: string }
  | { state: "failed"; reason: string };

/** What a stack's up promised: the ref it declares, when the up started, the reconcile it asked for. */
export interface GateExpectation {
  /** The stack's `rootSourceRef` output (`branch main`, `tag v1.2.0`, `semver >=1.0.0 <2.0.0`, …). */
  ref: string | undefined;
  /** When the stack's `up` started (ms since the epoch): the source must have reported since. */
  upStartedAt: number;
  /** The `reconcile.fluxcd.io/requestedAt` token the gate set on the source, if it could. */
  requestToken?: string;
}

const REF_KINDS = ["branch", "tag", "semver", "commit", "name", "digest"] as const;
type RefKind = (typeof REF_KINDS)[number];
/** A parsed ref, or why it cannot be checked. */
export type ParsedRef = { kind: RefKind; value: string; range?: semver.Range } | { error: string };

/**
 * Masterminds/semver (Flux's `ref.semver`) written as a node-semver range: AND by comma becomes AND by
 * space, `=<` is `<=`, `~>` is `~`. Undefined when node-semver cannot read the result.
 */
function semverRange(constraint: string): semver.Range | undefined {
  const text = constraint
    .replace(/\s*,\s*/g, " ")
    .replace(/=</g, "<=")
    .replace(/~>/g, "~");
  try {
    const range = new semver.Range(text);
    // Masterminds matches pre-releases only when the constraint names one; node-semver must be told.
    const pre = range.set.some((set) => set.some((c) => c.semver.prerelease.length > 0));
    return pre ? new semver.Range(text, { includePrerelease: true }) : range;
  } catch {
    return undefined;
  }
}

/** Read a `rootSourceRef` output (`<kind> <value>`, as FluxBootstrap describes its ref). */
export function parseRef(ref: string | undefined): ParsedRef {
  if (ref === undefined || ref.trim() === "")
    return {
      error:
        "the stack has no rootSourceRef output, so the gate cannot tell which revision is right (the platform program exports it; a stack without Flux needs --no-gate)",
    };
  const m = /^(\w+) (.+)$/.exec(ref.trim());
  if (!m) return { error: `rootSourceRef "${ref}" is not "<kind> <value>" (e.g. "tag v1.2.0")` };
  const [, kind, value] = m;
  if (!(REF_KINDS as readonly string[]).includes(kind))
    return { error: `rootSourceRef "${ref}": unknown ref kind "${kind}" (one of ${REF_KINDS.join(", ")})` };
  if (kind === "commit" && !/^[0-9a-f]{7,64}$/.test(value))
    return { error: `rootSourceRef "${ref}": a commit is 7 to 64 lower-case hex digits` };
  if (kind === "digest" && !/^sha(256|384|512):[0-9a-f]+$/.test(value))
    return { error: `rootSourceRef "${ref}": a digest is "sha256:<hex>"` };
  if (kind === "semver") {
    const range = semverRange(value);
    if (!range)
      return { error: `rootSourceRef "${ref}": "${value}" is not a semver range the gate can read` };
    return { kind, value, range };
  }
  return { kind: kind as RefKind, value };
}

/** `<name>@<algo>:<hex>` or `<algo>:<hex>`, as Flux writes artifact revisions. */
const REVISION = /^(?:(.+)@)?(sha1|sha256|sha384|sha512):([0-9a-f]+)$/;

/**
 * Whether a Flux artifact revision (`main@sha1:…`, `v1.2.0@sha1:…`, `sha1:…`, `v1@sha256:…`) is what
 * the ref means: for a branch, tag or name that name at some hash; for a commit that commit; for a
 * digest that digest; for semver a tag inside the range. Undefined when it is; otherwise why not.
 */
export function revisionMismatch(
  ref: Exclude<ParsedRef, { error: string }>,
  revision: string,
): string | undefined {
  const m = REVISION.exec(revision);
  if (!m) return `"${revision}" is not a Flux revision (<name>@sha1:<hash>)`;
  const [, name, algo, hash] = m;
  switch (ref.kind) {
    case "branch":
    case "tag":
    case "name":
      return name === ref.value ? undefined : `it is not of ${ref.kind} ${ref.value}`;
    case "commit":
      return algo === "sha1" || algo === "sha256"
        ? hash.startsWith(ref.value)
          ? undefined
          : `it is not commit ${ref.value}`
        : `it is not a Git commit`;
    case "digest":
      return `${algo}:${hash}` === ref.value ? undefined : `it is not digest ${ref.value}`;
    case "semver": {
      if (name === undefined) return `it names no tag, so it cannot be inside ${ref.value}`;
      // Flux reads tags as Masterminds does: `v1.2` is 1.2.0 there, so it is here.
      const version =
        semver.parse(name, { loose: true }) ?? (/^v?\d+(\.\d+)?$/.test(name) ? semver.coerce(name) : null);
      if (!version) return `its tag ${name} is not a semantic version`;
      return ref.range!.test(version) ? undefined : `tag ${name} is outside ${ref.value}`;
    }
  }
}

/** Whether `revision` is what `ref` (a `rootSourceRef` output) means; an unreadable ref matches nothing. */
export function revisionMatchesRef(ref: string | undefined, revision: string): boolean {
  const parsed = parseRef(ref);
  return !("error" in parsed) && revisionMismatch(parsed, revision) === undefined;
}

/** Fail closed: an object counts as reconciled only when it reports the generation it has. */
const observed = (o: { generation?: number; observedGeneration?: number }) =>
  o.generation !== undefined && o.observedGeneration === o.generation;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** Why the source's status is not known to be from after the up, or undefined when it is. */
function staleSource(
  source: NonNullable<FluxRootStatus["source"]>,
  expect: GateExpectation,
): string | undefined {
  if (expect.requestToken !== undefined && source.lastHandledReconcileAt === expect.requestToken)
    return undefined;
  const after = (t: string | undefined) => t !== undefined && Date.parse(t) > expect.upStartedAt;
  if (after(source.ready?.lastTransitionTime) || after(source.artifactLastUpdateTime)) return undefined;
  const seen = [
    `Ready since ${source.ready?.lastTransitionTime ?? "never"}`,
    `artifact from ${source.artifactLastUpdateTime ?? "never"}`,
    ...(expect.requestToken !== undefined
      ? [`reconcile requested at ${expect.requestToken} not handled yet`]
      : []),
  ];
  return `${source.kind} has reported nothing since the up started at ${iso(expect.upStartedAt)} (${seen.join(", ")})`;
}

/** Decide from one reading whether the gate passed, must keep waiting, or failed for good. */
export function gateDecision(status: FluxRootStatus, expect: GateExpectation): GateDecision {
  const ref = parseRef(expect.ref);
  if ("error" in ref) return { state: "failed", reason: ref.error };
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
  const stale = staleSource(source, expect);
  if (stale) return { state: "waiting", reason: stale };
  const mismatch = revisionMismatch(ref, revision);
  if (mismatch)
    return {
      state: "waiting",
      reason: `${source.kind} serves ${revision}, not yet the declared ${expect.ref}: ${mismatch}`,
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
    // The origin of the artifact the root applied (not of a newer one the source already holds).
    ...(status.source?.artifactOriginRevision !== undefined &&
    status.source.artifactRevision === ks.lastAppliedRevision
      ? { originRevision: status.source.artifactOriginRevision }
      : {}),
    ready: ks.ready?.status ?? "Unknown",
    ...(ks.ready?.reason !== undefined ? { reason: ks.ready.reason } : {}),
    ...(ks.ready?.message !== undefined ? { message: ks.ready.message } : {}),
    ...(ks.ready?.lastTransitionTime !== undefined ? { since: ks.ready.lastTransitionTime } : {}),
  };
}

export interface GateOptions {
  timeoutMs: number;
  pollMs: number;
  /** The stack's `rootSourceRef` output; without one the gate fails (it cannot tell the right revision). */
  expectedRef: string | undefined;
  /** When the stack's `up` started (ms since the epoch). */
  upStartedAt: number;
  signal: AbortSignal;
  /** Called with each waiting reason, for progress. */
  onWaiting?: (reason: string) => void;
  /** The `reconcile.fluxcd.io/requestedAt` value to set (default: the time the gate starts). */
  requestToken?: string;
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

/**
 * Poll the cluster until the gate passes, fails, times out or is cancelled. Read errors are retried.
 * Once the root's source is known, the gate asks it to reconcile now (as `flux reconcile source`
 * does), so that an up that changed nothing still gets a status from after it; if that request is
 * refused, the gate says so while it waits for the source's own next change.
 */
export async function waitForGate(
  reader: FluxReader,
  target: FluxTarget,
  opts: GateOptions,
): Promise<GateOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  const token = opts.requestToken ?? new Date().toISOString();
  let requested = false;
  let requestError: string | undefined;
  let last = "not read yet";
  let flux: FluxSummary | undefined;
  for (;;) {
    if (opts.signal.aborted) return { passed: false, reason: `cancelled while waiting: ${last}`, flux };
    try {
      const status = await reader.read(target, opts.signal);
      flux = fluxSummary(status);
      const src = status.source;
      if (!requested && src?.name !== undefined && reader.requestReconcile) {
        try {
          const at = { kind: src.kind, namespace: src.namespace ?? "flux-system", name: src.name };
          await reader.requestReconcile(target, at, token, opts.signal);
          requested = true;
          requestError = undefined;
        } catch (e) {
          if (e instanceof KubeconfigError) throw e;
          requestError = (e as Error).message;
        }
      }
      const d = gateDecision(status, {
        ref: opts.expectedRef,
        upStartedAt: opts.upStartedAt,
        ...(requested ? { requestToken: token } : {}),
      });
      if (d.state === "ready") return { passed: true, reason: `Ready at ${d.revision}`, flux };
      if (d.state === "failed") return { passed: false, reason: d.reason, flux };
      last = requestError ? `${d.reason}; cannot request a reconcile: ${requestError}` : d.reason;
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
