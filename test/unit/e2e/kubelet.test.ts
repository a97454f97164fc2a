/**
 * The process kubelet's wiring of Flux events: with notification-controller's Deployment installed,
 * it listens on one loopback address and the other controllers' installed `--events-addr` (the
 * Service URL) is rewritten to it; without it they run with `--events-addr=`. It refuses a
 * Deployment whose image is not exactly the configured one, or whose events address does not reach
 * notification-controller through the installed Service. The kubelet runs against a fake API
 * (Deployments and Services, no Pods) and a supervisor that records what it would start.
 */
import * as os from "node:os";
import type { Kube, KubeObject } from "../../e2e/harness/kube";
import { eventsAddrFor, ownArgs, startKubelet, type Kubelet } from "../../e2e/harness/kubelet";
import type { ProcessSpec, Supervisor } from "../../e2e/harness/supervisor";
import type { Tools } from "../../e2e/harness/tools";
import { waitFor } from "../../e2e/harness/util";

const SERVICE = "--events-addr=http://notification-controller.flux-system.svc.cluster.local./";

const IMAGES: Record<string, string> = {
  "source-controller": "registry.test/fluxcd/source-controller:v1.9.4",
  "kustomize-controller": "registry.test/fluxcd/kustomize-controller:v1.9.4",
  "notification-controller": "registry.test/fluxcd/notification-controller:v1.9.3",
};

function deployment(name: string, args: string[], image = IMAGES[name]): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "flux-system" },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: name,
          containers: [{ name: "manager", image, args, ports: [{ name: "http", containerPort: 9090 }] }],
        },
      },
    },
  };
}

/** notification-controller's Service as Flux installs it (port 80 to the pods' port named http). */
const ncService = (name = "notification-controller"): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "flux-system" },
  spec: {
    selector: { app: "notification-controller" },
    ports: [{ name: "http", port: 80, targetPort: "http" }],
  },
});

const installed = {
  source: deployment("source-controller", [SERVICE, "--watch-all-namespaces", "--log-encoding=json"]),
  kustomize: deployment("kustomize-controller", [SERVICE, "--log-level=info", "--enable-leader-election"]),
  notification: deployment("notification-controller", ["--watch-all-namespaces", "--log-level=info"]),
};

/** Records every start and stop; every process "runs" until stopped. */
function fakeSupervisor() {
  const started: ProcessSpec[] = [];
  const stopped: string[] = [];
  const incidents: string[] = [];
  const sup = {
    reportIncident: (name: string, message: string) => void incidents.push(`${name}: ${message}`),
    start: (spec: ProcessSpec) => {
      started.push(spec);
      return { name: spec.name, pid: 1, logFile: "", exit: () => undefined, exited: new Promise(() => {}) };
    },
    stop: async (names: string[]) => void stopped.push(...names),
    find: (name: string) => ({ name, exit: () => undefined }),
    assertAlive: () => undefined,
  } as unknown as Supervisor;
  return { sup, started, stopped, incidents };
}

/** The args of the last start of `name`. */
const lastArgs = (started: ProcessSpec[], name: string) =>
  [...started].reverse().find((s) => s.name === name)?.args ?? [];
const flag = (args: string[], name: string) => args.filter((a) => a.startsWith(`${name}=`));

