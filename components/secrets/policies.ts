import type { PolicyDocument } from "../aws";

/** `<organization>/<platform>/`: the prefix of every secret of a platform. */
export const secretsPrefix = (organization: string, platform: string) => `${organization}/${platform}/`;

/** ARN pattern matching exactly the secrets under `prefix` (Secrets Manager appends `-XXXXXX` to names). */
export const secretPrefixArn = (partition: string, region: string, accountId: string, prefix: string) =>
  `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${prefix}*`;

/** External Secrets Operator: read the platform's secrets, decrypt with the platform's key through Secrets Manager only. */
export function externalSecretsPolicy(prefixArn: string, keyArn: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadPlatformSecrets",
        Effect: "Allow",
        Action: [
          "secretsmanager:GetSecretValue",
          "secretsmanager:DescribeSecret",
          "secretsmanager:ListSecretVersionIds",
          "secretsmanager:GetResourcePolicy",
        ],
        Resource: prefixArn,
      },
      {
        Sid: "DecryptWithPlatformKey",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
      },
    ],
  };
}
