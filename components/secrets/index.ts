export { PlatformSecrets } from "./secrets";
export {
  DEFAULTS as SECRETS_DEFAULTS,
  MIN_GENERATED_LENGTH,
  SECRET_NAME,
  platformSecretsProblems,
  resolvePlatformSecretsArgs,
  type GenerateRules,
  type PlatformSecretsArgs,
  type SecretItem,
} from "./args";
export { externalSecretsPolicy, secretPrefixArn, secretsPrefix } from "./policies";
