export {
  PlatformDns,
  DNS_DEFAULTS,
  resolvePlatformDnsArgs,
  type PlatformDnsArgs,
  type ServiceAccountRef,
} from "./dns";
export {
  certManagerPolicy,
  dnssecKeyPolicy,
  externalDnsOwnerId,
  externalDnsPolicy,
  hostedZoneArn,
  isUnderDomain,
} from "./policies";
