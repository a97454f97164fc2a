import { z } from "zod";
import { k8sName, k8sNamespace, secret } from "./common";
import { DEFAULTS as DNS_DEFAULTS } from "../../components/dns/args";
import { DEFAULTS as SECRETS_DEFAULTS, MIN_GENERATED_LENGTH } from "../../components/secrets/args";

const domain = z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  error: "must be a lowercase DNS name without trailing dot, e.g. telco.example.com",
});
const zoneId = z
  .string()
  .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ" });
const serviceAccount = z.strictObject({
  /** Namespace of the service account. */
  namespace: k8sNamespace().meta({ description: "Namespace of the service account." }),
  /** Service account name. */
  serviceAccount: k8sName().meta({ description: "Name of the service account." }),
});

/** `dns`: the platform's Route53 zone `<platform>.<parentDomain>` and the identities that may change it. */
export const dnsSchema = z.strictObject({
  /** The domain the platform's zone is delegated from, e.g. telco.example.com. */
  parentDomain: domain.meta({
    description: "The domain the platform's zone is delegated from, without trailing dot.",
    examples: ["telco.example.com"],
  }),
  /** The platform's zone. @default <platform name>.<parentDomain> */
  zoneName: domain.optional().meta({
    description:
      "The platform's zone (`DNS_ZONE_NAME`); must end in `.<parentDomain>`. Default: `<name>.<parentDomain>`.",
  }),
  /** Adopt this existing hosted zone instead of creating one. */
  existingZoneId: zoneId.optional().meta({
    description:
      "Adopt this existing hosted zone instead of creating one (not with `delegation`). Default: the zone is created.",
    examples: ["Z0123456789ABCDEFGHIJ"],
  }),
  /** Create the NS (and DS) records in the parent zone. */
  delegation: z
    .strictObject({
      parentZoneId: zoneId.meta({
        description: "Hosted zone id of `parentDomain`.",
        examples: ["Z0123456789ABCDEFGHIJ"],
      }),
      /** Role to assume for the parent zone when it lives in another account. */
      roleArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
          error: "must be an IAM role ARN, e.g. arn:aws:iam::210987654321:role/dns-delegation",
        })
        .optional()
        .meta({
          description:
            "Role to assume when the parent zone lives in another account (a second provider, same region and tags). Default: the platform's provider.",
          examples: ["arn:aws:iam::210987654321:role/dns-delegation"],
        }),
      /** TTL of the delegation records, seconds. @default 3600 */
      ttl: z
        .number()
        .int()
        .min(60)
        .max(172800)
        .optional()
        .meta({ description: "TTL of the delegation records, seconds.", componentDefault: DNS_DEFAULTS.ttl }),
    })
    .optional()
    .meta({
      description:
        "Create the NS record (and with DNSSEC the DS record) of the zone in the parent zone; not with `existingZoneId`. Default: none, delegate by hand.",
    }),
  /** Sign the zone with DNSSEC. @default false */
  dnssec: z.boolean().optional().meta({
    description:
      "Sign the zone with DNSSEC: a KMS key (ECC_NIST_P256, in us-east-1 as Route53 requires), a key-signing key, and the DS record in the parent zone.",
    componentDefault: DNS_DEFAULTS.dnssec,
  }),
  /** external-dns service account. @default external-dns/external-dns */
  externalDns: serviceAccount.optional().meta({
    description: `external-dns's service account: its IAM role trusts only this one (IRSA on EKS); off EKS the access key goes into Secret \`${DNS_DEFAULTS.externalDnsSecret}\` in its namespace.`,
    componentDefault: DNS_DEFAULTS.externalDns,
  }),
  /** cert-manager service account. @default cert-manager/cert-manager */
  certManager: serviceAccount.optional().meta({
    description: `cert-manager's service account: its IAM role trusts only this one (IRSA on EKS); off EKS the access key goes into Secret \`${DNS_DEFAULTS.certManagerSecret}\` in its namespace.`,
    componentDefault: DNS_DEFAULTS.certManager,
  }),
});
export type DnsConfig = z.infer<typeof dnsSchema>;

const generate = z.strictObject({
  /** Characters. */
  length: z
    .number()
    .int()
    .max(4096)
    .meta({ description: `Length of the value in characters, at least ${MIN_GENERATED_LENGTH}.` }),
  upper: z.boolean().optional().meta({ description: "Use upper-case letters. Default: `true`." }),
  lower: z.boolean().optional().meta({ description: "Use lower-case letters. Default: `true`." }),
  numeric: z.boolean().optional().meta({ description: "Use digits. Default: `true`." }),
  special: z.boolean().optional().meta({ description: "Use special characters. Default: `true`." }),
  overrideSpecial: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "The special characters to use instead of `@pulumi/random`'s default set." }),
  minUpper: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "At least this many upper-case letters. Default: `0`." }),
  minLower: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "At least this many lower-case letters. Default: `0`." }),
  minNumeric: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "At least this many digits. Default: `0`." }),
  minSpecial: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "At least this many special characters. Default: `0`." }),
});

/** One secret: exactly one of generate and value (checked by PlatformSecrets' own rules). */
const item = z.strictObject({
  description: z.string().optional().meta({
    description: "Description of the secret in Secrets Manager. Default: `<name>, managed by Pulumi`.",
  }),
  /** Generate the value with these character rules. */
  generate: generate.optional().meta({
    description:
      "Generate the value with `@pulumi/random`'s `RandomPassword` and these character rules; give this or `value`.",
  }),
  /** The value (`pulumi config set --secret --path 'secrets.items.<name>.value'`). */
  value: secret().optional().meta({ description: "The value of the secret; give this or `generate`." }),
});

/** `secrets`: Secrets Manager secrets under `<organization>/<platform>/`, and External Secrets Operator's access to them. */
export const secretsSchema = z.strictObject({
  /** Days a deleted secret can be restored: 0 (at once) or 7–30. @default 30 */
  recoveryWindowInDays: z.number().int().optional().meta({
    description:
      "Days a deleted secret can still be restored: 0 (deleted at once) or 7 to 30; the prod policy requires at least 7.",
    componentDefault: SECRETS_DEFAULTS.recoveryWindowInDays,
  }),
  /** Secrets by name under the prefix (letters, digits, `/_+=.@-`). @default {} */
  items: z.record(z.string(), item).optional().meta({
    description:
      "Secrets by name: each is the secret `<organization>/<name>/<key>`; keys are path segments of letters, digits and `/_+=.@-`. Give each exactly one of `generate` and `value`. Default: none.",
  }),
  /** External Secrets Operator's service account. @default external-secrets/external-secrets */
  externalSecrets: serviceAccount.optional().meta({
    description: `External Secrets Operator's service account: its IAM role trusts only this one (IRSA on EKS); off EKS the access key goes into Secret \`${SECRETS_DEFAULTS.credentialsSecret}\` in its namespace.`,
    componentDefault: SECRETS_DEFAULTS.externalSecrets,
  }),
});
export type SecretsConfig = z.infer<typeof secretsSchema>;
