// A process kubelet for the Flux controllers: it watches the controller Deployments the program
// applies in flux-system and runs each one as a local process from that Deployment's pod template
// (the image's name mapped to the binary built by build-tools.sh, the container's args as
// installed, less the listeners the harness owns). It starts a controller when its Deployment
// appears, restarts it when the pod template changes, and stops it when the Deployment goes away
// or is being deleted, so the order in which a program deletes things is felt as on a cluster: a
// program that deletes the controllers before their objects leaves finalizers nobody removes.
//
// Events go where a cluster sends them: the other controllers' installed
// `--events-addr=http://notification-controller.<ns>.svc…/` (the Service in front of
// notification-controller) becomes `http://127.0.0.1:<port>/`, the event receiver's one loopback
// address for the kubelet's lifetime, on which notification-controller itself listens
// (`--events-addr=127.0.0.1:<port>`). That happens only while notification-controller's
// Deployment is installed; without it the controllers run with `--events-addr=` (no events), and
// a change either way restarts them, as their pods would be restarted to pick up a new address.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kube, KubeObject } from "./kube";
import type { Supervisor } from "./supervisor";
import type { Tools } from "./tools";
import { freePort, waitFor } from "./util";

/** The reconcilers the harness has binaries for, by the last path segment of their image. */
export const CONTROLLER_BINARIES = ["source-controller", "kustomize-controller", "helm-controller"];

/** The event receiver: run like the reconcilers, and the target of their events while installed. */
export const NOTIFICATION_CONTROLLER = "notification-controller";

/** Every controller the kubelet runs from a Deployment. */
export const RUNNABLE_BINARIES = [...CONTROLLER_BINARIES, NOTIFICATION_CONTROLLER];

/** Arguments the harness sets itself: its listeners on loopback, no leader election, console logs. */
const HARNESS_OWNED = [
  "--metrics-addr",
  "--health-addr",
  "--enable-leader-election",
  "--storage-path",
  "--storage-addr",
  "--storage-adv-addr",
  "--events-addr",
  "--receiverAddr",
  "--log-encoding",
];

interface Container {
  name?: string;
  image?: string;
  args?: string[];
}

/** The container args as installed, less those the harness owns. */
export function ownArgs(args: string[]): string[] {
  return args.filter((a) => !HARNESS_OWNED.some((o) => a === o || a.startsWith(`${o}=`)));
}

