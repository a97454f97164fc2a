/**
 * The pure transformation of the upstream install manifests (`manifests` mode): components, registry,
 * pull secret, tolerations, node selector, network policies, cluster domain, log level, controller
 * flags, user patches (refused when they widen Flux's privileges or break a controller).
 */
import { ArgsError, type Problem } from "../../problems";
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS, type FluxInstallArgs, type InstallPatch } from "../args";
import { FLUX_NAMESPACE, type K8sObject } from "../objects";
import { lockdownArgs, REQUEUE_DEPENDENCY_CONTROLLERS } from "./flags";
import { clone } from "./json";
import { applyInstallPatch, patchChangeMessages, patchChanges, type PatchChanges } from "./privileges";
import { IN_MEMORY_BUILDS, scalingArgs, shardDeployments, withInMemoryBuilds } from "./scaling";
import { mountTrustedCAs } from "../trustedCAs";

const UPSTREAM_REGISTRY = "ghcr.io/fluxcd";
const ALL_COMPONENTS: readonly string[] = [...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS];

/**
 * A patch of `install.patches` that does not apply to the install manifests: an argument problem
 * found only once the manifests are loaded, reported like every other (one ArgsError of FluxBootstrap).
 */
export class InstallManifestError extends ArgsError {
  readonly problem: Problem;
  constructor(problem: Problem, ...more: Problem[]) {
    super("FluxBootstrap", undefined, [problem, ...more]);
    this.problem = problem;
    this.name = "InstallManifestError";
  }
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

const flagName = (arg: string) => arg.split("=")[0];

function rewriteArgs(args: string[], install: FluxInstallArgs, component: string | undefined): string[] {
  const lockdown = component ? lockdownArgs(component, install.lockdown) : [];
  const scaling = component ? scalingArgs(component, install.scaling) : [];
  const replaced = new Set([...scaling, ...lockdown].map(flagName));
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
  return [...out, ...scaling, ...lockdown];
}

export interface TransformOptions {
  /** Name of the image pull secret to reference, when configured. */
  imagePullSecret?: string;
  /** Annotate every object `pulumi.com/skipAwait: "true"`. */
  skipAwait: boolean;
  /** Annotations every object carries besides (the adoption's, `flux.adopt`). @default none */
  annotations?: Record<string, string>;
  /**
   * Suffix of the cluster-wide RBAC and the ResourceQuota, as `flux install` and `flux bootstrap` name
   * them (`crd-controller-flux-system`; the release's install.yaml has `crd-controller`): the
   * adoption's, so it takes over those objects instead of leaving them to be pruned. @default none
   */
  rbacNameSuffix?: string;
}

/** Kinds `flux install` names with the namespace as suffix (flux2 pkg/manifestgen/install: rbac and policies). */
const SUFFIXED_KINDS = new Set(["ClusterRole", "ClusterRoleBinding", "ResourceQuota"]);

/** The objects renamed with `suffix` as `flux install` names them, role references included. */
function withRbacNameSuffix(objs: K8sObject[], suffix: string): K8sObject[] {
  const roles = new Set(objs.filter((o) => o.kind === "ClusterRole").map((o) => o.metadata.name));
  for (const o of objs) {
    if (!SUFFIXED_KINDS.has(o.kind) || o.metadata.name?.endsWith(suffix)) continue;
    o.metadata.name = `${o.metadata.name}${suffix}`;
    const ref = (o as { roleRef?: { kind?: string; name?: string } }).roleRef;
    if (o.kind === "ClusterRoleBinding" && ref?.kind === "ClusterRole" && ref.name && roles.has(ref.name))
      ref.name = `${ref.name}${suffix}`;
  }
  return objs;
}

/**
 * Apply the platform's install settings to the upstream install manifests. The Namespace is dropped
 * (the bootstrap creates it first, with the early secrets). The shard controllers of
 * `install.scaling.shards` are copies of the main ones as patched, added last. Throws InstallManifestError when a
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
  if (opts.rbacNameSuffix) out = withRbacNameSuffix(out, opts.rbacNameSuffix);

  // Flux's own install applies the CRDs first: a controller started before its CRDs are served
  // exits ("no matches for kind") and crash-loops until they are. Each Deployment depends on every
  // CRD of the install (ConfigGroup's `config.kubernetes.io/depends-on`; Pulumi waits for a CRD to
  // be Established unless skipAwait).
  const crds = out
    .filter((d) => d.kind === "CustomResourceDefinition")
    .map((d) => `apiextensions.k8s.io/CustomResourceDefinition/${d.metadata.name}`);
  for (const obj of out) {
    if (obj.kind === "Deployment" && crds.length)
      obj.metadata.annotations = {
        ...(obj.metadata.annotations ?? {}),
        "config.kubernetes.io/depends-on": crds.join(","),
      };
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
      if (install.trustedCAs !== undefined) mountTrustedCAs(obj, install.trustedCAs);
      if (install.scaling?.inMemoryBuilds && componentOf(obj) === IN_MEMORY_BUILDS.controller) {
        const problem = withInMemoryBuilds(obj);
        if (problem) throw new InstallManifestError(problem);
      }
    }
    if (opts.skipAwait)
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), "pulumi.com/skipAwait": "true" };
    if (opts.annotations && Object.keys(opts.annotations).length)
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...opts.annotations };
  }

  // Each patch is compared with the install as it was before any patch, so a privilege a later
  // patch adds is reported there, and one that an earlier patch took away may come back.
  const upstream = out;
  const reported = new Set<string>();
  install.patches.forEach((p, i) => {
    let hits = 0;
    const path = `flux.install.patches.${i}`;
    const changes: PatchChanges = { privileges: [], breaks: [] };
    out = out.map((obj, k) => {
      if (!matches(obj, p.target)) return obj;
      hits++;
      let patched: K8sObject;
      try {
        patched = applyInstallPatch(obj, p.patch);
      } catch (e) {
        throw new InstallManifestError({
          path,
          message: `the patch does not apply to ${obj.kind}/${obj.metadata.name}: ${(e as Error).message.split("\n")[0]}`,
        });
      }
      const c = patchChanges(upstream[k], patched);
      changes.privileges.push(...c.privileges.filter((x) => !reported.has(x)));
      changes.breaks.push(...c.breaks.filter((x) => !reported.has(x)));
      return patched;
    });
    if (hits === 0)
      throw new InstallManifestError({
        path,
        message: `the target ${JSON.stringify(p.target)} matches no object of the install manifests: check kind, name and labels`,
      });
    const messages = patchChangeMessages(changes, install.allowPrivilegeChanges !== undefined);
    const [first, ...more] = messages.map((message) => ({ path, message }));
    if (first) throw new InstallManifestError(first, ...more);
    [...changes.privileges, ...changes.breaks].forEach((x) => reported.add(x));
  });
  return [...out, ...shardDeployments(out, install.scaling)];
}
