export * as aws from "./sdk";
export { createAwsContext, type AwsContext, type AwsContextArgs } from "./context";
export type { EarlySecret } from "./earlySecret";
export { eksClusterArn, irsaTrustPolicy, issuerHostPath, type PolicyDocument } from "./policy";
export {
  ACCESS_KEY_ID_KEY,
  SECRET_ACCESS_KEY_KEY,
  WorkloadIdentity,
  assumeRolePolicy,
  podIdentityTrustPolicy,
  userTrustPolicy,
  type WorkloadIdentityArgs,
} from "./identity";
export { FluxAwsAccess } from "./fluxAccess";
export {
  DEFAULTS as FLUX_AWS_DEFAULTS,
  FLUX_SERVICE_ACCOUNTS,
  MAX_NAME_PREFIX as FLUX_IAM_MAX_PREFIX,
  IRSA_ROLE_ANNOTATION,
  fluxAwsAccessProblems,
  type FluxAwsAccessArgs,
  type FluxAwsSourceArgs,
} from "./fluxAccessArgs";
export {
  codeCommitPullPolicy,
  codeCommitRepositoryArn,
  ecrLifecyclePolicy,
  ecrPullPolicy,
  ecrRepositoryArn,
  sopsDecryptPolicy,
} from "./fluxPolicies";
