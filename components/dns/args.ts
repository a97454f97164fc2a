import type * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../aws";
import type * as aws from "../aws/sdk";
import { throwIfProblems, type Problem } from "../problems";
import { isUnderDomain } from "./policies";

export interface ServiceAccountRef {
  /** Namespace of the service account. */
  namespace: string;
  /** Service account name. */
  serviceAccount: string;
}

export interface PlatformDnsArgs {
  /** The platform's zone, e.g. `de-dev.telco.example.com`. */
  zoneName: string;
  /** The parent domain the zone is delegated from, e.g. `telco.example.com`. */
  parentDomain: string;
  /** Adopt this hosted zone instead of creating one. @default a zone is created */
  existingZoneId?: string;
  /** NS (and with DNSSEC, DS) records in the parent zone. @default none: delegate by hand */
  delegation?: {
    parentZoneId: string;
    /** TTL of the delegation records, seconds. @default 3600 */
    ttl?: number;
    /** Provider for the parent zone's account. @default the platform provider */
    provider?: aws.Provider;
  };
  /** Sign the zone with DNSSEC (KMS key in us-east-1, as Route53 requires). @default false */
  dnssec?: boolean;
  /** external-dns service account. @default external-dns/external-dns */
  externalDns?: ServiceAccountRef;
  /** cert-manager service account. @default cert-manager/cert-manager */
  certManager?: ServiceAccountRef;
  /** Prefix of IAM role/user names, e.g. the platform name. */
  iamPrefix: string;
  /** IRSA facts of an EKS cluster; without them the identities are IAM users with access keys. */
  oidc?: { providerArn: pulumi.Input<string>; issuerUrl: pulumi.Input<string> };
  /** The platform's AWS provider, region, account and partition. */
  aws: AwsContext;
}

/** Defaults of every optional field, in one place (the config schema reads them too). */
export const DEFAULTS = {
  ttl: 3600,
  dnssec: false,
  externalDns: { namespace: "external-dns", serviceAccount: "external-dns" },
  certManager: { namespace: "cert-manager", serviceAccount: "cert-manager" },
  /** Names of the access-key Secrets of IAM-user identities (in the service account's namespace). */
  externalDnsSecret: "external-dns-aws-credentials",
  certManagerSecret: "cert-manager-aws-credentials",
};

/** Every problem with the arguments (paths relative to them); the program adds its `dns.` prefix. */
export function platformDnsProblems(
  args: Pick<PlatformDnsArgs, "zoneName" | "parentDomain" | "existingZoneId" | "delegation">,
): Problem[] {
  const out: Problem[] = [];
  if (!isUnderDomain(args.zoneName, args.parentDomain))
    out.push({
      path: "zoneName",
      message: `zone ${args.zoneName} is not under the parent domain ${args.parentDomain}: use a zone name ending in .${args.parentDomain}`,
    });
  if (args.existingZoneId && args.delegation)
    out.push({
      path: "delegation",
      message:
        "is for a zone the program creates; an adopted zone (existingZoneId) is delegated already: remove one",
    });
  return out;
}

/** Args with DEFAULTS applied; throws one ArgsError listing every problem. */
export function resolvePlatformDnsArgs(args: PlatformDnsArgs, name?: string) {
  throwIfProblems("PlatformDns", name, platformDnsProblems(args));
  return {
    ...args,
    dnssec: args.dnssec ?? DEFAULTS.dnssec,
    externalDns: args.externalDns ?? DEFAULTS.externalDns,
    certManager: args.certManager ?? DEFAULTS.certManager,
    delegation: args.delegation && { ...args.delegation, ttl: args.delegation.ttl ?? DEFAULTS.ttl },
  };
}
