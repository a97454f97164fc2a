/**
 * Integration test of the Flux gate against a real kube-apiserver (not part of `npm test`):
 *   npm run test:fleet-integration
 * Starts etcd, kube-apiserver and kube-controller-manager with the Flux CRDs through the end-to-end
 * harness (test/e2e/harness), creates the root GitRepository (a semver range) and Kustomization, and
 * PLAYS FLUX: it writes their status subresources itself, and echoes the gate's reconcile request
 * like source-controller, while the driver's gate reads them over TLS with the admin client
 * certificate, exactly as it reads a stack's kubeconfig output. The real controllers are exercised
 * by the end-to-end scenario. Run it alone with `npm run test:gate-integration`. Needs the tools built
 * by scripts/e2e/build-tools.sh; without them it is reported as skipped with the reason.
 */
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runFleet } from "../../../../automation/fleet/driver";
import { ClusterFluxReader } from "../../../../automation/fleet/kube";
import { gateDecision } from "../../../../automation/fleet/gate";
import { startControlPlane, type ControlPlane } from "../../../e2e/harness/controlPlane";
import { resourcePath } from "../../../e2e/harness/kube";
import { Supervisor } from "../../../e2e/harness/supervisor";
import { ensureTools } from "../../../e2e/harness/tools";
import { findE2eToolsDir } from "../../../helpers/e2eTools";
import { FakeRunner, fleetStack } from "../fakes";

const NEEDED = [
  "bin/etcd",
  "bin/kube-apiserver",
  "bin/kube-controller-manager",
  "crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
];

const toolsDir = findE2eToolsDir(NEEDED);
// In CI a skip would pass silently: PLATFORM_E2E_REQUIRE_TOOLS=1 makes missing tools a failure.
if (!toolsDir && process.env.PLATFORM_E2E_REQUIRE_TOOLS === "1")
  throw new Error(
    `the Flux gate integration test needs ${NEEDED.join(", ")} in PLATFORM_E2E_TOOLS or ~/.cache/platform-e2e/<key>/ and PLATFORM_E2E_REQUIRE_TOOLS=1 forbids skipping it: run npm run e2e:tools first`,
  );
if (!toolsDir)
  console.warn(
    `SKIPPED: the Flux gate integration test needs ${NEEDED.join(", ")} in PLATFORM_E2E_TOOLS or ~/.cache/platform-e2e/<key>/ (build them with scripts/e2e/build-tools.sh)`,
  );
const maybe = toolsDir ? describe : describe.skip;
jest.setTimeout(300_000);