describe("process kubelet: Flux events", () => {
  let kubelet: Kubelet | undefined;
  afterEach(async () => kubelet?.stop());

  function start(deployments: KubeObject[], services: KubeObject[] = [ncService()]) {
    const fake = fakeSupervisor();
    const kube = {
      list: async (_v: string, kind: string) => (kind === "Deployment" ? deployments : []),
      get: async (_v: string, kind: string, name: string, ns: string) =>
        kind === "Service"
          ? services.find((x) => x.metadata.name === name && x.metadata.namespace === ns)
          : undefined,
    } as unknown as Kube;
    const tools = { path: (t: string) => `/tools/${t}` } as unknown as Tools;
    const serviceAccounts: string[] = [];
    kubelet = startKubelet({
      sup: fake.sup,
      tools,
      kube,
      kubeconfigFor: async (sa) => {
        serviceAccounts.push(sa);
        return `/kubeconfigs/${sa}`;
      },
      workDir: os.tmpdir(),
      intervalMs: 20,
      images: IMAGES,
      serviceGraceMs: 0,
    });
    return { ...fake, serviceAccounts, kubelet };
  }
  const running = (k: Kubelet, names: string[]) =>
    waitFor(
      `${names.join(", ")} running`,
      async () => (names.every((n) => k.running()[n]) ? true : undefined),
      {
        timeoutMs: 5000,
        intervalMs: 10,
      },
    );

  it("without notification-controller, controllers send no events", async () => {
    const k = start([installed.source, installed.kustomize]);
    await running(k.kubelet, ["source-controller", "kustomize-controller"]);
    for (const name of ["source-controller", "kustomize-controller"])
      expect(flag(lastArgs(k.started, name), "--events-addr")).toEqual(["--events-addr="]);
    expect(k.kubelet.eventsUrl()).toBe("");
  });

  it("with notification-controller, it listens on one loopback address the others post to", async () => {
    const k = start([installed.source, installed.kustomize, installed.notification]);
    await running(k.kubelet, ["source-controller", "kustomize-controller", "notification-controller"]);
    const nc = lastArgs(k.started, "notification-controller");
    const [events] = flag(nc, "--events-addr");
    const [webhooks] = flag(nc, "--receiverAddr");
    expect(events).toMatch(/^--events-addr=127\.0\.0\.1:\d+$/);
    expect(webhooks).toMatch(/^--receiverAddr=127\.0\.0\.1:\d+$/);
    expect(webhooks.split(":").pop()).not.toBe(events.split(":").pop());
    const url = `http://${events.slice("--events-addr=".length)}/`;
    expect(k.kubelet.eventsUrl()).toBe(url);
    for (const name of ["source-controller", "kustomize-controller"])
      expect(flag(lastArgs(k.started, name), "--events-addr")).toEqual([`--events-addr=${url}`]);
    // Its own installed args stay; it runs as its own ServiceAccount.
    expect(nc).toEqual(expect.arrayContaining(["--watch-all-namespaces", "--log-level=info"]));
    expect(k.serviceAccounts).toContain("notification-controller");
    expect(k.started.find((s) => s.name === "notification-controller")?.env?.KUBECONFIG).toBe(
      "/kubeconfigs/notification-controller",
    );
  });

  it("restarts the others when notification-controller comes, not when it goes (as pods on a cluster); its address stays the same", async () => {
    const deployments = [installed.source, installed.kustomize];
    const k = start(deployments);
    await running(k.kubelet, ["source-controller", "kustomize-controller"]);
    deployments.push(installed.notification);
    await running(k.kubelet, ["notification-controller"]);
    const url = await waitFor(
      "kustomize-controller restarted with the receiver's address",
      async () => {
        const [a] = flag(lastArgs(k.started, "kustomize-controller"), "--events-addr");
        return a !== "--events-addr=" ? a : undefined;
      },
      { timeoutMs: 5000, intervalMs: 10 },
    );
    expect(url).toBe(`--events-addr=${k.kubelet.eventsUrl()}`);
    const restarts = k.kubelet.events.filter((e) => e.what === "restarted").map((e) => [e.controller, e.why]);
    const why = `its events address changed to "${k.kubelet.eventsUrl()}" (notification-controller installed)`;
    expect(restarts).toEqual([
      ["source-controller", why],
      ["kustomize-controller", why],
    ]);
    const first = k.kubelet.eventsUrl();

    deployments.pop();
    await waitFor(
      "notification-controller stopped",
      async () => (!k.kubelet.running()["notification-controller"] ? true : undefined),
      { timeoutMs: 5000, intervalMs: 10 },
    );
    expect(k.kubelet.eventsUrl()).toBe("");
    // The others run on with the address they had: no restart, as their pods on a cluster.
    expect(k.kubelet.events.filter((e) => e.what === "restarted").length).toBe(2);
    expect(flag(lastArgs(k.started, "kustomize-controller"), "--events-addr")).toEqual([
      `--events-addr=${first}`,
    ]);
    deployments.push(installed.notification);
    await running(k.kubelet, ["notification-controller"]);
    expect(k.kubelet.eventsUrl()).toBe(first);
    expect(k.kubelet.events.filter((e) => e.what === "restarted").length).toBe(2);
  });
});

describe("process kubelet: refusals", () => {
  let kubelet: Kubelet | undefined;
  afterEach(async () => kubelet?.stop());

  function start(deployments: KubeObject[], services: KubeObject[]) {
    const fake = fakeSupervisor();
    const kube = {
      list: async (_v: string, kind: string) => (kind === "Deployment" ? deployments : []),
      get: async (_v: string, kind: string, name: string) =>
        kind === "Service" ? services.find((x) => x.metadata.name === name) : undefined,
    } as unknown as Kube;
    kubelet = startKubelet({
      sup: fake.sup,
      tools: { path: (t: string) => `/tools/${t}` } as unknown as Tools,
      kube,
      kubeconfigFor: async (sa) => `/kubeconfigs/${sa}`,
      workDir: os.tmpdir(),
      intervalMs: 20,
      images: IMAGES,
      serviceGraceMs: 0,
    });
    return fake;
  }
  const firstIncident = (incidents: string[]) =>
    waitFor("an incident", async () => incidents[0], { timeoutMs: 5000, intervalMs: 10 });

  it("refuses an image whose tag is not the pinned one, and runs nothing for it", async () => {
    const wrong = deployment("kustomize-controller", [], "registry.test/fluxcd/kustomize-controller:v1.9.3");
    const fake = start([wrong, installed.notification], [ncService()]);
    expect(await firstIncident(fake.incidents)).toBe(
      'kubelet: Deployment flux-system/kustomize-controller: image "registry.test/fluxcd/kustomize-controller:v1.9.3" is not the configured "registry.test/fluxcd/kustomize-controller:v1.9.4": not run',
    );
    expect(fake.started.map((s) => s.name)).toEqual(["notification-controller"]);
  });

  it("refuses an events address naming a Service that is not installed", async () => {
    const fake = start([installed.source, installed.notification], [ncService("notification-ctrl")]);
    expect(await firstIncident(fake.incidents)).toBe(
      "kubelet: Deployment flux-system/source-controller's --events-addr=http://notification-controller.flux-system.svc.cluster.local./: no Service flux-system/notification-controller is installed: not run",
    );
    expect(fake.started.map((s) => s.name)).toEqual(["notification-controller"]);
  });
});

