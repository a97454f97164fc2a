export {
  PlatformSecrets,
  SECRETS_DEFAULTS,
  resolvePlatformSecretsArgs,
  type GenerateRules,
  type PlatformSecretsArgs,
  type SecretItem,
} from "./secrets";
export { externalSecretsPolicy, secretPrefixArn, secretsPrefix } from "./policies";
export {
  ACCESS_KEY_ID_KEY,
  SECRET_ACCESS_KEY_KEY,
  WorkloadIdentity,
  irsaTrustPolicy,
  issuerHostPath,
  type AwsContext,
  type EarlySecret,
  type PolicyDocument,
  type WorkloadIdentityArgs,
} from "./identity";
