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
// Deployment is installed; a controller started without it runs with `--events-addr=` (no events)
// and is restarted when it appears. When it goes, the others keep their address and run on, as their
// pods would on a cluster (the Service is still there, without endpoints).
//
// It is strict about what it runs: the image must be exactly the configured one (registry, name,
// pinned tag), and the in-cluster addresses the installed args name (`--events-addr`,
// `--storage-adv-addr`) must reach the right controller through the installed Service (name,
// namespace, port, cluster domain, a selector matching that controller's pod labels) before they
// are mapped to loopback. A refusal is an incident of the supervisor: the step it happens in fails.
// Readiness is the Deployment's own readinessProbe (its port mapped to the loopback listener the
// harness gave that container port), and the controllers' Pods report it (pods.ts), so the
// Deployments get a status as on a cluster.
//
// A controller's environment is its container's own (podFiles.ts): the volumes its Deployment
// mounts (emptyDir, configMap, secret; any other kind is refused) are written to a folder of its
// own and the mount paths in its env rewritten to it. The harness's shell gives it no trust of its
// own (SSL_CERT_FILE, SSL_CERT_DIR are dropped): a registry or forge signed by the harness CA is
// reachable only through what the program mounts (flux.install.trustedCAs).
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kube, KubeObject } from "./kube";
import { FLUX_OPERATOR } from "./fluxOperator";
import { HOST_TRUST_ENV, materialisePod, podFilesProblems } from "./podFiles";
import {
  containerPort,
  fluxImages,
  listenPort,
  podTemplate,
  refusalsOf,
  toolFor,
  type Container,
} from "./podSpec";
import { syncPods } from "./pods";
import type { Supervisor } from "./supervisor";
import type { Tools } from "./tools";
import { freePort, waitFor } from "./util";

/** The tmpfs the pods' `medium: Memory` emptyDirs are made on. */
const SHM = "/dev/shm";

/** The reconcilers the harness has binaries for, by the last path segment of their image. */
export const CONTROLLER_BINARIES = ["source-controller", "kustomize-controller", "helm-controller"];

/** The event receiver: run like the reconcilers, and the target of their events while installed. */
export const NOTIFICATION_CONTROLLER = "notification-controller";

/** The Flux controllers the kubelet runs from their Deployments. */
export const RUNNABLE_BINARIES = [...CONTROLLER_BINARIES, NOTIFICATION_CONTROLLER];

/** Every Deployment the kubelet runs: the Flux controllers, and the Flux Operator (install.mode operator). */
const KNOWN_BINARIES = [...RUNNABLE_BINARIES, FLUX_OPERATOR];

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
  "--web-server-port",
];

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
  // The Deployment's name (Flux names each after its controller), else the image's last segment:
  // a Deployment with a wrong image is still recognised, and refused (imageProblem).
  const binary = KNOWN_BINARIES.includes(d.metadata.name) ? d.metadata.name : (repo.split("/").pop() ?? "");
  return KNOWN_BINARIES.includes(binary) && container ? { binary, container } : undefined;
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
  /** The build-tools.sh tool started (toolFor), for "started" and "restarted". */
  tool?: string;
}

export interface Kubelet {
  /** Controllers running now, with the args they run with (beyond the harness's own). */
  running(): Record<string, string[]>;
  /** The build-tools.sh tool each running controller is (e.g. `source-controller@v1.9.3`), by Deployment. */
  tools(): Record<string, string>;
  /**
   * Where the controllers send events now: `http://127.0.0.1:<port>/` while notification-controller
   * is installed (it listens there), "" otherwise.
   */
  eventsUrl(): string;
  /** notification-controller's webhook receiver (`--receiverAddr`), `http://127.0.0.1:<port>`, "" before it runs. */
  receiverUrl(): string;
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
  /** The build-tools.sh tool run for the image (toolFor): the binary, or `binary@TAG` of the previous release. */
  tool: string;
  args: string[];
  /** The container as installed (its args unfiltered, ports, readiness probe). */
  container: Container;
  template: string;
  serviceAccount: string;
  /** The reconcilers' `--events-addr` (see eventsAddrFor); unused for notification-controller. */
  eventsAddr: string;
  /** The Deployment (its volumes). */
  d: KubeObject;
}

