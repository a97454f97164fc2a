// What the process kubelet reads from a controller Deployment before it runs it, as pure functions:
// the image it must be exactly (registry, name, pinned tag), the in-cluster Service addresses the
// installed args name (checked against the installed Service and the Deployment behind it before
// they are mapped to loopback), and the container port its readiness probe asks.
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeObject } from "./kube";
import { REPO_ROOT } from "./tools";

/** The event receiver's Deployment (kubelet.ts NOTIFICATION_CONTROLLER). */
const NOTIFICATION = "notification-controller";

export interface Container {
  name?: string;
  image?: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath?: string }; resourceFieldRef?: { resource?: string } };
  }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; subPathExpr?: string }[];
  resources?: { limits?: { memory?: string } };
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path?: string; port: number | string } };
}

/** The first container of a Deployment's pod template, its labels and ServiceAccount. */
export function podTemplate(d: KubeObject): {
  container: Container | undefined;
  labels: Record<string, string>;
  serviceAccount: string;
} {
  const t = (
    d.spec as
      | {
          template?: {
            metadata?: { labels?: Record<string, string> };
            spec?: { serviceAccountName?: string; containers?: Container[] };
          };
        }
      | undefined
  )?.template;
  return {
    container: t?.spec?.containers?.[0],
    labels: t?.metadata?.labels ?? {},
    serviceAccount: t?.spec?.serviceAccountName ?? "default",
  };
}

/**
 * The images the kubelet runs, by controller: `<registry>/<name>:<tag>` with the tags pinned in
 * components/flux/versions.json (what the e2e binaries are built from) and the registry the stack
 * configures (`flux.install.registry`, the program's default `ghcr.io/fluxcd` when it sets none).
 */
export function fluxImages(registry = "ghcr.io/fluxcd"): Record<string, string> {
  return imagesOf(fluxVersions().controllers, registry);
}

/**
 * The images of the previous Flux release (versions.json "previous", what the upgrade e2e installs
 * first), by controller: each run by its own binary, `NAME@TAG` in build-tools.sh (toolFor).
 */
export function previousFluxImages(registry = "ghcr.io/fluxcd"): Record<string, string> {
  const previous = fluxVersions().previous;
  if (!previous) throw new Error("components/flux/versions.json has no previous.controllers");
  return imagesOf(previous.controllers, registry);
}

function fluxVersions() {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "components/flux/versions.json"), "utf8")) as {
    controllers: Record<string, string>;
    previous?: { flux: string; controllers: Record<string, string> };
  };
}

function imagesOf(tags: Record<string, string>, registry: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).map(([name, tag]) => [name, `${registry.replace(/\/$/, "")}/${name}:${tag}`]),
  );
}

/**
 * Why the Deployment's image is refused, or undefined when it is exactly the configured one, or
 * exactly the `previous` release's image of that controller (when the kubelet also runs that release).
 */
export function imageProblem(
  d: KubeObject,
  binary: string,
  images: Record<string, string | string[]>,
  previous: Record<string, string> = {},
): string | undefined {
  const image = podTemplate(d).container?.image;
  const want = [images[binary]].flat();
  if (image !== undefined && (want.includes(image) || image === previous[binary])) return undefined;
  const configured = want.map((w) => JSON.stringify(w)).join(" or ");
  const wanted = previous[binary]
    ? `neither the configured ${configured} nor the previous release's ${JSON.stringify(previous[binary])}`
    : `not the configured ${configured}`;
  return `Deployment ${d.metadata.namespace}/${d.metadata.name}: image ${JSON.stringify(image)} is ${wanted}: not run`;
}

/**
 * The build-tools.sh tool that runs an accepted image: the pinned `binary`, or `binary@TAG` for the
 * previous release's image (its own build, e.g. `source-controller@v1.9.3`).
 */
export function toolFor(
  binary: string,
  image: string | undefined,
  previous: Record<string, string> = {},
): string {
  return previous[binary] !== undefined && image === previous[binary]
    ? `${binary}@${image.slice(image.lastIndexOf(":") + 1)}`
    : binary;
}

/** An arg with `$(VAR)` expanded from the container's env as a kubelet does (literal values, metadata.namespace). */
export function expandArg(arg: string, container: Container, namespace: string): string {
  return arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => {
    const e = container.env?.find((x) => x.name === name);
    if (e?.value !== undefined) return e.value;
    if (e?.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") return namespace;
    return whole;
  });
}

/** The value of the last `--flag=value` (Go's flag package: the last one wins). */
export function flagValue(args: string[], flag: string): string | undefined {
  return args
    .filter((a) => a.startsWith(`${flag}=`))
    .pop()
    ?.slice(flag.length + 1);
}

/** The port of a listen flag (`--health-addr=:9440`), or the controller's default. */
export function listenPort(args: string[], flag: string, dflt: number): number {
  const v = flagValue(args, flag);
  const port = v ? Number(v.split(":").pop()) : dflt;
  return Number.isInteger(port) && port > 0 ? port : dflt;
}

/** The container port a Service targetPort or a probe names: a number, or a port name of the container. */
export function containerPort(
  container: Container | undefined,
  port: number | string | undefined,
): number | undefined {
  if (typeof port === "number") return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  return container?.ports?.find((p) => p.name === port)?.containerPort;
}

export interface ServiceAddress {
  service: string;
  namespace: string;
  domain: string;
  port: number;
}