describe("eventsAddrFor", () => {
  it.each([
    ["the Service URL, receiver installed", [SERVICE], "127.0.0.1:4000", "http://127.0.0.1:4000/"],
    ["the Service URL, no receiver", [SERVICE], undefined, ""],
    ["events off in the install", ["--events-addr="], "127.0.0.1:4000", ""],
    ["no --events-addr in the install", ["--log-level=info"], "127.0.0.1:4000", ""],
    ["the last flag wins, as Go's flag package", [SERVICE, "--events-addr="], "127.0.0.1:4000", ""],
  ])("%s", (_what, args, receiver, want) => {
    expect(eventsAddrFor(args, receiver)).toBe(want);
  });
});

describe("ownArgs", () => {
  it("drops the listeners the harness owns, notification-controller's included", () => {
    expect(
      ownArgs([
        "--events-addr=:9090",
        "--receiverAddr=:9292",
        "--health-addr=:9440",
        "--metrics-addr=:8080",
        "--enable-leader-election",
        "--log-encoding=json",
        "--log-level=info",
        "--watch-all-namespaces",
      ]),
    ).toEqual(["--log-level=info", "--watch-all-namespaces"]);
  });
});

describe("process kubelet: the Flux Operator", () => {
  let kubelet: Kubelet | undefined;
  afterEach(async () => kubelet?.stop());
  const OPERATOR_IMAGE = "ghcr.io/controlplaneio-fluxcd/flux-operator:v0.58.0";
  const operator = (image = OPERATOR_IMAGE) => deployment("flux-operator", [], image);

  function start(deployments: KubeObject[]) {
    const fake = fakeSupervisor();
    const kube = {
      list: async (_v: string, kind: string) => (kind === "Deployment" ? deployments : []),
      get: async () => undefined,
    } as unknown as Kube;
    kubelet = startKubelet({
      sup: fake.sup,
      tools: { path: (t: string) => `/tools/${t}` } as unknown as Tools,
      kube,
      kubeconfigFor: async (sa) => `/kubeconfigs/${sa}`,
      workDir: os.tmpdir(),
      intervalMs: 20,
      images: { ...IMAGES, "flux-operator": OPERATOR_IMAGE },
      operatorData: "/tools/flux-operator/data",
      serviceGraceMs: 0,
    });
    return fake;
  }

  it("runs the operator's Deployment on its embedded data, web server off, no events flag", async () => {
    const fake = start([operator()]);
    await waitFor("flux-operator started", async () => fake.started[0], { timeoutMs: 5000, intervalMs: 10 });
    const spec = fake.started[0];
    expect(spec.name).toBe("flux-operator");
    expect(spec.command).toBe("/tools/flux-operator");
    expect(spec.args.slice(2)).toEqual([
      "--enable-leader-election=false",
      "--log-encoding=console",
      "--storage-path=/tools/flux-operator/data",
      "--web-server-port=0",
    ]);
    expect(spec.env?.KUBECONFIG).toBe("/kubeconfigs/flux-operator");
    expect(fake.incidents).toEqual([]);
  });

  it("refuses an operator image that is not the pinned release", async () => {
    const fake = start([operator("ghcr.io/controlplaneio-fluxcd/flux-operator:v0.57.0")]);
    expect(
      await waitFor("an incident", async () => fake.incidents[0], { timeoutMs: 5000, intervalMs: 10 }),
    ).toBe(
      'kubelet: Deployment flux-system/flux-operator: image "ghcr.io/controlplaneio-fluxcd/flux-operator:v0.57.0" is not the configured "ghcr.io/controlplaneio-fluxcd/flux-operator:v0.58.0": not run',
    );
    expect(fake.started).toEqual([]);
  });
});