interface Proc {
  processName: string;
  tool: string;
  template: string;
  args: string[];
  eventsAddr: string;
  healthPort: number;
  /** Container port → the loopback port the harness gave that listener. */
  ports: Map<number, number>;
  container: Container;
  /** Crash restarts so far (the back-off doubles from 1 s up to 10 s, as a kubelet's does). */
  crashes: number;
  notBefore: number;
}

/**
 * Starts the watch loop. `prefix` names the processes (and their logs) so that two clusters'
 * kubelets can run side by side. A controller's environment is the harness's, less HOST_TRUST_ENV,
 * plus its container's own env (podFiles.ts).
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
  prefix?: string;
  namespace?: string;
  intervalMs?: number;
  /**
   * The exact image each controller must have (during a Flux upgrade through the operator, either of
   * two); read at each sync, so a getter may move it. @default fluxImages() (ghcr.io/fluxcd, the pinned tags)
   */
  images?: Record<string, string | string[]>;
  /** Also run these images (previousFluxImages: the previous release's), each by its own `NAME@TAG` binary. @default none */
  previousImages?: Record<string, string>;
  /** The cluster DNS domain the Service addresses must use. @default "cluster.local" */
  clusterDomain?: string;
  /** How long a Service address may stay wrong (a Service applied after its client) before it is an incident. @default 30 s */
  serviceGraceMs?: number;
  /** The Flux Operator's embedded data (its image's /data: fluxOperator.ts operatorFiles), its `--storage-path`. */
  operatorData?: string;
  /** The binary that runs `binary` at `image` (another Flux version's build). @default tools.path(binary) */
  binaryFor?: (binary: string, image: string) => string;
}): Kubelet {
  const { sup, tools, kube } = opts;
  const namespace = opts.namespace ?? "flux-system";
  const prefix = opts.prefix ?? "";
  const procs = new Map<string, Proc>();
  const events: ControllerEvent[] = [];
  const storagePath = path.join(opts.workDir, `${prefix}source-controller-storage`);
  // The pods' `medium: Memory` emptyDirs: a tmpfs folder of this kubelet's own, removed when it stops.
  const memoryRoot = fs.existsSync(SHM) ? fs.mkdtempSync(path.join(SHM, "platform-e2e-kubelet-")) : undefined;
  let storageAddr: string | undefined;
  /** notification-controller's event listener (`127.0.0.1:<port>`), picked once, and its webhook receiver. */
  let receiver: { events: string; webhooks: string } | undefined;
  let receiverInstalled = false;
  let stopped = false;
  /** Why the last sync could not do what it wanted (a ServiceAccount not created yet, …); retried. */
  let lastProblem = "";
  let refusalText = "";
  const defaultImages = opts.images ? undefined : fluxImages();
  const clusterDomain = opts.clusterDomain ?? "cluster.local";
  const node = `${prefix}process-kubelet`;
  /** Refusals seen, with when first seen; reported to the supervisor once each. */
  const refusals = new Map<string, { since: number; reported: boolean }>();
  const refuse = (message: string, grace: number) => {
    const r = refusals.get(message) ?? { since: Date.now(), reported: false };
    refusals.set(message, r);
    if (!r.reported && Date.now() - r.since >= grace) {
      r.reported = true;
      sup.reportIncident("kubelet", message);
    }
  };

  const stopOne = async (name: string, why: string) => {
    const p = procs.get(name);
    if (!p) return;
    procs.delete(name);
    await sup.stop([p.processName]);
    events.push({ at: Date.now(), controller: name, what: "stopped", why });
  };

  const startOne = async (
    name: string,
    { binary, tool, args, container, template, serviceAccount, eventsAddr, d }: Wanted,
    why: { what: ControllerEvent["what"]; why: string; crashes?: number },
  ) => {
    const [metrics, health] = [await freePort(), await freePort()];
    const installed = container.args ?? [];
    const portOf = (addr: string) => Number(addr.split(":").pop());
    const ports = new Map<number, number>([
      [listenPort(installed, "--metrics-addr", 8080), metrics],
      // The operator's health port is 8081, the Flux controllers' 9440.
      [listenPort(installed, "--health-addr", binary === FLUX_OPERATOR ? 8081 : 9440), health],
    ]);
    const extra: string[] = [];
    if (binary === FLUX_OPERATOR) {
      // It sends no events by flag; its manifests are its image's /data; its web UI is not served.
      if (!opts.operatorData) throw new Error("the kubelet runs the Flux Operator only with operatorData");
      extra.push(`--storage-path=${opts.operatorData}`, "--web-server-port=0");
    } else if (binary === NOTIFICATION_CONTROLLER) {
      const r = await receiverAddrs();
      extra.push(`--events-addr=${r.events}`, `--receiverAddr=${r.webhooks}`);
      ports.set(listenPort(installed, "--events-addr", 9090), portOf(r.events));
      ports.set(listenPort(installed, "--receiverAddr", 9292), portOf(r.webhooks));
    } else extra.push(`--events-addr=${eventsAddr}`);
    if (binary === "source-controller") {
      storageAddr ??= `127.0.0.1:${await freePort()}`;
      ports.set(listenPort(installed, "--storage-addr", 9090), portOf(storageAddr));
      fs.mkdirSync(storagePath, { recursive: true });
      extra.push(
        `--storage-path=${storagePath}`,
        `--storage-addr=${storageAddr}`,
        `--storage-adv-addr=${storageAddr}`,
      );
    }
    const processName = `${prefix}${name}`;
    const kubeconfig = await opts.kubeconfigFor(serviceAccount);
    const podEnv = await materialisePod({
      d,
      container,
      dir: path.join(opts.workDir, `${prefix}pods`, name),
      memoryDir: memoryRoot && path.join(memoryRoot, `${prefix}pods`, name),
      namespace,
      get: (kind, n, ns) => kube.get("v1", kind, n, ns),
    });
    const hostEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !HOST_TRUST_ENV.includes(k)),
    );
    sup.start({
      name: processName,
      command: opts.binaryFor ? opts.binaryFor(binary, container.image ?? "") : tools.path(tool),
      args: [
        `--metrics-addr=127.0.0.1:${metrics}`,
        `--health-addr=127.0.0.1:${health}`,
        "--enable-leader-election=false",
        "--log-encoding=console",
        ...args,
        ...extra,
      ],
      // The container's env (RUNTIME_NAMESPACE from the downward API, the program's SSL_CERT_DIR, …).
      env: { ...hostEnv, ...podEnv, KUBECONFIG: kubeconfig },
      restartable: true,
    });
    const crashes = why.crashes ?? 0;
    procs.set(name, {
      processName,
      tool,
      template,
      args,
      eventsAddr,
      healthPort: health,
      ports,
      container,
      crashes,
      notBefore: 0,
    });
    events.push({ at: Date.now(), controller: name, what: why.what, why: why.why, tool });
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
    const controllers = live.map(({ d, c }) => ({ d, binary: c.binary }));
    const wanted = new Map<string, Wanted>();
    const seen = new Set<string>();
    for (const { d, c } of live) {
      const problems = [
        ...(await refusalsFor(d, c.binary, c.container, controllers, receiverInstalled)),
        ...podFilesProblems(d, c.container).map((message) => ({ message, grace: 0 })),
      ];
      for (const p of problems) seen.add(p.message);
      for (const p of problems) refuse(p.message, p.grace);
      if (problems.length) continue;
      const installed = c.container.args ?? [];
      wanted.set(d.metadata.name, {
        binary: c.binary,
        tool: toolFor(c.binary, c.container.image, opts.previousImages),
        args: ownArgs(installed),
        container: c.container,
        template: JSON.stringify((d.spec as { template?: unknown }).template),
        serviceAccount: podTemplate(d).serviceAccount,
        eventsAddr: c.binary === NOTIFICATION_CONTROLLER ? "" : eventsAddrFor(installed, events),
        d,
      });
    }
    for (const m of [...refusals.keys()]) if (!seen.has(m) && !refusals.get(m)?.reported) refusals.delete(m);
    refusalText = [...seen].join("; ");
    for (const name of [...procs.keys()])
      if (!wanted.has(name))
        await stopOne(
          name,
          live.some(({ d }) => d.metadata.name === name)
            ? `Deployment ${namespace}/${name} refused`
            : `Deployment ${namespace}/${name} is gone or deleting`,
        );
    for (const [name, w] of wanted) {
      const p = procs.get(name);
      // notification-controller gone: on a cluster the others keep their events address (its Service,
      // now without endpoints) and are not restarted; a restart here would be the harness's doing (and,
      // while Flux is being uninstalled, a controller started again after its CRDs are gone).
      if (p && w.eventsAddr === "" && p.eventsAddr !== "") w.eventsAddr = p.eventsAddr;
      if (p && p.template === w.template && p.eventsAddr === w.eventsAddr) {
        // A container that exited is restarted after a back-off, like CrashLoopBackOff.
        const exit = sup.find(p.processName)?.exit();
        if (exit === undefined) continue;
        if (!p.notBefore) p.notBefore = Date.now() + Math.min(10_000, 1000 * 2 ** p.crashes);
        if (Date.now() < p.notBefore) continue;
        await sup.stop([p.processName]);
        procs.delete(name);
        await startOne(name, w, {
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
      if (p) await stopOne(name, why);
      await startOne(
        name,
        w,
        p ? { what: "restarted", why } : { what: "started", why: `Deployment ${namespace}/${name} appeared` },
      );
    }
    const ready = new Map<string, boolean>();
    for (const [name, p] of procs) ready.set(name, await probe(p));
    // Processes are keyed by Deployment name (shards run the same binary as their main controller).
    await syncPods({
      kube,
      namespace,
      node,
      deployments: live.map(({ d }) => ({ d, binary: String(d.metadata.name) })),
      ready: (name) => ready.get(name) ?? false,
    });
  };

  /** Why this Deployment is not run (refusalsOf), with this kubelet's settings. */
  const refusalsFor = (
    d: KubeObject,
    binary: string,
    container: Container,
    controllers: { d: KubeObject; binary: string }[],
    receiver: boolean,
  ) =>
    refusalsOf({
      d,
      binary,
      container,
      controllers,
      receiver,
      namespace,
      images: opts.images ?? defaultImages ?? {},
      previousImages: opts.previousImages,
      clusterDomain,
      graceMs: opts.serviceGraceMs ?? 30_000,
      getService: (name, ns) => kube.get("v1", "Service", name, ns),
    });

  /** The Deployment's readiness probe against the process (its port mapped to loopback); no probe: running is ready. */
  const probe = async (p: Proc): Promise<boolean> => {
    if (sup.find(p.processName)?.exit() !== undefined) return false;
    const get = p.container.readinessProbe?.httpGet;
    if (!get) return true;
    const port = p.ports.get(containerPort(p.container, get.port) ?? -1);
    if (port === undefined) return false;
    const res = await fetch(`http://127.0.0.1:${port}${get.path ?? "/"}`, {
      signal: AbortSignal.timeout(2000),
    }).catch(() => undefined);
    return res !== undefined && res.status >= 200 && res.status < 400;
  };

  // Like a kubelet, failures (a Deployment applied before its ServiceAccount, an API hiccup) are
  // retried on the next round; the last one is what `ready` reports when it times out.
  const loop = (async () => {
    while (!stopped) {
      try {
        await sync();
        lastProblem = refusalText;
      } catch (e) {
        lastProblem = e instanceof Error ? e.message : String(e);
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  })();

  return {
    events,
    running: () => Object.fromEntries([...procs].map(([k, p]) => [k, p.args])),
    tools: () => Object.fromEntries([...procs].map(([k, p]) => [k, p.tool])),
    eventsUrl: () => (receiverInstalled && receiver ? `http://${receiver.events}/` : ""),
    receiverUrl: () => (receiverInstalled && receiver ? `http://${receiver.webhooks}` : ""),
    async ready(names, timeoutMs = 120_000) {
      await waitFor(
        `controllers ${names.join(", ")} running and ready`,
        async () => {
          sup.assertAlive();
          for (const n of names) {
            const p = procs.get(n);
            if (!p || !(await probe(p))) return undefined;
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
      if (memoryRoot) fs.rmSync(memoryRoot, { recursive: true, force: true });
    },
  };
}
