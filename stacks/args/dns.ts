import type { PlatformConfig } from "../schema/platform";
import { platformDnsProblems, type PlatformDnsArgs } from "../../components/dns";
import { prefixProblems, type Problem } from "../../components/problems";

type DnsConfig = NonNullable<PlatformConfig["dns"]>;

/** The platform zone name: configured, or `<platform>.<parentDomain>`. */
export const zoneNameOf = (config: Pick<PlatformConfig, "name">, dns: DnsConfig) =>
  dns.zoneName ?? `${config.name}.${dns.parentDomain}`;

/** What the composition adds to the mapped arguments: resources and facts known only at deploy time. */
export type DnsDeployArgs = Pick<PlatformDnsArgs, "aws" | "oidc"> & {
  /** Provider for the parent zone's account (`dns.delegation.roleArn`). */
  parentProvider?: NonNullable<PlatformDnsArgs["delegation"]>["provider"];
};

/** PlatformDns arguments from the `dns` section (without what only the composition knows). */
export function platformDnsArgs(
  config: PlatformConfig,
  dns: DnsConfig,
): Omit<PlatformDnsArgs, "aws" | "oidc"> {
  return {
    zoneName: zoneNameOf(config, dns),
    parentDomain: dns.parentDomain,
    existingZoneId: dns.existingZoneId,
    delegation: dns.delegation && { parentZoneId: dns.delegation.parentZoneId, ttl: dns.delegation.ttl },
    dnssec: dns.dnssec,
    externalDns: dns.externalDns,
    certManager: dns.certManager,
    iamPrefix: config.name,
  };
}

/** The component's own checks of the `dns` section, under `dns.`. */
export function dnsConfigProblems(config: PlatformConfig): Problem[] {
  const dns = config.dns;
  if (!dns) return [];
  // An unset zoneName is derived from parentDomain: point the user at the key they wrote.
  const problems = platformDnsProblems(platformDnsArgs(config, dns)).map((p) =>
    p.path === "zoneName" && dns.zoneName === undefined ? { ...p, path: "parentDomain" } : p,
  );
  return prefixProblems("dns", problems);
}
