/**
 * Tenants need the lockdown: when the stack creates a tenant's credentials (`flux.tenants`: Secrets
 * labelled `toolkit.fluxcd.io/tenant`), Flux must reconcile with the multi-tenancy lockdown, or a
 * tenant's Kustomization would apply the vendor's objects with the controllers' own cluster rights.
 */
import type { PolicyResource } from "@pulumi/policy";
import { asRecord, describeObject, k8sMeta, listText, TYPES, type PlatformStackPolicy } from "./common";
import { LOCKDOWN_FIX, lockdownGaps } from "./fluxSecurity";

/** The label `flux create tenant` (and FluxBootstrap's tenant objects) put on a tenant's objects. */
export const TENANT_LABEL = "toolkit.fluxcd.io/tenant";

const RULE = "Tenants need the multi-tenancy lockdown";

/** The tenant credential Secrets of the stack, as `Secret <ns>/<name> (tenant <t>)`. */
export function tenantSecrets(resources: PolicyResource[]): string[] {
  return resources
    .filter((r) => r.type === TYPES.secret)
    .flatMap((r) => {
      const tenant = asRecord(asRecord(r.props.metadata)?.labels)?.[TENANT_LABEL];
      return typeof tenant === "string" && tenant !== ""
        ? [`${describeObject("Secret", r.props)} (tenant ${tenant})`]
        : [];
    });
}

const isRoot = (r: PolicyResource) => {
  const { name, namespace } = k8sMeta(r.props);
  return TYPES.kustomization.test(r.type) && name === "flux-system" && namespace === "flux-system";
};

export const fluxTenantsLockdown: PlatformStackPolicy = {
  name: "flux-tenants-lockdown",
  description:
    "A stack with tenants (flux.tenants) runs Flux with the multi-tenancy lockdown: the root Kustomization impersonates a service account and no controller lacks a lockdown flag.",
  severity: "critical",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const secrets = tenantSecrets(args.resources);
    if (secrets.length === 0) {
      args.notApplicable("the stack has no tenants (flux.tenants)");
      return;
    }
    const what = `the stack creates tenant credentials (${listText(secrets)})`;
    // The program sets the root's serviceAccountName exactly when it installs the lockdown; the
    // offline render sees this even where the install manifests are fetched only at deploy time.
    const root = args.resources.find(isRoot);
    const account = asRecord(root?.props.spec)?.serviceAccountName;
    if (!root || typeof account !== "string" || account === "") {
      report(
        `${RULE}: ${what}, but ${root ? `${describeObject("Kustomization", root.props)} impersonates no service account` : "there is no root Kustomization flux-system"}, so Flux runs without the lockdown and a tenant's objects would be applied with the controllers' own rights; ${LOCKDOWN_FIX}.`,
      );
      return;
    }
    // The offline render shows an install group's objects as its `objs`, the real engine as its
    // children (the group itself with empty inputs): each controller is seen once either way.
    for (const r of args.resources)
      for (const gap of lockdownGaps(r.type, r.props))
        report(`${RULE}: ${what}, but ${gap}; ${LOCKDOWN_FIX}.`, r.urn);
  },
};
