/**
 * Integration test of the Flux gate against a real kube-apiserver (not part of `npm test`):
 *   npm run test:fleet-integration
 * Starts etcd, kube-apiserver and kube-controller-manager with the Flux CRDs through the end-to-end
 * harness (test/e2e/harness), creates the root GitRepository and Kustomization, and plays Flux's
 * part by writing their status subresources while the driver's gate reads them over TLS with the
 * admin client certificate, exactly as it reads a stack's kubeconfig output. Needs the tools built
 * by scripts/e2e/build-tools.sh; without them it is reported as skipped with the reason.
 */
import { existsSync, promises as fs, readdirSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runFleet } from "../../../../automation/fleet/driver";
import { ClusterFluxReader } from "../../../../automation/fleet/kube";
import { gateDecision } from "../../../../automation/fleet/gate";
import { startControlPlane, type ControlPlane } from "../../../e2e/harness/controlPlane";
import { resourcePath } from "../../../e2e/harness/kube";
import { Supervisor } from "../../../e2e/harness/supervisor";
import { ensureTools } from "../../../e2e/harness/tools";
import { FakeRunner, fleetStack } from "../fakes";

const NEEDED = [
  "bin/etcd",
  "bin/kube-apiserver",
  "bin/kube-controller-manager",
  "crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
];

/** A tools folder (PLATFORM_E2E_TOOLS, or one in the e2e cache) with everything this test needs. */
function findToolsDir(): string | undefined {
  const given = process.env.PLATFORM_E2E_TOOLS;
  const cache = process.env.PLATFORM_E2E_CACHE ?? path.join(os.homedir(), ".cache", "platform-e2e");
  const candidates = given
    ? [given]
    : existsSync(cache)
      ? readdirSync(cache).map((d) => path.join(cache, d))
      : [];
  return candidates.find((d) => NEEDED.every((f) => existsSync(path.join(d, f))));
}

const toolsDir = findToolsDir();
if (!toolsDir)
  console.warn(
    `SKIPPED: the Flux gate integration test needs ${NEEDED.join(", ")} in PLATFORM_E2E_TOOLS or ~/.cache/platform-e2e/<key>/ (build them with scripts/e2e/build-tools.sh)`,
  );
const maybe = toolsDir ? describe : describe.skip;
jest.setTimeout(300_000);

const REV = "main@sha1:0123456789abcdef0123456789abcdef01234567";
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const condition = (status: "True" | "False", reason: string, message: string) => ({
  type: "Ready",
  status,
  reason,
  message,
  lastTransitionTime: now(),
});

maybe(`Flux gate against a real kube-apiserver (${toolsDir ?? "?"})`, () => {
  let work: string;
  let sup: Supervisor;
  let cp: ControlPlane;
  let kubeconfig: string;

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
      spec: { interval: "1m", url: "https://git.example.invalid/fleet.git", ref: { branch: "main" } },
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
    console.log(`control plane up in ${cp.figures.total} s`);
  });
  afterAll(async () => {
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
    expect(gateDecision(status, "branch main")).toEqual({
      state: "waiting",
      reason: "GitRepository has not reconciled its new spec yet",
    });
    expect(resourcePath("v1", "Namespace", undefined, "flux-system")).toBe("/api/v1/namespaces/flux-system");
  });

  it("the driver's gate passes once the source serves the ref and the Kustomization is Ready at it", async () => {
    const runner = new FakeRunner({
      outputs: () => ({
        kubeconfig: { value: kubeconfig, secret: true },
        rootSourceRef: { value: "branch main", secret: false },
      }),
    });
    setTimeout(() => {
      void (async () => {
        await setStatus("gitrepositories", {
          observedGeneration: 1,
          artifact: {
            digest: "sha256:00",
            lastUpdateTime: now(),
            path: "p",
            revision: REV,
            url: "http://x/p",
          },
          conditions: [condition("True", "Succeeded", "stored artifact")],
        });
        await setStatus("kustomizations", {
          observedGeneration: 1,
          lastAppliedRevision: REV,
          lastAttemptedRevision: REV,
          conditions: [condition("True", "ReconciliationSucceeded", `Applied revision: ${REV}`)],
        });
      })();
    }, 1500);
    const r = await runFleet({
      operation: "up",
      stacks: [fleetStack("it", 1)],
      concurrency: 1,
      failFast: false,
      gate: { enabled: true, timeoutMs: 60_000, pollMs: 300 },
      engineOptions: () => ({
        policyPacks: [],
        policyPackConfigs: [],
        expectNoChanges: false,
        refresh: false,
      }),
      runner,
      flux: new ClusterFluxReader(),
    });
    expect(r.results[0]).toMatchObject({
      result: "succeeded",
      flux: { revision: REV, ready: "True", reason: "ReconciliationSucceeded" },
    });
  });

  it("fails the gate at once when the Kustomization fails at the served revision", async () => {
    await setStatus("kustomizations", {
      lastAttemptedRevision: REV,
      conditions: [condition("False", "BuildFailed", "kustomization path not found")],
    });
    const r = await runFleet({
      operation: "up",
      stacks: [fleetStack("it", 1), fleetStack("next", 2)],
      concurrency: 1,
      failFast: false,
      gate: { enabled: true, timeoutMs: 60_000, pollMs: 300 },
      engineOptions: () => ({
        policyPacks: [],
        policyPackConfigs: [],
        expectNoChanges: false,
        refresh: false,
      }),
      runner: new FakeRunner({ outputs: () => ({ kubeconfig: { value: kubeconfig, secret: true } }) }),
      flux: new ClusterFluxReader(),
    });
    expect(r.results.map((x) => x.result)).toEqual(["gate-failed", "skipped"]);
    expect(r.results[0].error).toBe(
      `Flux gate: Kustomization failed at ${REV}: BuildFailed: kustomization path not found`,
    );
  });
});
