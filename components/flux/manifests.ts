/**
 * Flux install manifests: where they come from, and the pure transformation the program applies to
 * them (components, registry, pull secret, tolerations, node selector, network policies, cluster
 * domain, log level, user patches), in the spirit of `flux install` flags.
 */
import * as jsonPatch from "fast-json-patch";
import { ArgsError, type Problem } from "../problems";
import {
  DEFAULT_COMPONENTS,
  EXTRA_COMPONENTS,
  type FluxInstallArgs,
  type InstallPatch,
  type LockdownArgs,
} from "./args";
import { API, FLUX_NAMESPACE, type K8sObject } from "./objects";

const UPSTREAM_REGISTRY = "ghcr.io/fluxcd";
const ALL_COMPONENTS: readonly string[] = [...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS];

/** Release asset of a Flux version, or a mirror URL with `{version}` replaced. */
export function installManifestUrl(version: string, mirror?: string): string {
  return mirror
    ? mirror.replaceAll("{version}", version)
    : `https://github.com/fluxcd/flux2/releases/download/v${version}/install.yaml`;
}

/** Where the install manifests of a platform come from. */
export type InstallManifestSource = { file: string } | { url: string };

export function installManifestSource(version: string, install: FluxInstallArgs): InstallManifestSource {
  return install.manifests.file
    ? { file: install.manifests.file }
    : { url: installManifestUrl(version, install.manifests.url) };
}

/**
 * A patch of `install.patches` that does not apply to the install manifests: an argument problem
 * found only once the manifests are loaded, reported like every other (one ArgsError of FluxBootstrap).
 */
export class InstallManifestError extends ArgsError {
  constructor(readonly problem: Problem) {
    super("FluxBootstrap", undefined, [problem]);
    this.name = "InstallManifestError";
  }
}

/**
 * Deep copy of plain data. Not `structuredClone`: its arrays belong to the outer realm when the
 * code runs in a sandbox (jest), and Pulumi's serializer (`instanceof Array`) then sends them as objects.
 */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function matches(obj: K8sObject, target: InstallPatch["target"]): boolean {
  if (target.kind !== undefined && obj.kind !== target.kind) return false;
  if (target.name !== undefined && obj.metadata.name !== target.name) return false;
  if (target.namespace !== undefined && obj.metadata.namespace !== target.namespace) return false;
  for (const [k, v] of Object.entries(target.labels ?? {})) if (obj.metadata.labels?.[k] !== v) return false;
  return true;
}

function componentOf(obj: K8sObject): string | undefined {
  const c = obj.metadata.labels?.["app.kubernetes.io/component"];
  return c && ALL_COMPONENTS.includes(c) ? c : undefined;
}

interface PodSpec {
  containers?: { image?: string; args?: string[] }[];
  initContainers?: { image?: string; args?: string[] }[];
  imagePullSecrets?: { name: string }[];
  tolerations?: unknown[];
  nodeSelector?: Record<string, string>;
}

function podSpecOf(obj: K8sObject): PodSpec | undefined {
  if (obj.kind !== "Deployment") return undefined;
  return (obj as { spec?: { template?: { spec?: PodSpec } } }).spec?.template?.spec;
}

/** Controllers that take `--requeue-dependency` (they reconcile objects with `dependsOn`). */
export const REQUEUE_DEPENDENCY_CONTROLLERS = ["kustomize-controller", "helm-controller"];

/** Controllers `--no-cross-namespace-refs` applies to (those that follow references between objects). */
export const CROSS_NAMESPACE_CONTROLLERS = [
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
  "image-reflector-controller",
  "image-automation-controller",
];
/** Controllers that impersonate a service account when applying (`--default-service-account`). */
export const IMPERSONATING_CONTROLLERS = ["kustomize-controller", "helm-controller"];

/** The multi-tenancy lockdown flags one controller gets, in a fixed order. */
export function lockdownArgs(component: string, lockdown: LockdownArgs | undefined): string[] {
  if (!lockdown) return [];
  const out: string[] = [];
  if (lockdown.noCrossNamespaceRefs && CROSS_NAMESPACE_CONTROLLERS.includes(component))
    out.push("--no-cross-namespace-refs=true");
  if (IMPERSONATING_CONTROLLERS.includes(component))
    out.push(`--default-service-account=${lockdown.defaultServiceAccount}`);
  if (lockdown.noRemoteBases && component === "kustomize-controller") out.push("--no-remote-bases=true");
  return out;
}

const flagName = (arg: string) => arg.split("=")[0];

