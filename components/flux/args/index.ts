/**
 * The arguments of FluxBootstrap's Flux settings, their defaults and the Flux facts they rest on
 * (controllers, pinned versions). The program's config schema reads DEFAULTS and the component lists
 * from here; this module never imports the program.
 */
export { DEFAULTS, applyFluxDefaults, type FluxArgs, type ResolvedFluxArgs } from "./flux";
export { VARIABLE_NAME, type ExtraSecretArgs, type FluxReceiverArgs } from "./extras";
export {
  DEFAULT_COMPONENTS,
  EXTRA_COMPONENTS,
  type FluxComponent,
  type FluxInstallArgs,
  type ImagePullSecretArgs,
  type InstallPatch,
  type LockdownArgs,
  type ManifestsArgs,
  type OperatorArgs,
  type Toleration,
} from "./install";
export type { FluxConcurrencyArgs, FluxScalingArgs } from "./scaling";
export type { FluxSopsArgs } from "./sops";
export type {
  DeployKeyRotation,
  FluxAuthArgs,
  FluxChartsArgs,
  FluxSourceArgs,
  SecretsManagerRef,
  SourceRef,
} from "./source";
export { deployKeyResourceSuffix, subsetDir } from "./source";
export type { FluxSyncArgs } from "./sync";
export type { FluxTenantArgs, TenantCredentialArgs } from "./tenants";