const SHA_OLD = "0123456789abcdef0123456789abcdef01234567";
const SHA_NEW = "89abcdef0123456789abcdef0123456789abcdef";
const OLD = `v1.0.0@sha1:${SHA_OLD}`;
const NEW = `v1.1.0@sha1:${SHA_NEW}`;
const RANGE = "semver >=1.0.0 <2.0.0";
const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const condition = (status: "True" | "False", reason: string, message: string, at = iso()) => ({
  type: "Ready",
  status,
  reason,
  message,
  lastTransitionTime: at,
});
const artifact = (revision: string, at: string) => ({
  digest: "sha256:00",
  lastUpdateTime: at,
  path: "p",
  revision,
  url: "http://x/p",
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const engineOptions = () => ({
  policyPacks: [],
  policyPackConfigs: [],
  expectNoChanges: false,
  refresh: false,
});

/** Resolves when `probe` holds, polling; rejects after `ms` with what it waited for. */
async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

maybe(`Flux gate against a real kube-apiserver (${toolsDir ?? "?"})`, () => {
  let work: string;
  let sup: Supervisor;
  let cp: ControlPlane;
  let kubeconfig: string;

  // This test plays source-controller and kustomize-controller: it writes the objects' status
  // subresources itself (the lead's e2e runs the real controllers). The gate under test only reads
  // them, and sets the reconcile request annotation, through the real API server over TLS.
  const setStatus = async (plural: "gitrepositories" | "kustomizations", status: Record<string, unknown>) => {
    const group = plural === "gitrepositories" ? "source.toolkit.fluxcd.io" : "kustomize.toolkit.fluxcd.io";
    const res = await cp.kube.request(
      "PATCH",
      `/apis/${group}/v1/namespaces/flux-system/${plural}/flux-system/status`,
      { status },
      "application/merge-patch+json",
    );
    if (res.status !== 200) throw new Error(`status patch of ${plural}: ${res.status} ${res.text}`);
  };
  /** The reconcile request the gate set on the GitRepository, if any. */
  const requestedAt = async () => {
    const repo = await cp.kube.get(
      "source.toolkit.fluxcd.io/v1",
      "GitRepository",
      "flux-system",
      "flux-system",
    );
    return (repo?.metadata.annotations as Record<string, string> | undefined)?.[REQUESTED_AT];
  };
  /** Like source-controller: echo each reconcile request in status.lastHandledReconcileAt, while on. */
  let echo = false;
  let echoLoop: Promise<void> | undefined;
  let stopEcho = false;
  const startEcho = () => {
    echoLoop = (async () => {
      let handled: string | undefined;
      while (!stopEcho) {
        const token = echo ? await requestedAt() : undefined;
        if (token !== undefined && token !== handled) {
          await setStatus("gitrepositories", { lastHandledReconcileAt: token });
          handled = token;
        }
        await sleep(100);
      }
    })();
  };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-gate-it-"));
    process.env.PLATFORM_E2E_TOOLS = toolsDir;
    sup = new Supervisor(path.join(work, "logs"));
    cp = await startControlPlane(sup, await ensureTools(), work);
    kubeconfig = readFileSync(cp.kubeconfig, "utf8");
    await cp.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } });
    await cp.kube.apply({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: {
        interval: "1m",
        url: "https://git.example.invalid/fleet.git",
        ref: { semver: ">=1.0.0 <2.0.0" },
      },
    });
    await cp.kube.apply({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: {
        interval: "10m",
        path: "./clusters/it",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "flux-system" },
      },
    });
    startEcho();
    console.log(`control plane up in ${cp.figures.total} s`);
  });
  afterAll(async () => {
    stopEcho = true;
    await echoLoop;
    cp?.kube.close();
    await sup?.stopAll();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("reads the objects Flux has not reconciled yet as waiting", async () => {
    const status = await new ClusterFluxReader().read(
      { stack: "it", kubeconfig },
      new AbortController().signal,
    );
    expect(status.kustomization?.generation).toBe(1);
    expect(gateDecision(status, { ref: RANGE, upStartedAt: Date.now() })).toEqual({
      state: "waiting",
      reason: "GitRepository has not reconciled its new spec yet",
    });
    expect(resourcePath("v1", "Namespace", undefined, "flux-system")).toBe("/api/v1/namespaces/flux-system");
  });

  it("holds wave 2 while the source has not caught up after the up, and passes once it has", async () => {
    // Before the up: Flux is Ready at the old release v1.0.0, which is inside the stack's range, so
    // a gate that only matched the ref would pass at once on the wrong revision.
    const before = iso(Date.now() - 5000);
    await setStatus("gitrepositories", {
      observedGeneration: 1,
      artifact: artifact(OLD, before),
      conditions: [condition("True", "Succeeded", `stored artifact for revision '${OLD}'`, before)],
    });
    await setStatus("kustomizations", {
      observedGeneration: 1,
      lastAppliedRevision: OLD,
      lastAttemptedRevision: OLD,
      conditions: [condition("True", "ReconciliationSucceeded", `Applied revision: ${OLD}`, before)],
    });
    await sleep(1100); // the up starts in a later second than the status above (RFC 3339 has seconds)

    const runner = new FakeRunner({
      outputs: () => ({
        kubeconfig: { value: kubeconfig, secret: true },
        rootSourceRef: { value: RANGE, secret: false },
      }),
    });
    const waits: string[] = [];
    const run = runFleet({
      operation: "up",
      stacks: [fleetStack("it", 1), fleetStack("next", 2)],
      concurrency: 1,
      failFast: false,
      gate: { enabled: true, timeoutMs: 120_000, pollMs: 200 },
      engineOptions,
      runner,
      flux: new ClusterFluxReader(),
      progress: {
        update: (s, state, d) =>
          void (state === "gating" && d?.message && waits.push(`${s.stack}: ${d.message}`)),
      },
    });
    const saw = (re: RegExp) => () => waits.some((w) => re.test(w));

    // 1. The source has not reported since the up (controller busy): held, and the gate asked for a reconcile.
    await until("the gate to request a reconcile", async () => (await requestedAt()) !== undefined);
    const token = (await requestedAt())!;
    await until(
      "the stale-source message",
      saw(/^it: GitRepository has reported nothing since the up started at /),
    );
    expect(waits.find((w) => w.includes("reported nothing"))).toMatch(
      new RegExp(
        `^it: GitRepository has reported nothing since the up started at \\S+ \\(Ready since ${before}, artifact from ${before}, reconcile requested at ${token.replace(/[.]/g, "\\.")} not handled yet\\)$`,
      ),
    );
    await sleep(1000);
    expect(runner.started).toEqual(["it"]);

    // 2. The source reconciled, but picked a pre-release the range does not admit: still held.
    await setStatus("gitrepositories", {
      lastHandledReconcileAt: token,
      artifact: artifact(`v1.1.0-rc.1@sha1:${SHA_NEW}`, iso()),
      conditions: [condition("True", "Succeeded", "stored artifact")],
    });
    await until("the out-of-range message", saw(/tag v1\.1\.0-rc\.1 is outside >=1\.0\.0 <2\.0\.0$/));
    expect(runner.started).toEqual(["it"]);

    // 3. The source serves the new release, the Kustomization still has the old one applied: held.
    await setStatus("gitrepositories", { artifact: artifact(NEW, iso()) });
    await until(
      "the not-applied message",
      saw(new RegExp(`^it: Kustomization applied ${OLD} so far, waiting for ${NEW}$`)),
    );
    await sleep(1000);
    expect(runner.started).toEqual(["it"]);

    // 4. The Kustomization applied the new release: wave 1 passes, wave 2 starts. From now on the
    // test echoes reconcile requests the way source-controller does, so wave 2's gate (whose up
    // changed nothing) passes on its own request.
    echo = true;
    await setStatus("kustomizations", {
      lastAppliedRevision: NEW,
      lastAttemptedRevision: NEW,
      conditions: [condition("True", "ReconciliationSucceeded", `Applied revision: ${NEW}`)],
    });
    const r = await run;
    expect(runner.started).toEqual(["it", "next"]);
    expect(r.results.map((x) => [x.stack, x.result])).toEqual([
      ["it", "succeeded"],
      ["next", "succeeded"],
    ]);
    expect(r.results[0].flux).toMatchObject({
      revision: NEW,
      ready: "True",
      reason: "ReconciliationSucceeded",
    });
    const handled = await cp.kube.get(
      "source.toolkit.fluxcd.io/v1",
      "GitRepository",
      "flux-system",
      "flux-system",
    );
    expect((handled?.status as { lastHandledReconcileAt?: string }).lastHandledReconcileAt).toBe(
      await requestedAt(),
    );
    expect(await requestedAt()).not.toBe(token);
  });

  /** `up` of two stacks on this cluster, waves 1 and 2, declaring `ref`. */
  const upTwoWaves = (ref: string) =>
    runFleet({
      operation: "up",
      stacks: [fleetStack("it", 1), fleetStack("next", 2)],
      concurrency: 1,
      failFast: false,
      gate: { enabled: true, timeoutMs: 60_000, pollMs: 300 },
      engineOptions,
      runner: new FakeRunner({
        outputs: () => ({
          kubeconfig: { value: kubeconfig, secret: true },
          rootSourceRef: { value: ref, secret: false },
        }),
      }),
      flux: new ClusterFluxReader(),
    });

  it("fails the gate at once when the Kustomization fails at the served revision", async () => {
    await setStatus("kustomizations", {
      lastAttemptedRevision: NEW,
      conditions: [condition("False", "BuildFailed", "kustomization path not found")],
    });
    const r = await upTwoWaves(RANGE);
    expect(r.results.map((x) => x.result)).toEqual(["gate-failed", "skipped"]);
    expect(r.results[0].error).toBe(
      `Flux gate: Kustomization failed at ${NEW}: BuildFailed: kustomization path not found`,
    );
  });

  it("holds the wave on a ref it cannot read, whatever Flux reports", async () => {
    const r = await upTwoWaves("semver latest-stable");
    expect(r.results.map((x) => x.result)).toEqual(["gate-failed", "skipped"]);
    expect(r.results[0].error).toBe(
      'Flux gate: rootSourceRef "semver latest-stable": "latest-stable" is not a semver range the gate can read',
    );
  });
});