function rewriteArgs(args: string[], install: FluxInstallArgs, component: string | undefined): string[] {
  const lockdown = component ? lockdownArgs(component, install.lockdown) : [];
  const replaced = new Set(lockdown.map(flagName));
  const out = args
    .filter((a) => !(install.requeueDependency && a.startsWith("--requeue-dependency=")))
    .filter((a) => !replaced.has(flagName(a)))
    .map((a) => {
      if (a.startsWith("--log-level=")) return `--log-level=${install.logLevel}`;
      if (a.startsWith("--events-addr="))
        return a.replace(/\.svc\.cluster\.local\./, `.svc.${install.clusterDomain}.`);
      return a;
    });
  if (install.requeueDependency && component && REQUEUE_DEPENDENCY_CONTROLLERS.includes(component))
    out.push(`--requeue-dependency=${install.requeueDependency}`);
  return [...out, ...lockdown];
}

export interface TransformOptions {
  /** Name of the image pull secret to reference, when configured. */
  imagePullSecret?: string;
  /** Annotate every object `pulumi.com/skipAwait: "true"`. */
  skipAwait: boolean;
}

/**
 * Apply the platform's install settings to the upstream install manifests. The Namespace is dropped
 * (the bootstrap creates it first, with the early secrets). Throws InstallManifestError when a
 * configured patch matches nothing or fails, naming the config path.
 */
export function transformInstallManifests(
  docs: K8sObject[],
  install: FluxInstallArgs,
  opts: TransformOptions,
): K8sObject[] {
  const wanted = new Set<string>([...install.components, ...install.extraComponents]);
  let out = docs
    .filter((d) => d && typeof d === "object" && d.kind)
    .filter((d) => !(d.kind === "Namespace" && d.metadata.name === FLUX_NAMESPACE))
    .filter((d) => install.networkPolicy || d.kind !== "NetworkPolicy")
    .filter((d) => {
      const c = componentOf(d);
      return c === undefined || wanted.has(c);
    })
    .map(clone);

  for (const obj of out) {
    const pod = podSpecOf(obj);
    if (pod) {
      for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
        if (c.image?.startsWith(`${UPSTREAM_REGISTRY}/`))
          c.image = `${install.registry.replace(/\/$/, "")}/${c.image.slice(UPSTREAM_REGISTRY.length + 1)}`;
        if (c.args) c.args = rewriteArgs(c.args, install, componentOf(obj));
      }
      if (opts.imagePullSecret) pod.imagePullSecrets = [{ name: opts.imagePullSecret }];
      if (install.tolerations.length) pod.tolerations = clone(install.tolerations);
      if (Object.keys(install.nodeSelector).length)
        pod.nodeSelector = { ...(pod.nodeSelector ?? {}), ...install.nodeSelector };
    }
    if (opts.skipAwait)
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), "pulumi.com/skipAwait": "true" };
  }

  install.patches.forEach((p, i) => {
    let hits = 0;
    out = out.map((obj) => {
      if (!matches(obj, p.target)) return obj;
      hits++;
      try {
        return (
          Array.isArray(p.patch)
            ? jsonPatch.applyPatch(clone(obj), p.patch as jsonPatch.Operation[], true, false).newDocument
            : mergePatch(obj, p.patch)
        ) as K8sObject;
      } catch (e) {
        throw new InstallManifestError({
          path: `flux.install.patches.${i}`,
          message: `the patch does not apply to ${obj.kind}/${obj.metadata.name}: ${(e as Error).message.split("\n")[0]}`,
        });
      }
    });
    if (hits === 0)
      throw new InstallManifestError({
        path: `flux.install.patches.${i}`,
        message: `the target ${JSON.stringify(p.target)} matches no object of the install manifests: check kind, name and labels`,
      });
  });
  return out;
}

/** Annotations to put on controllers' ServiceAccounts, by ServiceAccount name (e.g. IRSA role ARNs). */
export type ServiceAccountAnnotations<V = string> = Record<string, Record<string, V>>;

/** Problems of annotating these ServiceAccounts of the install (paths relative to the Flux settings). */
export function serviceAccountProblems(objects: K8sObject[], names: string[]): Problem[] {
  const present = new Set(
    objects
      .filter((o) => o.kind === "ServiceAccount" && o.metadata.namespace === FLUX_NAMESPACE)
      .map((o) => o.metadata.name),
  );
  return names
    .filter((n) => !present.has(n))
    .map((n) => ({
      path: "install.manifests",
      message: `the install manifests have no ServiceAccount ${FLUX_NAMESPACE}/${n} to bind the workload identity to: give Flux's own install.yaml with ${n} installed`,
    }));
}

/**
 * The install objects with the annotations added to the named flux-system ServiceAccounts. The
 * values may be outputs (role ARNs not known yet): they are placed as they are, so only those values
 * are unknown during a preview, not the whole install.
 */