/** `[http://]<service>.<namespace>.svc.<domain>[.][:port][/path]`, or why it is not one. */
export function parseServiceAddress(addr: string): ServiceAddress | string {
  const m = /^(?:[a-z]+:\/\/)?([^/:]+?)\.?(?::(\d+))?(?:\/.*)?$/.exec(addr);
  const host = m?.[1] ?? "";
  const parts = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.(.+)$/.exec(host);
  if (!m || !parts)
    return `${JSON.stringify(addr)} is not an in-cluster Service address (<name>.<namespace>.svc.<domain>)`;
  return { service: parts[1], namespace: parts[2], domain: parts[3], port: m[2] ? Number(m[2]) : 80 };
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Boolean(selector && Object.keys(selector).length) &&
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/**
 * Why `flag`'s address does not reach `want.binary` on port `want.port` the way a cluster would
 * route it: the Service it names must exist in the namespace it names, under the configured cluster
 * domain, with a port equal to the address's whose targetPort is the container port the target
 * listens on, and a selector matching the pod labels of exactly that controller's Deployment.
 * Undefined when it does.
 */
export function serviceAddressProblem(opts: {
  from: string;
  flag: string;
  addr: string;
  clusterDomain: string;
  service: KubeObject | undefined;
  deployments: { binary: string; d: KubeObject }[];
  want: { binary: string; port: number };
}): string | undefined {
  const where = `${opts.from}'s ${opts.flag}=${opts.addr}`;
  const a = parseServiceAddress(opts.addr);
  if (typeof a === "string") return `${where}: ${a}`;
  if (a.domain !== opts.clusterDomain)
    return `${where}: cluster domain ${JSON.stringify(a.domain)}, the cluster's is ${JSON.stringify(opts.clusterDomain)}`;
  if (!opts.service) return `${where}: no Service ${a.namespace}/${a.service} is installed`;
  const spec = opts.service.spec as {
    selector?: Record<string, string>;
    ports?: { port: number; targetPort?: number | string }[];
  };
  const port = spec.ports?.find((p) => p.port === a.port);
  if (!port)
    return `${where}: Service ${a.namespace}/${a.service} has no port ${a.port} (ports ${JSON.stringify(spec.ports ?? [])})`;
  const selected = opts.deployments.filter(
    ({ d }) => d.metadata.namespace === a.namespace && matches(spec.selector, podTemplate(d).labels),
  );
  if (selected.length !== 1 || selected[0].binary !== opts.want.binary)
    return `${where}: Service ${a.namespace}/${a.service}'s selector ${JSON.stringify(spec.selector ?? {})} selects ${selected.map((s) => s.d.metadata.name).join(", ") || "no controller Deployment"}, want ${opts.want.binary}'s pods alone`;
  const target = containerPort(podTemplate(selected[0].d).container, port.targetPort ?? port.port);
  if (target !== opts.want.port)
    return `${where}: Service ${a.namespace}/${a.service} port ${a.port} targets ${JSON.stringify(port.targetPort)} (container port ${target}), ${opts.want.binary} listens on ${opts.want.port}`;
  return undefined;
}

/**
 * Why a controller Deployment is not run: an image that is not exactly the configured one (at once,
 * grace 0), or an in-cluster address (`--events-addr` while notification-controller is installed,
 * source-controller's `--storage-adv-addr`) that does not reach its controller through the installed
 * Service (after `graceMs`: a Service may be applied after its client). Empty when it may run.
 */
export async function refusalsOf(o: {
  d: KubeObject;
  binary: string;
  container: Container;
  controllers: { d: KubeObject; binary: string }[];
  /** notification-controller's Deployment is installed. */
  receiver: boolean;
  namespace: string;
  images: Record<string, string | string[]>;
  /** The previous release's images, also accepted (previousFluxImages). */
  previousImages?: Record<string, string>;
  clusterDomain: string;
  graceMs: number;
  getService: (name: string, namespace: string) => Promise<KubeObject | undefined>;
}): Promise<{ message: string; grace: number }[]> {
  const image = imageProblem(o.d, o.binary, o.images, o.previousImages);
  if (image) return [{ message: image, grace: 0 }];
  const installed = (o.container.args ?? []).map((a) => expandArg(a, o.container, o.namespace));
  const checks: { flag: string; want: { binary: string; port: number } }[] = [];
  if (o.binary !== NOTIFICATION && flagValue(installed, "--events-addr") && o.receiver) {
    const nc = o.controllers.find((x) => x.binary === NOTIFICATION);
    const ncArgs = (nc && podTemplate(nc.d).container?.args) ?? [];
    checks.push({
      flag: "--events-addr",
      want: { binary: NOTIFICATION, port: listenPort(ncArgs, "--events-addr", 9090) },
    });
  }
  if (o.binary === "source-controller" && flagValue(installed, "--storage-adv-addr"))
    checks.push({
      flag: "--storage-adv-addr",
      want: { binary: o.binary, port: listenPort(installed, "--storage-addr", 9090) },
    });
  const out: { message: string; grace: number }[] = [];
  for (const { flag, want } of checks) {
    const addr = flagValue(installed, flag) ?? "";
    const parsed = parseServiceAddress(addr);
    const service =
      typeof parsed === "string" ? undefined : await o.getService(parsed.service, parsed.namespace);
    const problem = serviceAddressProblem({
      from: `Deployment ${o.d.metadata.namespace}/${o.d.metadata.name}`,
      flag,
      addr,
      clusterDomain: o.clusterDomain,
      service,
      deployments: o.controllers,
      want,
    });
    if (problem) out.push({ message: `${problem}: not run`, grace: o.graceMs });
  }
  return out;
}
