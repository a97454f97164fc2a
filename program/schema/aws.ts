import { z } from "zod";
import { k8sName, k8sNamespace, secret } from "./common";
import type { PlatformConfig } from "../config";
import type { ConfigProblem } from "../validate";
import { isUnderDomain } from "../../components/dns/policies";
import { DNS_DEFAULTS } from "../../components/dns/dns";
import { SECRETS_DEFAULTS } from "../../components/secrets/secrets";

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
  length: z.number().int().min(8, { error: "must be at least 8" }).max(4096),
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

const item = z
  .strictObject({
    description: z.string().optional(),
    /** Generate the value with these character rules. */
    generate: generate.optional(),
    /** The value (`pulumi config set --secret --path 'secrets.items.<name>.value'`). */
    value: secret().optional(),
  })
  .refine((i) => (i.generate === undefined) !== (i.value === undefined), {
    error: "give exactly one of generate (a generated value) and value (a secure config value)",
  });

/** `secrets`: Secrets Manager secrets under `<organization>/<platform>/`, and External Secrets Operator's access to them. */
export const secretsSchema = z.strictObject({
  /** Days a deleted secret can be restored: 0 (at once) or 7–30. @default 30 */
  recoveryWindowInDays: z
    .number()
    .int()
    .refine((d) => d === 0 || (d >= 7 && d <= 30), { error: "must be 0 (delete at once) or 7 to 30 days" })
    .optional(),
  /** Secrets by name under the prefix (letters, digits, `/_+=.@-`). @default {} */
  items: z
    .record(
      z.string().regex(/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/, {
        error: "secret names use letters, digits and /_+=.@- (no leading or trailing /)",
      }),
      item,
    )
    .optional(),
  /** External Secrets Operator's service account. @default external-secrets/external-secrets */
  externalSecrets: serviceAccount.optional(),
});
export type SecretsConfig = z.infer<typeof secretsSchema>;

/** The platform zone name: configured, or `<platform>.<parentDomain>`. */
export const zoneNameOf = (config: Pick<PlatformConfig, "name">, dns: DnsConfig) =>
  dns.zoneName ?? `${config.name}.${dns.parentDomain}`;

/** Cross-field rules of `dns`. */
export function checkDns(config: PlatformConfig): ConfigProblem[] {
  const dns = config.dns;
  if (!dns) return [];
  const out: ConfigProblem[] = [];
  const zone = zoneNameOf(config, dns);
  if (!isUnderDomain(zone, dns.parentDomain))
    out.push({
      path: dns.zoneName ? "dns.zoneName" : "dns.parentDomain",
      message: `zone ${zone} is not under the parent domain ${dns.parentDomain}: use a zone name ending in .${dns.parentDomain}`,
    });
  if (dns.existingZoneId && dns.delegation)
    out.push({
      path: "dns.delegation",
      message:
        "is for a zone the program creates; an adopted zone (existingZoneId) is delegated already: remove one",
    });
  return out;
}

/** `flux.auth.fromSecretsManager` replaces the configured credential: never both. */
export function checkFluxSecretsManager({ flux }: PlatformConfig): ConfigProblem[] {
  const auth = flux.auth;
  if ((auth.type !== "ssh" && auth.type !== "https") || !auth.fromSecretsManager) return [];
  const out: ConfigProblem[] = [];
  const given =
    auth.type === "ssh"
      ? { privateKey: auth.privateKey }
      : { password: auth.password, bearerToken: auth.bearerToken };
  for (const [k, v] of Object.entries(given))
    if (v !== undefined)
      out.push({
        path: `flux.auth.${k}`,
        message: "is also read from Secrets Manager (fromSecretsManager): give one of them",
      });
  if (auth.type === "https" && !auth.username)
    out.push({
      path: "flux.auth.username",
      message:
        "is required with fromSecretsManager, which supplies the password (for a token, any non-empty username such as git works)",
    });
  return out;
}

/** On non-EKS substrates the program creates the access-key Secrets; extra secrets may not take their names. */
export function checkAwsCredentialSecrets(config: PlatformConfig): ConfigProblem[] {
  if (config.cluster.kind === "eks") return [];
  const taken = new Map<string, string>();
  if (config.dns) {
    const ed = config.dns.externalDns?.namespace ?? DNS_DEFAULTS.externalDns.namespace;
    const cm = config.dns.certManager?.namespace ?? DNS_DEFAULTS.certManager.namespace;
    taken.set(`${ed}/${DNS_DEFAULTS.externalDnsSecret}`, "external-dns");
    taken.set(`${cm}/${DNS_DEFAULTS.certManagerSecret}`, "cert-manager");
  }
  if (config.secrets) {
    const ns = config.secrets.externalSecrets?.namespace ?? SECRETS_DEFAULTS.externalSecrets.namespace;
    taken.set(`${ns}/${SECRETS_DEFAULTS.credentialsSecret}`, "External Secrets Operator");
  }
  return config.flux.extraSecrets.flatMap((s, i) => {
    const owner = taken.get(`${s.namespace}/${s.name}`);
    return owner
      ? [
          {
            path: `flux.extraSecrets.${i}.name`,
            message: `${s.namespace}/${s.name} holds the AWS access key of ${owner}, created by the program: choose another name`,
          },
        ]
      : [];
  });
}
