/**
 * How Flux itself is installed: the controllers, the install modes (upstream manifests or the Flux
 * Operator), what is applied to the controller pods, and the multi-tenancy lockdown flags.
 */
import type { SecretValue } from "../../secretValue";
import type { FluxScalingArgs } from "./scaling";

/** Controllers a Flux install has unless told otherwise. */
export const DEFAULT_COMPONENTS = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
] as const;
/** Controllers installed only when listed in `install.extraComponents`. */
export const EXTRA_COMPONENTS = [
  "image-reflector-controller",
  "image-automation-controller",
  "source-watcher",
] as const;
export type FluxComponent = (typeof DEFAULT_COMPONENTS)[number] | (typeof EXTRA_COMPONENTS)[number];

/** A Kubernetes toleration, as put on every controller pod. */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /** Seconds. */
  tolerationSeconds?: number;
}

/** One patch of the upstream install objects. */
export interface InstallPatch {
  /** Which install objects the patch applies to; every given field must match. */
  target: {
    /** Kind, e.g. Deployment. */
    kind?: string;
    name?: string;
    namespace?: string;
    /** Labels the object must carry (all of them). */
    labels?: Record<string, string>;
  };
  /** A JSON merge patch (an object) or a JSON 6902 patch (a list of operations). */
  patch:
    | { op: "add" | "remove" | "replace" | "move" | "copy" | "test"; path: string; [k: string]: unknown }[]
    | Record<string, unknown>;
}

/** The registry pull secret every controller pod references. */
export interface ImagePullSecretArgs {
  /** Secret name in flux-system. @default "flux-registry" */
  name: string;
  /** Registry server; with username and password the Secret is created, else it must exist. */
  server?: string;
  username?: string;
  password?: SecretValue;
}

/** `install.mode: manifests`: the upstream install manifests of the pinned version. */
export interface ManifestsArgs {
  /** Local install.yaml for air-gapped sites (path relative to the project). @default the release asset */
  file?: string;
  /** Mirror of the release asset; `{version}` is replaced by the Flux version. @default the GitHub release */
  url?: string;
  /** Skip readiness waiting on the install objects. @default false */
  skipAwait: boolean;
}

/** `install.mode: operator`: the Flux Operator chart and a FluxInstance. */
export interface OperatorArgs {
  /** Flux Operator Helm chart (OCI). @default the pinned chart in versions.json */
  chart: string;
  /** Chart version. @default the pinned version in versions.json */
  chartVersion: string;
  /** Extra Helm values. @default {} */
  values: Record<string, unknown>;
  /** FluxInstance cluster.type. @default "kubernetes" */
  clusterType: "kubernetes" | "openshift" | "aws" | "azure" | "gcp";
  /** FluxInstance cluster.size (controller concurrency profile). @default the operator's */
  size?: "small" | "medium" | "large";
  /** FluxInstance cluster.multitenant. @default false */
  multitenant: boolean;
}

/** How Flux itself is installed. */
export interface FluxInstallArgs {
  /** `manifests` (upstream install manifests, transformed), `operator` or `none` (already there). @default "manifests" */
  mode: "manifests" | "operator" | "none";
  /** Registry of the controller images. @default "ghcr.io/fluxcd" */
  registry: string;
  /** Pull secret of the controller images. @default none */
  imagePullSecret?: ImagePullSecretArgs;
  /** Tolerations of the controller pods. @default [] */
  tolerations: Toleration[];
  /** Node selector of the controller pods. @default {} */
  nodeSelector: Record<string, string>;
  /** Install Flux's network policies. @default true */
  networkPolicy: boolean;
  /** Cluster DNS domain. @default "cluster.local" */
  clusterDomain: string;
  /** Controller log level. @default "info" */
  logLevel: "debug" | "info" | "error";
  /**
   * How soon kustomize-controller and helm-controller retry an object whose `dependsOn` is not
   * Ready yet (`--requeue-dependency`), a Go duration. Lower it for fast pipelines: a new tag
   * reaches objects several dependencies deep in seconds instead of 30 s per level.
   * @default unset: Flux's own default (30s)
   */
  requeueDependency?: string;
  /** Controller concurrency and shards (docs/flux.md, "Flux at scale"). @default Flux's own, no shards */
  scaling?: FluxScalingArgs;
  /** Default controllers to install. @default DEFAULT_COMPONENTS */
  components: FluxComponent[];
  /** Extra controllers to install. @default [] */
  extraComponents: FluxComponent[];
  /** Patches of the install objects. @default [] */
  patches: InstallPatch[];
  /**
   * PEM certificates of private CAs every controller trusts besides the system roots (a corporate
   * root signing the registry, Git forge or chart host): ConfigMap `flux-trusted-cas`, mounted into
   * each controller with `SSL_CERT_DIR` (trustedCAs.ts). Public data; a private key is refused.
   * @default none: the system roots only
   */
  trustedCAs?: string;
  /**
   * Why the patches may give Flux more rights than its upstream install: RBAC rules, bindings or
   * subjects it does not have, host namespaces, privileged or root containers, privilege escalation,
   * added capabilities, host paths, another service account. Without it such a patch is refused.
   * Recorded on the flux-system Namespace as the annotation `platform/flux-privilege-changes`, which
   * the `flux-install-privileges` policy refuses in prod. A patch that removes a controller's
   * container, image or args is refused either way.
   * @default unset: patches may not widen Flux's privileges
   */
  allowPrivilegeChanges?: string;
  /**
   * Leave the install on the cluster when the program stops managing it: a change of `mode`, or a
   * destroy. Every install object (manifests mode) or the operator's release and FluxInstance
   * (operator mode) is then forgotten by Pulumi instead of deleted: the step before moving between
   * install modes or handing Flux to another tool (docs/lifetime.md). Deleting the install
   * deletes Flux's CRDs, and with them every Flux object on the cluster.
   * @default false
   */
  retainOnDelete: boolean;
  /** Settings of `mode: manifests`. */
  manifests: ManifestsArgs;
  /** Settings of `mode: operator`. */
  operator: OperatorArgs;
  /**
   * Multi-tenancy lockdown, as `flux bootstrap` users apply it with kustomize patches: controller
   * flags that stop tenants from reaching across namespaces, from running as the controllers'
   * cluster-admin service account, and from pulling remote kustomize bases. @default none (no lockdown)
   */
  lockdown?: LockdownArgs;
}

/** The multi-tenancy lockdown flags of the Flux controllers. */
export interface LockdownArgs {
  /**
   * `--no-cross-namespace-refs=true` on kustomize-, helm- and notification-controller (and the
   * image controllers when installed): an object may only reference sources and objects in its own
   * namespace. @default true
   */
  noCrossNamespaceRefs: boolean;
  /**
   * `--default-service-account=<name>` on kustomize- and helm-controller: a Kustomization or
   * HelmRelease without `serviceAccountName` is applied as this service account of its own
   * namespace instead of the controller's. The root Kustomization then names
   * `serviceAccountName: kustomize-controller` explicitly. @default "default"
   */
  defaultServiceAccount: string;
  /** `--no-remote-bases=true` on kustomize-controller: kustomize bases only from the source artifact. @default true */
  noRemoteBases: boolean;
}
