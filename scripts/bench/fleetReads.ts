/**
 * `fleet status` at fleet scale, on the wall clock: N clusters each answering every request after a
 * fixed delay, read with `--read-concurrency C`. Two figures, each from the driver's start to its
 * last stack's result:
 *
 * - **double**: the driver with a reader that answers one read after the delay (what
 *   test/unit/fleet/reads.test.ts proves on a virtual clock: N / C rounds of the delay);
 * - **http**: the real reader (`@kubernetes/client-node`, one client per stack) against one local
 *   HTTP server posing as every cluster's API server, each request answered after the delay. A
 *   status of one cluster is two reads, each holding one slot: the root (two GETs one after the
 *   other: the Kustomization, then its source) and the details (three lists at once). The ideal is
 *   then N / C × 3 delays.
 *
 *   node --import ./scripts/ts-hooks.mjs scripts/bench/fleetReads.ts [--clusters 1000] [--delay 200] [--read-concurrency 50]
 *
 * Prints figures only: nothing here asserts a time.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { runFleet, type DriverOperation } from "../../automation/fleet/driver";
import { ClusterFluxReader } from "../../automation/fleet/kube";
import type { FleetStack } from "../../automation/fleet/inventory";
import type { FleetRunner, FluxReader, FluxRootStatus, StackOutputs } from "../../automation/fleet/types";

const READY = {
  type: "Ready",
  status: "True",
  reason: "ReconciliationSucceeded",
  lastTransitionTime: "2026-01-01T00:00:00Z",
};
const REVISION = "main@sha1:0123456789abcdef0123456789abcdef01234567";

const stacksOf = (n: number): FleetStack[] =>
  Array.from({ length: n }, (_, i) => ({
    stack: `p${String(i + 1).padStart(4, "0")}`,
    file: "",
    wave: 1,
    labels: {},
  }));

function runnerWith(kubeconfig: string): FleetRunner {
  const outputs = (): StackOutputs => ({
    kubeconfig: { value: kubeconfig, secret: true },
    rootSourceRef: { value: "branch main", secret: false },
  });
  return { run: () => Promise.reject(new Error("status only")), outputs: async () => outputs() };
}

async function timeStatus(stacks: FleetStack[], flux: FluxReader, runner: FleetRunner, concurrency: number) {
  const t0 = performance.now();
  const r = await runFleet({
    operation: "status" as DriverOperation,
    stacks,
    concurrency: 4,
    failFast: false,
    gate: { enabled: true, timeoutMs: 600_000, pollMs: 5000 },
    engineOptions: () => ({ policyPacks: [], policyPackConfigs: [], expectNoChanges: false, refresh: false }),
    runner,
    flux,
    reads: { concurrency, timeoutMs: 15_000 },
  });
  const ms = performance.now() - t0;
  const failed = r.results.filter((x) => x.result !== "succeeded");
  return { ms, failed };
}

/** One HTTP server answering as every cluster's API server, after `delayMs`; counts requests in flight. */
async function fakeApiServer(delayMs: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      const url = req.url ?? "";
      const object = url.endsWith("/kustomizations/flux-system")
        ? {
            metadata: { generation: 1 },
            spec: { sourceRef: { kind: "GitRepository", name: "flux-system" } },
            status: {
              observedGeneration: 1,
              conditions: [READY],
              lastAppliedRevision: REVISION,
              lastAttemptedRevision: REVISION,
            },
          }
        : url.endsWith("/gitrepositories/flux-system")
          ? {
              metadata: { generation: 1 },
              status: { observedGeneration: 1, conditions: [READY], artifact: { revision: REVISION } },
            }
          : { items: [] };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(object));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, maxInFlight }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      clusters: { type: "string", default: "1000" },
      delay: { type: "string", default: "200" },
      "read-concurrency": { type: "string", default: "50" },
    },
  });
  const n = Number(values.clusters);
  const delay = Number(values.delay);
  const c = Number(values["read-concurrency"]);
  if (![n, delay, c].every((x) => Number.isInteger(x) && x >= 1)) {
    console.error(
      "usage: fleetReads.ts [--clusters 1000] [--delay 200] [--read-concurrency 50] (whole numbers from 1)",
    );
    return 2;
  }
  const stacks = stacksOf(n);
  let code = 0;

  // The double: one read per cluster, answered after the delay.
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const double: FluxReader = {
    read: () => {
      calls++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      return new Promise<FluxRootStatus>((resolve) =>
        setTimeout(() => {
          inFlight--;
          resolve({
            source: {
              kind: "GitRepository",
              name: "flux-system",
              namespace: "flux-system",
              ready: { ...READY, status: "True" },
              artifactRevision: REVISION,
            },
            kustomization: { ready: { ...READY, status: "True" }, lastAppliedRevision: REVISION },
          });
        }, delay),
      );
    },
  };
  const d = await timeStatus(stacks, double, runnerWith("unused"), c);
  const ideal = Math.ceil(n / c) * delay;
  console.log(
    `fleet status, double: ${n} clusters × ${delay} ms at --read-concurrency ${c}: ${(d.ms / 1000).toFixed(2)} s ` +
      `(ideal ${(ideal / 1000).toFixed(2)} s = ${Math.ceil(n / c)} rounds; ratio ${(d.ms / ideal).toFixed(3)}), ` +
      `${calls} reads, at most ${maxInFlight} in flight, ${d.failed.length} failed`,
  );
  if (d.failed.length) code = 1;

  // The real reader against one local HTTP server posing as every cluster.
  const api = await fakeApiServer(delay);
  try {
    const kubeconfig = JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: api.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { token: "bench" } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
      "current-context": "c",
    });
    const h = await timeStatus(stacks, new ClusterFluxReader(15_000), runnerWith(kubeconfig), c);
    const { requests, maxInFlight: max } = api.stats();
    console.log(
      `fleet status, http: ${n} clusters (kube client, one local API server answering each request after ${delay} ms) at --read-concurrency ${c}: ` +
        `${(h.ms / 1000).toFixed(2)} s (ideal ${((Math.ceil(n / c) * 3 * delay) / 1000).toFixed(2)} s), ${requests} requests, at most ${max} in flight, ${h.failed.length} failed`,
    );
    if (h.failed.length) {
      console.log(h.failed[0].error);
      code = 1;
    }
  } finally {
    await api.close();
  }
  return code;
}

void main().then((c) => (process.exitCode = c));
