export {
  FluxBootstrap,
  fluxBootstrapProblems,
  type FluxBootstrapArgs,
  type LoadedInstallManifests,
} from "./bootstrap";
export {
  CLUSTER_VARS,
  CLUSTER_VAR_KEYS,
  CLUSTER_VARS_CONFIGMAP,
  CLUSTER_SECRET_VARS_SECRET,
  chartsClusterVars,
  type ClusterVarKey,
  type ClusterVarSpec,
} from "./clusterVars";
export * from "./objects";
export * from "./render";
export * from "./manifests";
export { default as versions } from "./versions.json";
export {
  awsSourceRepository,
  fluxProblems,
  installTrustedCAsProblems,
  knownHostsName,
  sourceCaCertProblems,
  type AwsSourceRepository,
} from "./problems";
export * from "./trustedCAs";
export type { ServiceAccountAnnotationInputs } from "./install";
export {
  DEFAULTS as FLUX_DEFAULTS,
  applyFluxDefaults,
  DEFAULT_COMPONENTS,
  EXTRA_COMPONENTS,
  VARIABLE_NAME,
  type ExtraSecretArgs,
  type FluxArgs,
  type FluxAuthArgs,
  type FluxChartsArgs,
  type FluxComponent,
  type FluxConcurrencyArgs,
  type FluxScalingArgs,
  type FluxInstallArgs,
  type FluxSourceArgs,
  type FluxSopsArgs,
  type LockdownArgs,
  type FluxSyncArgs,
  type ResolvedFluxArgs,
  type ImagePullSecretArgs,
  type InstallPatch,
  type ManifestsArgs,
  type OperatorArgs,
  type SecretsManagerRef,
  type SourceRef,
  type Toleration,
} from "./args";
