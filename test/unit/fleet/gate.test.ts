import {
  fluxSummary,
  gateDecision,
  parseRef,
  revisionMatchesRef,
  waitForGate,
  type GateExpectation,
} from "../../../automation/fleet/gate";
import type { FluxRootStatus } from "../../../automation/fleet/types";
import { KubeconfigError } from "../../../automation/fleet/kubeconfig";
import { readyStatus, ScriptedFlux } from "./fakes";

const REV = "main@sha1:abc123";
const ready = readyStatus(REV);
const cond = (status: "True" | "False" | "Unknown", reason = "X", message?: string) => ({
  type: "Ready",
  status,
  reason,
  ...(message ? { message } : {}),
});
const withKs = (ks: Partial<NonNullable<FluxRootStatus["kustomization"]>>): FluxRootStatus => ({
  ...ready,
  kustomization: { ...ready.kustomization!, ...ks },
});
const withSource = (src: Partial<NonNullable<FluxRootStatus["source"]>>): FluxRootStatus => ({
  ...ready,
  source: { ...ready.source!, ...src },
});

/** When the up under test started: one minute before the fixtures' source became Ready. */
const UP = Date.parse("2026-11-22T09:59:00Z");
const SHA = "0123456789abcdef0123456789abcdef01234567";
const at = (revision: string): FluxRootStatus => readyStatus(revision);
const expectOf = (ref: string | undefined, extra: Partial<GateExpectation> = {}): GateExpectation => ({
  ref,
  upStartedAt: UP,
  ...extra,
});

describe("parseRef", () => {
  it.each<[string | undefined, ReturnType<typeof parseRef>]>([
    ["branch main", { kind: "branch", value: "main" }],
    ["tag v1.2.0", { kind: "tag", value: "v1.2.0" }],
    ["commit 0123abc", { kind: "commit", value: "0123abc" }],
    ["name refs/heads/main", { kind: "name", value: "refs/heads/main" }],
    ["digest sha256:ff", { kind: "digest", value: "sha256:ff" }],
    [
      undefined,
      {
        error:
          "the stack has no rootSourceRef output, so the gate cannot tell which revision is right (the platform program exports it; a stack without Flux needs --no-gate)",
      },
    ],
    ["main", { error: 'rootSourceRef "main" is not "<kind> <value>" (e.g. "tag v1.2.0")' }],
    [
      "release v1",
      {
        error:
          'rootSourceRef "release v1": unknown ref kind "release" (one of branch, tag, semver, commit, name, digest)',
      },
    ],
    ["commit HEAD", { error: 'rootSourceRef "commit HEAD": a commit is 7 to 64 lower-case hex digits' }],
    ["digest latest", { error: 'rootSourceRef "digest latest": a digest is "sha256:<hex>"' }],
    [
      "semver >=1.0.0 <<2",
      { error: 'rootSourceRef "semver >=1.0.0 <<2": ">=1.0.0 <<2" is not a semver range the gate can read' },
    ],
  ])("%s", (ref, expected) => expect(parseRef(ref)).toEqual(expected));
});