/** Which binary runs this Deployment: the controller its first container's image names, if any. */
export function controllerOf(d: KubeObject): { binary: string; container: Container } | undefined {
  const containers = (d.spec as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template
    ?.spec?.containers;
  const container = containers?.[0];
  const repo = container?.image?.split("@")[0].split(":")[0] ?? "";
  const binary = repo.split("/").pop() ?? "";
  return RUNNABLE_BINARIES.includes(binary) && container ? { binary, container } : undefined;
}

/**
 * The `--events-addr` a reconciler runs with: the event receiver's loopback URL when its installed
 * args send events somewhere (a non-empty `--events-addr`) and notification-controller is installed
 * (`receiver` is its `127.0.0.1:<port>`); empty, so no event is sent, otherwise.
 */
export function eventsAddrFor(installedArgs: string[], receiver: string | undefined): string {
  const installed = installedArgs
    .filter((a) => a.startsWith("--events-addr="))
    .pop()
    ?.slice("--events-addr=".length);
  return receiver && installed ? `http://${receiver}/` : "";
}

export interface ControllerEvent {
  at: number;
  controller: string;
  what: "started" | "restarted" | "stopped";
  why: string;
}

export interface Kubelet {
  /** Controllers running now, with the args they run with (beyond the harness's own). */
  running(): Record<string, string[]>;
  /**
   * Where the controllers send events now: `http://127.0.0.1:<port>/` while notification-controller
   * is installed (it listens there), "" otherwise.
   */
  eventsUrl(): string;
  /** What the kubelet did, in order. */
  readonly events: ControllerEvent[];
  /** Resolves once `names` all run and answer their readiness probe. */
  ready(names: string[], timeoutMs?: number): Promise<void>;
  /** Stops watching and stops every controller it started. */
  stop(): Promise<void>;
}

interface Wanted {
  /** The binary (its image's name); the process is named after the Deployment (shards run the same binary). */
  binary: string;
  args: string[];
  template: string;
  serviceAccount: string;
  /** The reconcilers' `--events-addr` (see eventsAddrFor); unused for notification-controller. */
  eventsAddr: string;
}

interface Proc {
  processName: string;
  template: string;
  args: string[];
  eventsAddr: string;
  healthPort: number;
  /** Crash restarts so far (the back-off doubles from 1 s up to 10 s, as a kubelet's does). */
  crashes: number;
  notBefore: number;
}

/**
 * Starts the watch loop. `prefix` names the processes (and their logs) so that two clusters'
 * kubelets can run side by side; `env` is the controllers' environment (e.g. SSL_CERT_FILE).
 */
export function startKubelet(opts: {
  sup: Supervisor;
  tools: Tools;
  kube: Kube;
  /**
   * The kubeconfig a controller runs with, for its Deployment's ServiceAccount: a token of that
   * account (ControlPlane.serviceAccountKubeconfig) so Flux's own RBAC is what it may do.
   */
  kubeconfigFor: (serviceAccount: string) => Promise<string>;
  workDir: string;
  env?: NodeJS.ProcessEnv;
  prefix?: string;
  namespace?: string;
  intervalMs?: number;
}): Kubelet {
  const { sup, tools, kube } = opts;
  const namespace = opts.namespace ?? "flux-system";
  const prefix = opts.prefix ?? "";
  const procs = new Map<string, Proc>();
  const events: ControllerEvent[] = [];
  const storagePath = path.join(opts.workDir, `${prefix}source-controller-storage`);
  let storageAddr: string | undefined;
  /** notification-controller's event listener (`127.0.0.1:<port>`), picked once, and its webhook receiver. */
  let receiver: { events: string; webhooks: string } | undefined;
  let receiverInstalled = false;
  let stopped = false;
  /** Why the last sync could not do what it wanted (a ServiceAccount not created yet, …); retried. */
  let lastProblem = "";

  const stopOne = async (binary: string, why: string) => {
    const p = procs.get(binary);
    if (!p) return;
    procs.delete(binary);
    await sup.stop([p.processName]);
    events.push({ at: Date.now(), controller: binary, what: "stopped", why });
  };

  const startOne = async (
    name: string,
    { binary, args, template, serviceAccount, eventsAddr }: Wanted,
    why: { what: ControllerEvent["what"]; why: string; crashes?: number },
  ) => {
    const [metrics, health] = [await freePort(), await freePort()];
    const extra: string[] = [];
    if (binary === NOTIFICATION_CONTROLLER) {
      const r = await receiverAddrs();
      extra.push(`--events-addr=${r.events}`, `--receiverAddr=${r.webhooks}`);
    } else extra.push(`--events-addr=${eventsAddr}`);
    if (binary === "source-controller") {
      storageAddr ??= `127.0.0.1:${await freePort()}`;
      fs.mkdirSync(storagePath, { recursive: true });
      extra.push(
        `--storage-path=${storagePath}`,
        `--storage-addr=${storageAddr}`,
        `--storage-adv-addr=${storageAddr}`,
      );
    }
    const processName = `${prefix}${name}`;
    const kubeconfig = await opts.kubeconfigFor(serviceAccount);
    sup.start({
      name: processName,
      command: tools.path(binary),
      args: [
        `--metrics-addr=127.0.0.1:${metrics}`,
        `--health-addr=127.0.0.1:${health}`,
        "--enable-leader-election=false",
        "--log-encoding=console",
        ...args,
        ...extra,
      ],
      env: { ...(opts.env ?? process.env), KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: namespace },
      restartable: true,
    });
    const crashes = why.crashes ?? 0;
    procs.set(name, { processName, template, args, eventsAddr, healthPort: health, crashes, notBefore: 0 });
    events.push({ at: Date.now(), controller: name, what: why.what, why: why.why });
  };

  const receiverAddrs = async () =>
    (receiver ??= {
      events: `127.0.0.1:${await freePort()}`,
      webhooks: `127.0.0.1:${await freePort()}`,
    });

  const sync = async () => {
    // A namespace that does not exist (yet, or any more) lists no Deployment.
    const deployments = await kube.list("apps/v1", "Deployment", namespace);
    const live = deployments.flatMap((d) => {
      const c = controllerOf(d);
      const replicas = (d.spec as { replicas?: number }).replicas ?? 1;
      return c && !d.metadata.deletionTimestamp && replicas >= 1 ? [{ d, c }] : [];
    });
    receiverInstalled = live.some(({ c }) => c.binary === NOTIFICATION_CONTROLLER);
    const events = receiverInstalled ? (await receiverAddrs()).events : undefined;
    const wanted = new Map<string, Wanted>();
    for (const { d, c } of live) {
      const template = (d.spec as { template?: { spec?: { serviceAccountName?: string } } }).template;
      const installed = c.container.args ?? [];
      wanted.set(d.metadata.name, {
        binary: c.binary,
        args: ownArgs(installed),
        template: JSON.stringify(template),
        serviceAccount: template?.spec?.serviceAccountName ?? "default",
        eventsAddr: c.binary === NOTIFICATION_CONTROLLER ? "" : eventsAddrFor(installed, events),
      });
    }
    for (const binary of [...procs.keys()])
      if (!wanted.has(binary)) await stopOne(binary, `Deployment ${namespace}/${binary} is gone or deleting`);
    for (const [binary, w] of wanted) {
      const p = procs.get(binary);
      if (p && p.template === w.template && p.eventsAddr === w.eventsAddr) {
        // A container that exited is restarted after a back-off, like CrashLoopBackOff.
        const exit = sup.find(p.processName)?.exit();
        if (exit === undefined) continue;
        if (!p.notBefore) p.notBefore = Date.now() + Math.min(10_000, 1000 * 2 ** p.crashes);
        if (Date.now() < p.notBefore) continue;
        await sup.stop([p.processName]);
        procs.delete(binary);
        await startOne(binary, w, {
          what: "restarted",
          why: `it exited (${exit})`,
          crashes: p.crashes + 1,
        });
        continue;
      }
      const why =
        p && p.template === w.template
          ? `its events address changed to ${JSON.stringify(w.eventsAddr)} (${NOTIFICATION_CONTROLLER} ${w.eventsAddr ? "installed" : "gone"})`
          : "its pod template changed";
      if (p) await stopOne(binary, why);
      await startOne(
        binary,
        w,
        p
          ? { what: "restarted", why }
          : { what: "started", why: `Deployment ${namespace}/${binary} appeared` },
      );
    }
  };

  // Like a kubelet, failures (a Deployment applied before its ServiceAccount, an API hiccup) are
  // retried on the next round; the last one is what `ready` reports when it times out.
  const loop = (async () => {
    while (!stopped) {
      try {
        await sync();
        lastProblem = "";
      } catch (e) {
        lastProblem = e instanceof Error ? e.message : String(e);
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  })();

  return {
    events,
    running: () => Object.fromEntries([...procs].map(([k, p]) => [k, p.args])),
    eventsUrl: () => (receiverInstalled && receiver ? `http://${receiver.events}/` : ""),
    async ready(names, timeoutMs = 120_000) {
      await waitFor(
        `controllers ${names.join(", ")} running and ready`,
        async () => {
          sup.assertAlive();
          for (const n of names) {
            const p = procs.get(n);
            if (!p || sup.find(p.processName)?.exit() !== undefined) return undefined;
            const res = await fetch(`http://127.0.0.1:${p.healthPort}/readyz`, {
              signal: AbortSignal.timeout(2000),
            }).catch(() => undefined);
            if (res?.status !== 200) return undefined;
          }
          return true;
        },
        {
          timeoutMs,
          intervalMs: 300,
          lastReason: () =>
            lastProblem ||
            `running: ${Object.keys(Object.fromEntries(procs)).join(", ") || "none"}; events ${JSON.stringify(events.slice(-5))}`,
        },
      );
    },
    async stop() {
      stopped = true;
      await loop;
      for (const binary of [...procs.keys()]) await stopOne(binary, "the kubelet stopped");
    },
  };
}
