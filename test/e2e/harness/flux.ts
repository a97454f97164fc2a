// The real Flux source-controller and kustomize-controller, run out of cluster against the local
// API server (KUBECONFIG), every listener on 127.0.0.1 with its own free port.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Supervisor } from "./supervisor";
import type { Tools } from "./tools";
import { freePort, secondsSince, waitFor } from "./util";

export interface FluxControllers {
  storageAddr: string;
  /** Seconds until both controllers answered their readiness probe. */
  startSeconds: number;
}

async function startController(
  sup: Supervisor,
  tools: Tools,
  name: string,
  kubeconfig: string,
  extraArgs: string[],
): Promise<number> {
  const [metrics, health] = [await freePort(), await freePort()];
  sup.start({
    name,
    command: tools.path(name),
    args: [
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-addr=127.0.0.1:${health}`,
      "--watch-all-namespaces",
      "--enable-leader-election=false",
      "--log-level=debug",
      "--log-encoding=console",
      ...extraArgs,
    ],
    env: { ...process.env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: "flux-system" },
  });
  return health;
}

export async function startFlux(
  sup: Supervisor,
  tools: Tools,
  kubeconfig: string,
  workDir: string,
): Promise<FluxControllers> {
  const t0 = Date.now();
  const storagePort = await freePort();
  const storageAddr = `127.0.0.1:${storagePort}`;
  const storagePath = path.join(workDir, "source-controller-storage");
  fs.mkdirSync(storagePath, { recursive: true });
  const healthPorts = [
    await startController(sup, tools, "source-controller", kubeconfig, [
      `--storage-path=${storagePath}`,
      `--storage-addr=${storageAddr}`,
      `--storage-adv-addr=${storageAddr}`,
      "--events-addr=",
    ]),
    await startController(sup, tools, "kustomize-controller", kubeconfig, ["--events-addr="]),
  ];
  for (const port of healthPorts) {
    await waitFor(
      `controller readiness on 127.0.0.1:${port}`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, check: () => sup.assertAlive() },
    );
  }
  return { storageAddr, startSeconds: secondsSince(t0) };
}