export function annotateServiceAccounts<V = string>(
  objects: K8sObject[],
  annotations: ServiceAccountAnnotations<V>,
): K8sObject[] {
  return objects.map((o) => {
    const add =
      o.kind === "ServiceAccount" && o.metadata.namespace === FLUX_NAMESPACE && annotations[o.metadata.name];
    if (!add) return o;
    const merged = { ...(o.metadata.annotations ?? {}), ...add } as Record<string, string>;
    return { ...o, metadata: { ...o.metadata, annotations: merged } };
  });
}

/** The FluxInstance (`operator` mode): the same settings expressed for the Flux Operator. */
export function renderFluxInstance(
  version: string,
  install: FluxInstallArgs,
  imagePullSecret?: string,
  serviceAccountAnnotations: ServiceAccountAnnotations = {},
): K8sObject {
  const podPatch: Record<string, unknown> = {};
  if (install.tolerations.length) podPatch.tolerations = install.tolerations;
  if (Object.keys(install.nodeSelector).length) podPatch.nodeSelector = install.nodeSelector;
  const patches: { target: Record<string, unknown>; patch: string }[] = [];
  if (Object.keys(podPatch).length)
    patches.push({
      target: { kind: "Deployment" },
      patch: JSON.stringify({ spec: { template: { spec: podPatch } } }),
    });
  if (install.logLevel !== "info")
    patches.push({
      target: { kind: "Deployment" },
      patch: JSON.stringify([
        {
          op: "add",
          path: "/spec/template/spec/containers/0/args/-",
          value: `--log-level=${install.logLevel}`,
        },
      ]),
    });
  if (install.requeueDependency)
    for (const name of REQUEUE_DEPENDENCY_CONTROLLERS)
      patches.push({
        target: { kind: "Deployment", name },
        patch: JSON.stringify([
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: `--requeue-dependency=${install.requeueDependency}`,
          },
        ]),
      });
  const components = [...install.components, ...install.extraComponents];
  for (const name of components) {
    const flags = lockdownArgs(name, install.lockdown);
    if (flags.length)
      patches.push({
        target: { kind: "Deployment", name },
        patch: JSON.stringify(
          flags.map((value) => ({ op: "add", path: "/spec/template/spec/containers/0/args/-", value })),
        ),
      });
  }
  for (const [name, annotations] of Object.entries(serviceAccountAnnotations))
    patches.push({
      target: { kind: "ServiceAccount", name },
      patch: JSON.stringify({ metadata: { annotations } }),
    });
  for (const p of install.patches) {
    const target: Record<string, unknown> = {};
    if (p.target.kind) target.kind = p.target.kind;
    if (p.target.name) target.name = p.target.name;
    if (p.target.namespace) target.namespace = p.target.namespace;
    if (p.target.labels)
      target.labelSelector = Object.entries(p.target.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    patches.push({ target, patch: JSON.stringify(p.patch) });
  }
  const distribution: Record<string, unknown> = { version, registry: install.registry };
  if (imagePullSecret) distribution.imagePullSecret = imagePullSecret;
  const cluster: Record<string, unknown> = {
    type: install.operator.clusterType,
    multitenant: install.operator.multitenant,
    networkPolicy: install.networkPolicy,
    domain: install.clusterDomain,
  };
  if (install.operator.size) cluster.size = install.operator.size;
  const spec: Record<string, unknown> = {
    distribution,
    components,
    cluster,
  };
  if (patches.length) spec.kustomize = { patches };
  return {
    apiVersion: API.fluxInstance,
    kind: "FluxInstance",
    metadata: { name: "flux", namespace: FLUX_NAMESPACE },
    spec,
  };
}

/**
 * Problems of install manifests given as a file: it must be Flux's install of this version, with a
 * Deployment for every selected controller (paths relative to the Flux settings).
 */
export function installManifestsProblems(
  objects: K8sObject[],
  install: FluxInstallArgs,
  version: string,
): Problem[] {
  const path = "install.manifests.file";
  const deployments = new Set(objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name));
  const missing = [...install.components, ...install.extraComponents].filter((c) => !deployments.has(c));
  const out: Problem[] = [];
  if (missing.length)
    out.push({
      path,
      message: `is not a Flux install of the selected controllers: it has no Deployment ${missing.join(", ")}; give the install.yaml of Flux ${version} (flux install --export, or the release asset)`,
    });
  const versions = new Set(
    objects
      .map((o) => o.metadata.labels?.["app.kubernetes.io/version"])
      .filter((v): v is string => v !== undefined),
  );
  const other = [...versions].filter((v) => v !== `v${version}`);
  if (other.length)
    out.push({
      path,
      message: `is the install of Flux ${other.join(", ")}, not of flux.version ${version}: give the install.yaml of ${version}, or set flux.version to match`,
    });
  return out;
}
