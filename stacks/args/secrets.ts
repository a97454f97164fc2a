import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../schema/platform";
import { platformSecretsProblems, secretsPrefix, type PlatformSecretsArgs } from "../../components/secrets";
import { prefixProblems, type Problem } from "../../components/problems";

type SecretsConfig = NonNullable<PlatformConfig["secrets"]>;

/** PlatformSecrets arguments from the `secrets` section (without the AWS context and IRSA facts). */
export function platformSecretsArgs(
  config: PlatformConfig,
  secrets: SecretsConfig,
): Omit<PlatformSecretsArgs, "aws" | "oidc"> {
  return {
    prefix: secretsPrefix(config.organization, config.name),
    recoveryWindowInDays: secrets.recoveryWindowInDays,
    items: Object.fromEntries(
      Object.entries(secrets.items ?? {}).map(([k, item]) => [
        k,
        {
          description: item.description,
          generate: item.generate,
          value: item.value && pulumi.secret(item.value.value),
        },
      ]),
    ),
    externalSecrets: secrets.externalSecrets,
    iamName: `${config.name}-external-secrets`,
  };
}

/** The component's own checks of the `secrets` section, under `secrets.`. */
export function secretsConfigProblems(config: PlatformConfig): Problem[] {
  const secrets = config.secrets;
  if (!secrets) return [];
  // The prefix is built from organization and name, which the schema has checked already.
  return prefixProblems(
    "secrets",
    platformSecretsProblems(platformSecretsArgs(config, secrets)).filter((p) => p.path !== "prefix"),
  );
}
