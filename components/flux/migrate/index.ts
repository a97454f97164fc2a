/**
 * Flux's stored API versions migrated before the install changes Flux's CRDs, as `flux migrate`
 * does (docs/lifetime.md, "Stored versions").
 */
export {
  CONFLICT_ATTEMPTS,
  isFluxCrd,
  migrateStoredVersions,
  migrationPlan,
  migrationSummary,
  rewritten,
  type CrdObject,
  type InstallCrd,
  type InstallCrds,
  type MigratedCrd,
  type MigrationClient,
  type ResourceRef,
  type StoredObject,
} from "./storedVersions";
export { kubeMigrationClient, MIGRATION_USER_AGENT, objectsPath } from "./kubeClient";
export {
  FluxStoredVersions,
  installCrdVersions,
  storedVersionsProvider,
  type StoredVersionsInputs,
  type StoredVersionsOutputs,
} from "./resource";
