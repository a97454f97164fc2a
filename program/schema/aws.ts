import { z } from "zod";
import { k8sName, k8sNamespace, secret } from "./common";

const domain = z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  error: "must be a lowercase DNS name without trailing dot, e.g. telco.example.com",
});
const zoneId = z
  .string()
  .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ" });
const serviceAccount = z.strictObject({
  /** Namespace of the service account. */
  namespace: k8sNamespace(),
  /** Service account name. */
  serviceAccount: k8sName(),
});

/** `dns`: the platform's Route53 zone `<platform>.<parentDomain>` and the identities that may change it. */
export const dnsSchema = z.strictObject({
  /** The domain the platform's zone is delegated from, e.g. telco.example.com. */
  parentDomain: domain,
  /** The platform's zone. @default <platform name>.<parentDomain> */
  zoneName: domain.optional(),
  /** Adopt this existing hosted zone instead of creating one. */
  existingZoneId: zoneId.optional(),
  /** Create the NS (and DS) records in the parent zone. */
  delegation: z
    .strictObject({
      parentZoneId: zoneId,
      /** Role to assume for the parent zone when it lives in another account. */
      roleArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
          error: "must be an IAM role ARN, e.g. arn:aws:iam::210987654321:role/dns-delegation",
        })
        .optional(),
      /** TTL of the delegation records, seconds. @default 3600 */
      ttl: z.number().int().min(60).max(172800).optional(),
    })
    .optional(),
  /** Sign the zone with DNSSEC. @default false */
  dnssec: z.boolean().optional(),
  /** external-dns service account. @default external-dns/external-dns */
  externalDns: serviceAccount.optional(),
  /** cert-manager service account. @default cert-manager/cert-manager */
  certManager: serviceAccount.optional(),
});
export type DnsConfig = z.infer<typeof dnsSchema>;

const generate = z.strictObject({
  /** Characters. */
  length: z.number().int().max(4096),
  upper: z.boolean().optional(),
  lower: z.boolean().optional(),
  numeric: z.boolean().optional(),
  special: z.boolean().optional(),
  overrideSpecial: z.string().min(1).optional(),
  minUpper: z.number().int().min(0).optional(),
  minLower: z.number().int().min(0).optional(),
  minNumeric: z.number().int().min(0).optional(),
  minSpecial: z.number().int().min(0).optional(),
});

/** One secret: exactly one of generate and value (checked by PlatformSecrets' own rules). */
const item = z.strictObject({
  description: z.string().optional(),
  /** Generate the value with these character rules. */
  generate: generate.optional(),
  /** The value (`pulumi config set --secret --path 'secrets.items.<name>.value'`). */
  value: secret().optional(),
});

/** `secrets`: Secrets Manager secrets under `<organization>/<platform>/`, and External Secrets Operator's access to them. */
export const secretsSchema = z.strictObject({
  /** Days a deleted secret can be restored: 0 (at once) or 7–30. @default 30 */
  recoveryWindowInDays: z.number().int().optional(),
  /** Secrets by name under the prefix (letters, digits, `/_+=.@-`). @default {} */
  items: z.record(z.string(), item).optional(),
  /** External Secrets Operator's service account. @default external-secrets/external-secrets */
  externalSecrets: serviceAccount.optional(),
});
export type SecretsConfig = z.infer<typeof secretsSchema>;
