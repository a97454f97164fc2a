/**
 * The arguments of FluxBootstrap's Flux settings, their defaults and the Flux facts they rest on
 * (controllers, pinned versions). The program's config schema reads DEFAULTS and the component lists
 * from here; this module never imports the program.
 */
import type { SecretValue } from "../secretValue";
import versions from "./versions.json";

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

/** Flux postBuild variable names: `^[_a-zA-Z][_a-zA-Z0-9]*$`. */
export const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

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
  /** Default controllers to install. @default DEFAULT_COMPONENTS */
  components: FluxComponent[];
  /** Extra controllers to install. @default [] */
  extraComponents: FluxComponent[];
  /** Patches of the install objects. @default [] */
  patches: InstallPatch[];
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

/** Exactly one of these names the revision Flux follows. */
export interface SourceRef {
  tag?: string;
  semver?: string;
  branch?: string;
  commit?: string;
  /** A full ref such as refs/heads/main (Git). */
  name?: string;
  /** `sha256:…` (OCI). */
  digest?: string;
}

/** The root source: the repository (Git) or artifact (OCI) Flux pulls the platform from. */
export interface FluxSourceArgs {
  /** @default "git" */
  kind: "git" | "oci";
  /** Git: `ssh://…` or `https://…`; OCI: `oci://registry/repo`. */
  url: string;
  ref: SourceRef;
  /** Go duration. @default "1m" */
  interval: string;
  /** Go duration. @default "60s" */
  timeout: string;
  /** .gitignore-style paths left out of the artifact. @default none */
  ignore?: string;
  /** @default false */
  recurseSubmodules: boolean;
  /**
   * Cloud provider auth (OCI: aws|azure|gcp; Git: aws|azure|github): the source controller
   * authenticates with its workload identity, and no auth Secret is used. With `aws` the URL must be
   * an ECR repository (`oci://<account>.dkr.ecr.<region>.amazonaws.com/<name>`) or a CodeCommit
   * repository (`https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`). @default none
   */
  provider?: "generic" | "aws" | "azure" | "gcp" | "github";
  /**
   * OCI roots: where the Helm charts the fleet artifact's HelmReleases install are published as OCI
   * artifacts (`npm run gitops:publish --charts-to`), pulled with the same provider as the root. The
   * fleet's HelmReleases read the location from cluster-vars (`FLUX_CHARTS_URL`,
   * `FLUX_CHARTS_PROVIDER`). @default none
   */
  charts?: FluxChartsArgs;
  /** Signature verification. @default none */
  verify?: {
    mode?: "HEAD" | "Tag" | "TagAndHEAD";
    provider?: "cosign" | "notation";
    /** Public keys by file name (`.asc` PGP, `.sshpub` SSH). */
    publicKeys: Record<string, string>;
  };
}

/** The OCI location of the fleet's Helm charts: chart `<name>` is the artifact `<url>/<name>:<version>`. */
export interface FluxChartsArgs {
  /** `oci://registry/path`, e.g. `oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts`. */
  url: string;
  /** The charts published there (with provider aws: one ECR repository each, `<path>/<name>`). */
  names: string[];
}

/** A Secrets Manager secret read at deploy time; its whole SecretString is the value. */
export interface SecretsManagerRef {
  /** Secret name or ARN. */
  secretId: string;
}

/** Credentials of the root source. @default `{ type: "none" }` */
export type FluxAuthArgs =
  | {
      type: "ssh";
      /** Deploy key; when absent (and no fromSecretsManager) a key is generated. */
      privateKey?: SecretValue;
      password?: SecretValue;
      fromSecretsManager?: SecretsManagerRef;
      /** Algorithm of a generated key. @default "ed25519" */
      keyAlgorithm: "ed25519" | "ecdsa" | "rsa";
      /** known_hosts lines of the Git host. */
      knownHosts: string;
    }
  | {
      type: "https";
      username?: string;
      password?: SecretValue;
      bearerToken?: SecretValue;
      fromSecretsManager?: SecretsManagerRef;
      /** PEM CA bundle of a private Git server. */
      caCert?: string;
    }
  | {
      type: "githubApp";
      appId: string;
      installationId?: string;
      installationOwner?: string;
      privateKey: SecretValue;
      /** GitHub Enterprise API base URL. */
      baseUrl?: string;
    }
  | { type: "none" };