describe("revisionMatchesRef: what each ref kind means", () => {
  it.each<[string | undefined, string, boolean]>([
    ["branch main", `main@sha1:${SHA}`, true],
    ["branch main", `mainline@sha1:${SHA}`, false],
    ["branch main", `sha1:${SHA}`, false],
    ["tag v1.2.0", `v1.2.0@sha1:${SHA}`, true],
    ["tag v1.2.0", `v1.1.0@sha1:${SHA}`, false],
    ["tag v1.2.0", "v1.2.0@sha1:not-hex", false],
    ["tag v1.2.0", `v1.2.0@sha256:${"ab".repeat(32)}`, true],
    ["name refs/heads/main", `refs/heads/main@sha1:${SHA}`, true],
    ["commit 0123456", `sha1:${SHA}`, true],
    [`commit ${SHA}`, `main@sha1:${SHA}`, true],
    ["commit 0123457", `sha1:${SHA}`, false],
    ["digest sha256:ff", "v1@sha256:ff", true],
    ["digest sha256:ff", "sha256:ff", true],
    ["digest sha256:ff", "v1@sha256:ee", false],
    ["semver >=1.0.0 <2.0.0", `v1.4.0@sha1:${SHA}`, true],
    ["semver >=1.0.0 <2.0.0", `1.4.0@sha1:${SHA}`, true],
    ["semver >=1.0.0 <2.0.0", `v2.0.0@sha1:${SHA}`, false],
    ["semver >=1.0.0 <2.0.0", `v1.5.0-rc.1@sha1:${SHA}`, false],
    ["semver >=1.0.0-0 <2.0.0", `v1.5.0-rc.1@sha1:${SHA}`, true],
    ["semver ~1.2", `v1.2.9@sha1:${SHA}`, true],
    ["semver ~1.2", `v1.3.0@sha1:${SHA}`, false],
    ["semver ~1.2", `v1.2@sha1:${SHA}`, true],
    ["semver ~1.2", `v1.2.x@sha1:${SHA}`, false],
    ["semver >= 1.2, < 1.4", `v1.3.1@sha1:${SHA}`, true],
    ["semver >= 1.2, < 1.4", `v1.4.0@sha1:${SHA}`, false],
    ["semver ~>1.2.0", `v1.2.3@sha1:${SHA}`, true],
    ["semver >=1.0.0", `main@sha1:${SHA}`, false],
    ["semver >=1.0.0", `sha1:${SHA}`, false],
    [undefined, `main@sha1:${SHA}`, false],
    ["unparseable", `main@sha1:${SHA}`, false],
  ])("%s vs %s -> %s", (ref, rev, ok) => expect(revisionMatchesRef(ref, rev)).toBe(ok));
});

