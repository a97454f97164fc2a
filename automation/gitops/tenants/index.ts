/** gitops:new-tenant: a network-function vendor as a Flux tenant, every value checked. */
export {
  tenantSpec,
  TenantError,
  CREDENTIALS,
  DEFAULT_QUOTA,
  SOURCE_KINDS,
  type TenantSpec,
  type TenantOptions,
} from "./options";
export { renderTenant, platformTenantsFile } from "./render";
export { TENANT_LABEL, authSecretName } from "./objects";
export { planTenant, declaredNamespaces, withTenantsListed, recordedTenantCommand } from "./newTenant";
