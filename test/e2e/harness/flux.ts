// The real Flux controllers (source, kustomize and helm), run out of cluster against the local API
// server (KUBECONFIG), every listener on 127.0.0.1 with its own free port.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kube } from "./kube";
import type { Supervisor } from "./supervisor";
import type { Tools } from "./tools";
import { freePort, secondsSince, waitFor } from "./util";

export interface FluxControllers {
  storageAddr: string;
  /** Seconds until both controllers answered their readiness probe. */
  startSeconds: number;
  /** The arguments each controller runs with (beyond the harness's own listeners). */
  args: Record<string, string[]>;
}

/** Arguments the harness sets itself: its listeners on loopback, no leader election, console logs. */
const HARNESS_OWNED = [
  "--metrics-addr",
  "--health-addr",
  "--enable-leader-election",
  "--storage-path",
  "--storage-addr",
  "--storage-adv-addr",
  "--events-addr",
  "--log-encoding",
];

/**
 * The arguments of a controller as the program installed it: the container args of its Deployment
 * in flux-system, less those the harness owns. So install options (log level, requeue-dependency,
 * patches) reach the running controller.
 */
export async function installedArgs(kube: Kube, name: string): Promise<string[] | undefined> {
  const d = await kube.get("apps/v1", "Deployment", name, "flux-system");
  if (!d) return undefined;
  const containers = (d.spec as { template?: { spec?: { containers?: { args?: string[] }[] } } })?.template
    ?.spec?.containers;
  if (!containers?.length) throw new Error(`Deployment flux-system/${name} has no container`);
  return (containers[0].args ?? []).filter(
    (a) => !HARNESS_OWNED.some((o) => a === o || a.startsWith(`${o}=`)),
  );
}

async function startController(
  sup: Supervisor,
  tools: Tools,
  name: string,
  kubeconfig: string,
  extraArgs: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const [metrics, health] = [await freePort(), await freePort()];
  sup.start({
    name,
    command: tools.path(name),
    args: [
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-addr=127.0.0.1:${health}`,
      "--enable-leader-election=false",
      "--log-encoding=console",
      ...extraArgs,
    ],
    env: { ...env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: "flux-system" },
  });
  return health;
}

/** The controllers the harness has binaries for; source-controller is always started first. */
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller"] as const;

/**
 * Starts the controllers. With `kube`, those the program installed, each with the arguments of its
 * installed Deployment (installedArgs); without it (the harness smoke, where nothing is installed),
 * source-controller and kustomize-controller with Flux's defaults for all namespaces at debug level.
 * `env` is the controllers' environment (e.g. SSL_CERT_FILE for a registry's private CA).
 */
export async function startFlux(
  sup: Supervisor,
  tools: Tools,
  kubeconfig: string,
  workDir: string,
  kube?: Kube,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FluxControllers> {
  const args: Record<string, string[]> = {};
  for (const name of CONTROLLERS) {
    const installed = kube
      ? await installedArgs(kube, name)
      : name === "helm-controller"
        ? undefined
        : ["--watch-all-namespaces", "--log-level=debug"];
    if (installed) args[name] = installed;
  }
  if (!args["source-controller"])
    throw new Error("Deployment flux-system/source-controller is not installed");
  const t0 = Date.now();
  const storagePort = await freePort();
  const storageAddr = `127.0.0.1:${storagePort}`;
  const storagePath = path.join(workDir, "source-controller-storage");
  fs.mkdirSync(storagePath, { recursive: true });
  const healthPorts: number[] = [];
  for (const name of Object.keys(args))
    healthPorts.push(
      await startController(
        sup,
        tools,
        name,
        kubeconfig,
        name === "source-controller"
          ? [
              ...args[name],
              `--storage-path=${storagePath}`,
              `--storage-addr=${storageAddr}`,
              `--storage-adv-addr=${storageAddr}`,
              "--events-addr=",
            ]
          : [...args[name], "--events-addr="],
        env,
      ),
    );
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
  return { storageAddr, startSeconds: secondsSince(t0), args };
}