describe("gateDecision", () => {
  it.each<[string, FluxRootStatus, GateExpectation, ReturnType<typeof gateDecision>]>([
    ["Ready at the served revision", ready, expectOf("branch main"), { state: "ready", revision: REV }],
    [
      "no Kustomization yet",
      { source: ready.source },
      expectOf("branch main"),
      { state: "waiting", reason: "root Kustomization flux-system/flux-system not found yet" },
    ],
    [
      "no source yet",
      { kustomization: ready.kustomization },
      expectOf("branch main"),
      { state: "waiting", reason: "the root Kustomization's source not found yet" },
    ],
    [
      "source has not seen the new spec",
      withSource({ generation: 3, observedGeneration: 2 }),
      expectOf("branch main"),
      { state: "waiting", reason: "GitRepository has not reconciled its new spec yet" },
    ],
    [
      "source that never reported a generation",
      withSource({ observedGeneration: undefined }),
      expectOf("branch main"),
      { state: "waiting", reason: "GitRepository has not reconciled its new spec yet" },
    ],
    [
      "source not Ready",
      withSource({ ready: cond("False", "GitOperationFailed", "auth failed") }),
      expectOf("branch main"),
      { state: "waiting", reason: "GitRepository not Ready: auth failed" },
    ],
    [
      "source status from before the up",
      withSource({ artifactLastUpdateTime: "2026-11-22T09:00:00Z" }),
      expectOf("branch main", { upStartedAt: Date.parse("2026-11-22T10:00:00Z") }),
      {
        state: "waiting",
        reason:
          "GitRepository has reported nothing since the up started at 2026-11-22T10:00:00Z (Ready since 2026-11-22T10:00:00Z, artifact from 2026-11-22T09:00:00Z)",
      },
    ],
    [
      "source status from before the up, reconcile requested but not handled",
      withSource({ lastHandledReconcileAt: "2026-11-22T10:30:00Z" }),
      expectOf("branch main", { upStartedAt: Date.parse("2026-11-22T11:00:00Z"), requestToken: "tok-2" }),
      {
        state: "waiting",
        reason:
          "GitRepository has reported nothing since the up started at 2026-11-22T11:00:00Z (Ready since 2026-11-22T10:00:00Z, artifact from never, reconcile requested at tok-2 not handled yet)",
      },
    ],
    [
      "source that handled the gate's reconcile request counts as fresh",
      withSource({ lastHandledReconcileAt: "tok-2" }),
      expectOf("branch main", { upStartedAt: Date.parse("2026-11-22T11:00:00Z"), requestToken: "tok-2" }),
      { state: "ready", revision: REV },
    ],
    [
      "a new artifact after the up counts as fresh",
      withSource({ artifactLastUpdateTime: "2026-11-22T11:00:05Z" }),
      expectOf("branch main", { upStartedAt: Date.parse("2026-11-22T11:00:00Z") }),
      { state: "ready", revision: REV },
    ],
    [
      "source still at another branch",
      ready,
      expectOf("branch release"),
      {
        state: "waiting",
        reason:
          "GitRepository serves main@sha1:abc123, not yet the declared branch release: it is not of branch release",
      },
    ],
    [
      "tag: the source still serves the old tag",
      at(`v1.1.0@sha1:${SHA}`),
      expectOf("tag v1.2.0"),
      {
        state: "waiting",
        reason: `GitRepository serves v1.1.0@sha1:${SHA}, not yet the declared tag v1.2.0: it is not of tag v1.2.0`,
      },
    ],
    [
      "tag: at the tag",
      at(`v1.2.0@sha1:${SHA}`),
      expectOf("tag v1.2.0"),
      { state: "ready", revision: `v1.2.0@sha1:${SHA}` },
    ],
    [
      "commit: another commit",
      at(`main@sha1:${"f".repeat(40)}`),
      expectOf(`commit ${SHA}`),
      {
        state: "waiting",
        reason: `GitRepository serves main@sha1:${"f".repeat(40)}, not yet the declared commit ${SHA}: it is not commit ${SHA}`,
      },
    ],
    [
      "commit: at the commit",
      at(`sha1:${SHA}`),
      expectOf(`commit ${SHA}`),
      { state: "ready", revision: `sha1:${SHA}` },
    ],
    [
      "semver: a tag outside the range (the old release line) holds",
      at(`v1.9.0@sha1:${SHA}`),
      expectOf("semver >=2.0.0 <3.0.0"),
      {
        state: "waiting",
        reason: `GitRepository serves v1.9.0@sha1:${SHA}, not yet the declared semver >=2.0.0 <3.0.0: tag v1.9.0 is outside >=2.0.0 <3.0.0`,
      },
    ],
    [
      "semver: a pre-release the range does not admit holds",
      at(`v2.1.0-rc.1@sha1:${SHA}`),
      expectOf("semver >=2.0.0 <3.0.0"),
      {
        state: "waiting",
        reason: `GitRepository serves v2.1.0-rc.1@sha1:${SHA}, not yet the declared semver >=2.0.0 <3.0.0: tag v2.1.0-rc.1 is outside >=2.0.0 <3.0.0`,
      },
    ],
    [
      "semver: a branch revision holds",
      ready,
      expectOf("semver >=2.0.0"),
      {
        state: "waiting",
        reason:
          "GitRepository serves main@sha1:abc123, not yet the declared semver >=2.0.0: its tag main is not a semantic version",
      },
    ],
    [
      "semver: a tag inside the range passes",
      at(`v2.3.1@sha1:${SHA}`),
      expectOf("semver >=2.0.0 <3.0.0"),
      { state: "ready", revision: `v2.3.1@sha1:${SHA}` },
    ],
    [
      "digest (OCI): another digest",
      { ...at("v1@sha256:ee"), source: { ...at("v1@sha256:ee").source!, kind: "OCIRepository" } },
      expectOf("digest sha256:ff"),
      {
        state: "waiting",
        reason:
          "OCIRepository serves v1@sha256:ee, not yet the declared digest sha256:ff: it is not digest sha256:ff",
      },
    ],
    [
      "unparseable ref fails at once, even when Flux looks Ready",
      ready,
      expectOf("semver not-a-range"),
      {
        state: "failed",
        reason: 'rootSourceRef "semver not-a-range": "not-a-range" is not a semver range the gate can read',
      },
    ],
    [
      "no ref fails at once",
      ready,
      expectOf(undefined),
      {
        state: "failed",
        reason:
          "the stack has no rootSourceRef output, so the gate cannot tell which revision is right (the platform program exports it; a stack without Flux needs --no-gate)",
      },
    ],
    [
      "Kustomization has not seen its new spec",
      withKs({ generation: 2, observedGeneration: 1 }),
      expectOf("branch main"),
      { state: "waiting", reason: "Kustomization has not reconciled its new spec yet" },
    ],
    [
      "Kustomization still at the old revision",
      withKs({ lastAppliedRevision: "main@sha1:old", lastAttemptedRevision: "main@sha1:old" }),
      expectOf("branch main"),
      {
        state: "waiting",
        reason: "Kustomization applied main@sha1:old so far, waiting for main@sha1:abc123",
      },
    ],
    [
      "Kustomization failed at the new revision",
      withKs({
        ready: cond("False", "BuildFailed", "kustomize build failed"),
        lastAppliedRevision: "main@sha1:old",
      }),
      expectOf("branch main"),
      {
        state: "failed",
        reason: "Kustomization failed at main@sha1:abc123: BuildFailed: kustomize build failed",
      },
    ],
    [
      "Kustomization failed at an older revision keeps waiting",
      withKs({
        ready: cond("False", "BuildFailed"),
        lastAttemptedRevision: "main@sha1:old",
        lastAppliedRevision: "main@sha1:old",
      }),
      expectOf("branch main"),
      {
        state: "waiting",
        reason: "Kustomization applied main@sha1:old so far, waiting for main@sha1:abc123",
      },
    ],
    [
      "applied but health checks still running",
      withKs({ ready: cond("Unknown", "Progressing") }),
      expectOf("branch main"),
      { state: "waiting", reason: "Kustomization not Ready yet (Progressing)" },
    ],
  ])("%s", (_n, status, expectation, expected) =>
    expect(gateDecision(status, expectation)).toEqual(expected),
  );
});

