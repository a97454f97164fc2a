import { gateDecision, revisionMatchesRef, waitForGate, fluxSummary } from "../../../automation/fleet/gate";
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

describe("revisionMatchesRef", () => {
  it.each<[string | undefined, string, boolean]>([
    ["branch main", "main@sha1:abc", true],
    ["branch main", "mainline@sha1:abc", false],
    ["tag v1.2.0", "v1.2.0@sha1:abc", true],
    ["tag v1.2.0", "v1.1.0@sha1:abc", false],
    ["name refs/heads/main", "refs/heads/main@sha1:abc", true],
    ["commit abc1", "sha1:abc123", true],
    ["commit abc1", "main@sha1:abc123", true],
    ["commit def", "sha1:abc123", false],
    ["digest sha256:ff", "v1@sha256:ff", true],
    ["digest sha256:ff", "v1@sha256:ee", false],
    ["semver >=1.0.0", "v1.4.0@sha1:abc", true],
    [undefined, "anything", true],
    ["unparseable", "anything", true],
  ])("%s vs %s -> %s", (ref, rev, ok) => expect(revisionMatchesRef(ref, rev)).toBe(ok));
});

describe("gateDecision", () => {
  it.each<[string, FluxRootStatus, string | undefined, ReturnType<typeof gateDecision>]>([
    ["Ready at the served revision", ready, "branch main", { state: "ready", revision: REV }],
    [
      "no Kustomization yet",
      { source: ready.source },
      undefined,
      { state: "waiting", reason: "root Kustomization flux-system/flux-system not found yet" },
    ],
    [
      "no source yet",
      { kustomization: ready.kustomization },
      undefined,
      { state: "waiting", reason: "the root Kustomization's source not found yet" },
    ],
    [
      "source has not seen the new spec",
      withSource({ generation: 3, observedGeneration: 2 }),
      undefined,
      { state: "waiting", reason: "GitRepository has not reconciled its new spec yet" },
    ],
    [
      "source not Ready",
      withSource({ ready: cond("False", "GitOperationFailed", "auth failed") }),
      undefined,
      { state: "waiting", reason: "GitRepository not Ready: auth failed" },
    ],
    [
      "source still at another ref",
      ready,
      "tag v2.0.0",
      { state: "waiting", reason: "GitRepository serves main@sha1:abc123, not yet the declared tag v2.0.0" },
    ],
    [
      "Kustomization has not seen its new spec",
      withKs({ generation: 2, observedGeneration: 1 }),
      undefined,
      { state: "waiting", reason: "Kustomization has not reconciled its new spec yet" },
    ],
    [
      "Kustomization still at the old revision",
      withKs({ lastAppliedRevision: "main@sha1:old", lastAttemptedRevision: "main@sha1:old" }),
      undefined,
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
      undefined,
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
      undefined,
      {
        state: "waiting",
        reason: "Kustomization applied main@sha1:old so far, waiting for main@sha1:abc123",
      },
    ],
    [
      "applied but health checks still running",
      withKs({ ready: cond("Unknown", "Progressing") }),
      undefined,
      { state: "waiting", reason: "Kustomization not Ready yet (Progressing)" },
    ],
  ])("%s", (_n, status, ref, expected) => expect(gateDecision(status, ref)).toEqual(expected));
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
      signal: ctl.signal,
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(/^cancelled while waiting: /);
  });

  it("summarizes the root for the dashboard", () => {
    expect(fluxSummary({})).toEqual({
      ready: "missing",
      message: "root Kustomization flux-system/flux-system not found",
    });
    expect(fluxSummary(withKs({ ready: undefined }))).toEqual({ revision: REV, ready: "Unknown" });
  });
});
