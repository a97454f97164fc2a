export * as aws from "./sdk";
export { createAwsContext, type AwsContext, type AwsContextArgs } from "./context";
export type { EarlySecret } from "./earlySecret";
export { irsaTrustPolicy, issuerHostPath, type PolicyDocument } from "./policy";
export {
  ACCESS_KEY_ID_KEY,
  SECRET_ACCESS_KEY_KEY,
  WorkloadIdentity,
  assumeRolePolicy,
  userTrustPolicy,
  type WorkloadIdentityArgs,
} from "./identity";