describe("waitForGate", () => {
  const target = { stack: "a", kubeconfig: "x" };
  const stale = withKs({ lastAppliedRevision: "main@sha1:old" });

  it("polls until Ready and retries read errors", async () => {
    const flux = new ScriptedFlux(() => [new Error("connect ECONNREFUSED"), stale, ready]);
    const waits: string[] = [];
    const r = await waitForGate(flux, target, {
      timeoutMs: 1000,
      pollMs: 1,
      expectedRef: "branch main",
      upStartedAt: UP,
      signal: new AbortController().signal,
      onWaiting: (w) => waits.push(w),
    });
    expect(r).toMatchObject({ passed: true, reason: `Ready at ${REV}` });
    expect(waits).toEqual([
      "cannot read Flux status: connect ECONNREFUSED",
      "Kustomization applied main@sha1:old so far, waiting for main@sha1:abc123",
    ]);
  });

  it("fails at once on a kubeconfig that cannot work", async () => {
    const flux = {
      read: () => Promise.reject(new KubeconfigError('context "x" is not in the kubeconfig (it has: a)')),
    };
    const r = await waitForGate(flux, target, {
      timeoutMs: 60_000,
      pollMs: 10_000,
      expectedRef: "branch main",
      upStartedAt: UP,
      signal: new AbortController().signal,
    });
    expect(r).toEqual({
      passed: false,
      reason: 'unusable kubeconfig output: context "x" is not in the kubeconfig (it has: a)',
      flux: undefined,
    });
  });

  it("times out with the last reason", async () => {
    const r = await waitForGate(new ScriptedFlux(() => [stale]), target, {
      timeoutMs: 20,
      pollMs: 5,
      expectedRef: "branch main",
      upStartedAt: UP,
      signal: new AbortController().signal,
    });
    expect(r).toMatchObject({
      passed: false,
      reason:
        "not Ready after 20 ms: Kustomization applied main@sha1:old so far, waiting for main@sha1:abc123",
    });
  });

  it("stops at once when cancelled", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 5);
    const t0 = Date.now();
    const r = await waitForGate(new ScriptedFlux(() => [stale]), target, {
      timeoutMs: 60_000,
      pollMs: 10_000,
      expectedRef: "branch main",
      upStartedAt: UP,
      signal: ctl.signal,
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(/^cancelled while waiting: /);
  });

  // An up that changed nothing: the source has been Ready at the right revision since before the up.
  const AFTER = Date.parse("2026-11-22T12:00:00Z");
  const opts = (extra: Partial<Parameters<typeof waitForGate>[2]> = {}) => ({
    timeoutMs: 40,
    pollMs: 5,
    expectedRef: "branch main",
    upStartedAt: AFTER,
    requestToken: "2026-11-22T12:01:00.123Z",
    signal: new AbortController().signal,
    ...extra,
  });

  it("asks the source to reconcile and passes once the controller handled that request", async () => {
    const flux = new ScriptedFlux(() => [ready]);
    const r = await waitForGate(flux, target, opts());
    expect(r).toMatchObject({ passed: true, reason: `Ready at ${REV}` });
    expect(flux.requests).toEqual([
      {
        stack: "a",
        object: { kind: "GitRepository", namespace: "flux-system", name: "flux-system" },
        token: "2026-11-22T12:01:00.123Z",
      },
    ]);
  });

  it("holds while the source has not reported since the up (controller not reconciling)", async () => {
    const flux = new ScriptedFlux(() => [ready], { handlesRequests: false });
    const r = await waitForGate(flux, target, opts());
    expect(r).toMatchObject({
      passed: false,
      reason:
        "not Ready after 40 ms: GitRepository has reported nothing since the up started at 2026-11-22T12:00:00Z (Ready since 2026-11-22T10:00:00Z, artifact from never, reconcile requested at 2026-11-22T12:01:00.123Z not handled yet)",
    });
  });

  it("says why it could not request a reconcile while it holds", async () => {
    const refusal =
      'PATCH gitrepositories.source.toolkit.fluxcd.io flux-system/flux-system on https://k: HTTP 403 Forbidden: gitrepositories.source.toolkit.fluxcd.io "flux-system" is forbidden: User "ci" cannot patch resource';
    const flux = new ScriptedFlux(() => [ready], { refuseRequests: refusal });
    const r = await waitForGate(flux, target, opts());
    expect(r).toMatchObject({
      passed: false,
      reason: `not Ready after 40 ms: GitRepository has reported nothing since the up started at 2026-11-22T12:00:00Z (Ready since 2026-11-22T10:00:00Z, artifact from never); cannot request a reconcile: ${refusal}`,
    });
  });

  it("passes without a request when the source changed after the up", async () => {
    const fresh = withSource({
      ready: { ...ready.source!.ready!, lastTransitionTime: "2026-11-22T12:00:30Z" },
    });
    const flux = new ScriptedFlux(() => [fresh], { refuseRequests: "HTTP 403 Forbidden" });
    expect(await waitForGate(flux, target, opts())).toMatchObject({ passed: true });
  });

  it("fails at once on a ref it cannot read, whatever Flux reports", async () => {
    const flux = new ScriptedFlux(() => [ready]);
    const r = await waitForGate(flux, target, opts({ expectedRef: "latest", timeoutMs: 60_000 }));
    expect(r).toEqual({
      passed: false,
      reason: 'rootSourceRef "latest" is not "<kind> <value>" (e.g. "tag v1.2.0")',
      flux: {
        revision: REV,
        ready: "True",
        reason: "ReconciliationSucceeded",
        since: "2026-11-22T10:00:00Z",
      },
    });
  });

  it("summarizes the root for the dashboard", () => {
    expect(fluxSummary({})).toEqual({
      ready: "missing",
      message: "root Kustomization flux-system/flux-system not found",
    });
    expect(fluxSummary(withKs({ ready: undefined }))).toEqual({ revision: REV, ready: "Unknown" });
  });

  it("carries an OCI artifact's origin revision only when the root applied that artifact", () => {
    const oci = "v1.2.0@sha256:" + "ab".repeat(32);
    const origin = `v1.2.0@sha1:${SHA}`;
    const applied: FluxRootStatus = {
      kustomization: { ...ready.kustomization!, lastAppliedRevision: oci, ready: undefined },
      source: { ...ready.source!, artifactRevision: oci, artifactOriginRevision: origin },
    };
    expect(fluxSummary(applied)).toEqual({ revision: oci, ready: "Unknown", originRevision: origin });
    const newer = {
      ...applied,
      source: { ...applied.source!, artifactRevision: "v1.3.0@sha256:" + "cd".repeat(32) },
    };
    expect(fluxSummary(newer)).toEqual({ revision: oci, ready: "Unknown" });
  });
});