/** How the root Kustomization decrypts SOPS-encrypted files. */
export interface FluxSopsArgs {
  /**
   * `age`: an age identity in the Secret `sops-age` (ageKey or fromSecretsManager, exactly one).
   * `awskms`: AWS KMS through kustomize-controller's workload identity; no Secret at all.
   * @default "age"
   */
  provider: "age" | "awskms";
  /** age identity (AGE-SECRET-KEY-1…). */
  ageKey?: SecretValue;
  /** age identity from Secrets Manager. */
  fromSecretsManager?: SecretsManagerRef;
  /**
   * `awskms`: the key the fleet repository's secrets are encrypted with (a key ARN, not an alias).
   * Read by the AWS side of the platform, not by FluxBootstrap. @default a key the platform creates
   */
  kmsKeyArn?: string;
  /**
   * `age`: why this platform does not decrypt through KMS (e.g. "bare metal, no AWS workload
   * identity"). Put on the root Kustomization as the annotation `platform/sops-kms-exemption`, where
   * the `flux-sops-kms` policy reads it. @default none
   */
  kmsExemption?: string;
}

/** The root Kustomization. */
export interface FluxSyncArgs {
  /** Path in the repository. @default `./clusters/<platform name>` */
  path?: string;
  /** @default "10m" */
  interval: string;
  /** @default "2m" */
  retryInterval: string;
  /** @default "5m" */
  timeout: string;
  /** @default true */
  prune: boolean;
  /** @default false */
  wait: boolean;
  /**
   * What deleting the root Kustomization (on `pulumi destroy`) does to what it applied.
   * `WaitForTermination` deletes it and waits until it is gone, so the controllers (deleted after
   * the root) outlive every finalizer; `Orphan` leaves it running; `MirrorPrune` follows `prune`;
   * `Delete` deletes without waiting. @default "WaitForTermination"
   */
  deletionPolicy: "WaitForTermination" | "MirrorPrune" | "Delete" | "Orphan";
}

/** A Secret created with the early secrets, before Flux. */
export interface ExtraSecretArgs {
  namespace: string;
  name: string;
  /** @default "Opaque" */
  type: string;
  /** @default {} */
  labels: Record<string, string>;
  data: Record<string, SecretValue>;
  /** Create the namespace (not for kube-system and the like). @default true */
  createNamespace: boolean;
}

/** The Flux settings with every default applied (what FluxBootstrap works with). */
export interface ResolvedFluxArgs {
  /** Exact Flux version x.y.z. @default the pinned version in versions.json */
  version: string;
  install: FluxInstallArgs;
  source: FluxSourceArgs;
  auth: FluxAuthArgs;
  /** SOPS decryption of the root Kustomization. @default no decryption */
  sops?: FluxSopsArgs;
  sync: FluxSyncArgs;
  /** Extra cluster-vars. @default {} */
  vars: Record<string, string>;
  /** Secret variables (Secret cluster-secret-vars). @default {} */
  secretVars: Record<string, SecretValue>;
  /** @default [] */
  extraSecrets: ExtraSecretArgs[];
}

/** Defaults of every optional setting, in one place; the config schema reads them from here. */
export const DEFAULTS = {
  version: versions.flux,
  install: {
    mode: "manifests",
    registry: "ghcr.io/fluxcd",
    imagePullSecretName: "flux-registry",
    networkPolicy: true,
    clusterDomain: "cluster.local",
    logLevel: "info",
    components: [...DEFAULT_COMPONENTS],
    manifests: { skipAwait: false },
    lockdown: { noCrossNamespaceRefs: true, defaultServiceAccount: "default", noRemoteBases: true },
    operator: {
      chart: versions.operator.chart,
      chartVersion: versions.operator.chartVersion,
      clusterType: "kubernetes",
      multitenant: false,
    },
  },
  source: { kind: "git", interval: "1m", timeout: "60s", recurseSubmodules: false },
  auth: { type: "none", keyAlgorithm: "ed25519" },
  sops: { provider: "age" },
  sync: {
    interval: "10m",
    retryInterval: "2m",
    timeout: "5m",
    prune: true,
    wait: false,
    deletionPolicy: "WaitForTermination",
  },
  extraSecret: { type: "Opaque", createNamespace: true },
} as const;

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * Everything FluxBootstrap needs to know about Flux: version, install, source, auth, sync, secrets.
 * Only `source.url` and `source.ref` are required; every other field has the `@default` documented
 * on the resolved shape (ResolvedFluxArgs and the interfaces above) and in DEFAULTS.
 */
