export { PlatformDns } from "./dns";
export {
  DEFAULTS as DNS_DEFAULTS,
  platformDnsProblems,
  resolvePlatformDnsArgs,
  type PlatformDnsArgs,
  type ServiceAccountRef,
} from "./args";
export {
  certManagerPolicy,
  dnssecKeyPolicy,
  externalDnsOwnerId,
  externalDnsPolicy,
  hostedZoneArn,
  isUnderDomain,
} from "./policies";
