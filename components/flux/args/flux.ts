/**
 * The whole of the Flux settings: FluxArgs as given, ResolvedFluxArgs with every default applied,
 * DEFAULTS and applyFluxDefaults, over the per-concern types of this folder.
 */
import type { SecretValue } from "../../secretValue";
import versions from "../versions.json";
import type { ExtraSecretArgs, FluxReceiverArgs } from "./extras";
import {
  DEFAULT_COMPONENTS,
  type FluxInstallArgs,
  type ImagePullSecretArgs,
  type LockdownArgs,
  type ManifestsArgs,
  type OperatorArgs,
} from "./install";
import type { FluxSopsArgs } from "./sops";
import type { FluxAuthArgs, FluxSourceArgs } from "./source";
import type { FluxSyncArgs } from "./sync";
import type { FluxTenantArgs } from "./tenants";

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
  /** The template's webhook Receiver token (Secret fleet-receiver-token). @default no Secret */
  receiver?: FluxReceiverArgs;
  /**
   * Take over a Flux already on the cluster: every object the bootstrap makes carries
   * ADOPT_ANNOTATIONS and takes the fields others own (docs/lifetime.md, "Adopting"). The value says
   * how it was installed, which decides the names of its cluster-wide RBAC and ResourceQuota:
   * `flux-cli` (`flux bootstrap`, `flux install`, Terraform's flux_bootstrap_git: suffixed
   * `-flux-system`) or `manifests` (the release's install.yaml as it is: `kubectl apply`, or this
   * program before `install.mode` moved away from `manifests`). @default false
   */
  adopt: false | FluxAdoption;
  /** Tenants whose source credential the program creates. @default [] */
  tenants: FluxTenantArgs[];
}

/** How the Flux that `adopt` takes over was installed (see FluxArgs.adopt). */
export type FluxAdoption = "flux-cli" | "manifests";

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
    retainOnDelete: false,
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
  adopt: false,
  tenant: { createNamespace: true },
} as const;

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * Everything FluxBootstrap needs to know about Flux: version, install, source, auth, sync, secrets.
 * Only `source.url` and `source.ref` are required; every other field has the `@default` documented
 * on the resolved shape (ResolvedFluxArgs and the per-concern interfaces it is built of) and in DEFAULTS.
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
  /** `true` is `flux-cli`. @default false */
  adopt?: boolean | FluxAdoption;
  /** @default [] */
  extraSecrets?: Optional<ExtraSecretArgs, "type" | "labels" | "createNamespace">[];
  /** @default no Secret */
  receiver?: FluxReceiverArgs;
  /** @default [] */
  tenants?: Optional<FluxTenantArgs, "namespace" | "createNamespace">[];
}

/** FluxArgs with DEFAULTS applied (`??` throughout: an explicit false, 0 or "" stays). Pure; never throws. */
export function applyFluxDefaults(args: FluxArgs): ResolvedFluxArgs {
  const D = DEFAULTS;
  const i = args.install ?? {};
  const auth = args.auth ?? { type: D.auth.type };
  return {
    ...args,
    adopt: args.adopt === true ? "flux-cli" : (args.adopt ?? D.adopt),
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
      retainOnDelete: i.retainOnDelete ?? D.install.retainOnDelete,
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
    tenants: (args.tenants ?? []).map((t) => ({
      ...t,
      namespace: t.namespace ?? t.name,
      createNamespace: t.createNamespace ?? D.tenant.createNamespace,
    })),
  };
}