export interface FluxArgs {
  /** @default the pinned version in versions.json */
  version?: string;
  /** @default `manifests` mode from the release asset of `version`, default controllers */
  install?: Partial<Omit<FluxInstallArgs, "manifests" | "operator" | "imagePullSecret" | "lockdown">> & {
    lockdown?: Partial<LockdownArgs>;
    imagePullSecret?: Optional<ImagePullSecretArgs, "name">;
    manifests?: Partial<ManifestsArgs>;
    operator?: Partial<OperatorArgs>;
  };
  source: Optional<FluxSourceArgs, "kind" | "interval" | "timeout" | "recurseSubmodules">;
  /** @default `{ type: "none" }` */
  auth?:
    Exclude<FluxAuthArgs, { type: "ssh" }> | Optional<Extract<FluxAuthArgs, { type: "ssh" }>, "keyAlgorithm">;
  sops?: Optional<FluxSopsArgs, "provider">;
  /** @default path `./clusters/<platform name>`, interval 10m, retry 2m, timeout 5m, prune, no wait */
  sync?: Partial<FluxSyncArgs>;
  /** @default {} */
  vars?: Record<string, string>;
  /** @default {} */
  secretVars?: Record<string, SecretValue>;
  /** @default [] */
  extraSecrets?: Optional<ExtraSecretArgs, "type" | "labels" | "createNamespace">[];
}

/** FluxArgs with DEFAULTS applied (`??` throughout: an explicit false, 0 or "" stays). Pure; never throws. */
export function applyFluxDefaults(args: FluxArgs): ResolvedFluxArgs {
  const D = DEFAULTS;
  const i = args.install ?? {};
  const auth = args.auth ?? { type: D.auth.type };
  return {
    ...args,
    version: args.version ?? D.version,
    install: {
      ...i,
      mode: i.mode ?? D.install.mode,
      registry: i.registry ?? D.install.registry,
      imagePullSecret: i.imagePullSecret && {
        ...i.imagePullSecret,
        name: i.imagePullSecret.name ?? D.install.imagePullSecretName,
      },
      tolerations: i.tolerations ?? [],
      nodeSelector: i.nodeSelector ?? {},
      networkPolicy: i.networkPolicy ?? D.install.networkPolicy,
      clusterDomain: i.clusterDomain ?? D.install.clusterDomain,
      logLevel: i.logLevel ?? D.install.logLevel,
      components: i.components ?? [...D.install.components],
      extraComponents: i.extraComponents ?? [],
      patches: i.patches ?? [],
      lockdown: i.lockdown && {
        ...i.lockdown,
        noCrossNamespaceRefs: i.lockdown.noCrossNamespaceRefs ?? D.install.lockdown.noCrossNamespaceRefs,
        defaultServiceAccount: i.lockdown.defaultServiceAccount ?? D.install.lockdown.defaultServiceAccount,
        noRemoteBases: i.lockdown.noRemoteBases ?? D.install.lockdown.noRemoteBases,
      },
      manifests: { ...i.manifests, skipAwait: i.manifests?.skipAwait ?? D.install.manifests.skipAwait },
      operator: {
        ...i.operator,
        chart: i.operator?.chart ?? D.install.operator.chart,
        chartVersion: i.operator?.chartVersion ?? D.install.operator.chartVersion,
        values: i.operator?.values ?? {},
        clusterType: i.operator?.clusterType ?? D.install.operator.clusterType,
        multitenant: i.operator?.multitenant ?? D.install.operator.multitenant,
      },
    },
    source: {
      ...args.source,
      kind: args.source.kind ?? D.source.kind,
      interval: args.source.interval ?? D.source.interval,
      timeout: args.source.timeout ?? D.source.timeout,
      recurseSubmodules: args.source.recurseSubmodules ?? D.source.recurseSubmodules,
    },
    sops: args.sops && { ...args.sops, provider: args.sops.provider ?? D.sops.provider },
    auth: auth.type === "ssh" ? { ...auth, keyAlgorithm: auth.keyAlgorithm ?? D.auth.keyAlgorithm } : auth,
    sync: {
      ...args.sync,
      interval: args.sync?.interval ?? D.sync.interval,
      retryInterval: args.sync?.retryInterval ?? D.sync.retryInterval,
      timeout: args.sync?.timeout ?? D.sync.timeout,
      prune: args.sync?.prune ?? D.sync.prune,
      wait: args.sync?.wait ?? D.sync.wait,
      deletionPolicy: args.sync?.deletionPolicy ?? D.sync.deletionPolicy,
    },
    vars: args.vars ?? {},
    secretVars: args.secretVars ?? {},
    extraSecrets: (args.extraSecrets ?? []).map((e) => ({
      ...e,
      type: e.type ?? D.extraSecret.type,
      labels: e.labels ?? {},
      createNamespace: e.createNamespace ?? D.extraSecret.createNamespace,
    })),
  };
}
