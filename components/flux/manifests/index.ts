/**
 * Flux install manifests: where they come from, and the pure transformation the program applies to
 * them (components, registry, pull secret, tolerations, node selector, network policies, cluster
 * domain, log level, user patches), in the spirit of `flux install` flags.
 */
export {
  CROSS_NAMESPACE_CONTROLLERS,
  IMPERSONATING_CONTROLLERS,
  REQUEUE_DEPENDENCY_CONTROLLERS,
  lockdownArgs,
} from "./flags";
export { mergePatch } from "./json";
export { renderFluxInstance } from "./operator";
export {
  ALLOW_PRIVILEGE_CHANGES,
  patchChangeMessages,
  patchChanges,
  probePatch,
  type PatchChanges,
} from "./privileges";
export {
  annotateServiceAccounts,
  serviceAccountProblems,
  type ServiceAccountAnnotations,
} from "./serviceAccounts";
export {
  installManifestSource,
  installManifestsProblems,
  installManifestUrl,
  type InstallManifestSource,
} from "./source";
export {
  MAIN_SELECTOR,
  MAX_CONCURRENCY,
  MAX_SHARD_NAME,
  SHARD_KEY,
  SHARDED_CONTROLLERS,
  scalingArgs,
  scalingProblems,
  shardDeployments,
  shardSelector,
} from "./scaling";
export { InstallManifestError, transformInstallManifests, type TransformOptions } from "./transform";
