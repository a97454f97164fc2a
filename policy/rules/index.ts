/** Every platform policy, in the order the pack lists them. */
import { awsPolicies } from "./aws";
import { bareMetalPolicies } from "./baremetal";
import type { PlatformPolicy } from "./common";
import { eksPolicies } from "./eks";
import { fluxPolicies } from "./flux";
import { fluxInstallPolicies } from "./fluxInstall";
import { fluxPrivilegePolicies } from "./fluxPrivileges";
import { fluxSecurityPolicies } from "./fluxSecurity";
import { fluxTenantsLockdown } from "./fluxTenants";
import { iamPolicies } from "./iam";
import { kubernetesPolicies } from "./kubernetes";
import { stackPolicies } from "./stack";

export type { PlatformPolicy, PlatformResourcePolicy, PlatformStackPolicy } from "./common";

export const policies: PlatformPolicy[] = [
  ...eksPolicies,
  ...awsPolicies,
  ...iamPolicies,
  ...fluxPolicies,
  ...fluxInstallPolicies,
  ...fluxPrivilegePolicies,
  ...fluxSecurityPolicies,
  fluxTenantsLockdown,
  ...kubernetesPolicies,
  ...bareMetalPolicies,
  ...stackPolicies,
];

/** Name of the pack (`pulumi preview --policy-pack ./policy` reports it). */
export const POLICY_PACK_NAME = "platform-guardrails";
