/** EKS guardrails: Secrets encryption, API endpoint exposure, control-plane logging, version window, node IPs. */
import type { PolicyResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import {
  asList,
  asRecord,
  configWithDefaults,
  listText,
  type PlatformResourcePolicy,
  type PlatformStackPolicy,
} from "./common";

export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

export const eksSecretsEncryption: PlatformResourcePolicy = {
  name: "eks-secrets-encryption",
  description: "EKS clusters encrypt Kubernetes Secrets with a KMS key (envelope encryption).",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (args.type !== EKS_CLUSTER) return;
    const enc = asRecord(args.props.encryptionConfig);
    const rule = "EKS clusters must encrypt Kubernetes Secrets with a KMS key";
    if (!enc) {
      report(
        `${rule}: encryptionConfig is not set; set encryptionConfig { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.`,
      );
    } else if (!asList(enc.resources).includes("secrets")) {
      report(`${rule}: encryptionConfig.resources does not list "secrets"; set resources to ["secrets"].`);
    }
  },
};

export interface EksPublicEndpointConfig {
  /** CIDRs the public API endpoint may be opened to; empty means the endpoint must be private. */
  allowedPublicCidrs: string[];
}
const ENDPOINT_DEFAULTS: EksPublicEndpointConfig = { allowedPublicCidrs: [] };

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Whether IPv4 CIDR `inner` lies within `outer` (other forms: exact match only). */
export function cidrWithin(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  const [ia, ib] = inner.split("/");
  const [oa, ob] = outer.split("/");
  const i = ipv4ToInt(ia);
  const o = ipv4ToInt(oa);
  const ibits = Number(ib ?? 32);
  const obits = Number(ob ?? 32);
  if (i === undefined || o === undefined || !(ibits >= obits) || obits > 32) return false;
  const size = 2 ** (32 - obits);
  return Math.floor(i / size) === Math.floor(o / size);
}

export const eksPublicEndpoint: PlatformResourcePolicy = {
  name: "eks-public-endpoint",
  description: "The EKS API endpoint is private, or public only to the CIDRs the policy config lists.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedPublicCidrs: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== EKS_CLUSTER) return;
    const cfg = configWithDefaults(ENDPOINT_DEFAULTS, args.getConfig<Partial<EksPublicEndpointConfig>>());
    const vpc = asRecord(args.props.vpcConfig) ?? {};
    if (vpc.endpointPublicAccess === false) return;
    const rule = "The EKS API endpoint must be private or restricted to listed CIDRs";
    const cidrs = asList(vpc.publicAccessCidrs).map(String);
    const allowed = cfg.allowedPublicCidrs;
    const open = cidrs.length === 0 || cidrs.some((c) => c === "0.0.0.0/0" || c === "::/0");
    if (open) {
      report(
        `${rule}: the public endpoint is open to 0.0.0.0/0 (endpointPublicAccess defaults to true); ` +
          `set vpcConfig.endpointPublicAccess to false with endpointPrivateAccess true, or set ` +
          `vpcConfig.publicAccessCidrs to CIDRs listed in this policy's allowedPublicCidrs.`,
      );
      return;
    }
    const stray = cidrs.filter((c) => !allowed.some((a) => cidrWithin(c, a)));
    if (stray.length)
      report(
        `${rule}: publicAccessCidrs ${listText(stray)} ${stray.length === 1 ? "is" : "are"} not within ` +
          `allowedPublicCidrs (${allowed.length ? allowed.join(", ") : "none allowed"}); remove ` +
          `${stray.length === 1 ? "it" : "them"}, or add ${stray.length === 1 ? "it" : "them"} to allowedPublicCidrs in the policy config.`,
      );
  },
};

export interface EksLoggingConfig {
  /** Control-plane log types that must be enabled. */
  requiredLogTypes: string[];
}
const LOGGING_DEFAULTS: EksLoggingConfig = { requiredLogTypes: ["api", "audit", "authenticator"] };

export const eksControlPlaneLogging: PlatformResourcePolicy = {
  name: "eks-control-plane-logging",
  description: "EKS control-plane logging includes the api, audit and authenticator logs.",
  severity: "medium",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      requiredLogTypes: {
        type: "array",
        items: { type: "string", enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"] },
        default: LOGGING_DEFAULTS.requiredLogTypes,
      },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== EKS_CLUSTER) return;
    const cfg = configWithDefaults(LOGGING_DEFAULTS, args.getConfig<Partial<EksLoggingConfig>>());
    const enabled = asList(args.props.enabledClusterLogTypes).map(String);
    const missing = cfg.requiredLogTypes.filter((t) => !enabled.includes(t));
    if (missing.length)
      report(
        `EKS control-plane logging must include ${listText(cfg.requiredLogTypes)}: ${listText(missing)} ` +
          `${missing.length === 1 ? "is" : "are"} not enabled; add ${missing.length === 1 ? "it" : "them"} to enabledClusterLogTypes.`,
      );
  },
};

export interface EksVersionConfig {
  /** Oldest Kubernetes minor version allowed, e.g. "1.32". */
  minVersion: string;
  /** Newest Kubernetes minor version allowed, e.g. "1.35". */
  maxVersion: string;
}
const VERSION_DEFAULTS: EksVersionConfig = { minVersion: "1.32", maxVersion: "1.35" };

/** `1.33` → [1, 33]; undefined for anything else. */
export function parseMinor(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const cmpMinor = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

export const eksKubernetesVersion: PlatformResourcePolicy = {
  name: "eks-kubernetes-version",
  description: "EKS clusters and node groups run a pinned Kubernetes version within the supported window.",
  severity: "medium",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      minVersion: { type: "string", pattern: "^\\d+\\.\\d+$", default: VERSION_DEFAULTS.minVersion },
      maxVersion: { type: "string", pattern: "^\\d+\\.\\d+$", default: VERSION_DEFAULTS.maxVersion },
    },
  },
  validateResource: (args, report) => checkVersion(args, report),
};

function checkVersion(args: ResourceValidationArgs, report: ReportViolation): void {
  const isCluster = args.type === EKS_CLUSTER;
  if (!isCluster && args.type !== EKS_NODE_GROUP) return;
  const cfg = configWithDefaults(VERSION_DEFAULTS, args.getConfig<Partial<EksVersionConfig>>());
  const window = `${cfg.minVersion} to ${cfg.maxVersion}`;
  const rule = `EKS Kubernetes versions must be pinned within the supported window ${window}`;
  const version = args.props.version;
  if (version === undefined) {
    // A node group without a version follows its cluster, which is checked itself.
    if (isCluster)
      report(`${rule}: version is not set, so EKS picks its default; set version, e.g. "${cfg.maxVersion}".`);
    return;
  }
  const parsed = parseMinor(String(version));
  const min = parseMinor(cfg.minVersion);
  const max = parseMinor(cfg.maxVersion);
  if (!parsed) {
    report(
      `${rule}: version "${String(version)}" is not a Kubernetes minor version; set a version such as "${cfg.maxVersion}".`,
    );
  } else if (min && cmpMinor(parsed, min) < 0) {
    report(
      `${rule}: version ${String(version)} is older than ${cfg.minVersion}; upgrade to a version within ${window}.`,
    );
  } else if (max && cmpMinor(parsed, max) > 0) {
    report(
      `${rule}: version ${String(version)} is newer than ${cfg.maxVersion}; use a version within ${window}, or raise maxVersion in the policy config once it is supported.`,
    );
  }
}

export const eksNodesNoPublicIp: PlatformResourcePolicy = {
  name: "eks-nodes-no-public-ip",
  description: "Worker nodes get no public IP addresses (launch templates do not associate one).",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (args.type !== LAUNCH_TEMPLATE) return;
    const nics = asList(args.props.networkInterfaces);
    nics.forEach((nic, i) => {
      const v = asRecord(nic)?.associatePublicIpAddress;
      if (v === true || v === "true")
        report(
          `Worker nodes must not get public IP addresses: networkInterfaces[${i}].associatePublicIpAddress is true; ` +
            `set it to false and place node groups in private subnets.`,
        );
    });
  },
};

export const SUBNET = "aws:ec2/subnet:Subnet";

/**
 * The Subnet resources a node group's `subnetIds` point at: through the engine's property
 * dependencies, or by the subnet's id when the engine knows it (outputs of an existing stack).
 */
export function nodeGroupSubnets(nodeGroup: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
  const ids = asList(nodeGroup.props.subnetIds).map(String);
  const viaDeps = (nodeGroup.propertyDependencies?.subnetIds ?? []).filter((r) => r.type === SUBNET);
  const viaIds = resources.filter(
    (r) => r.type === SUBNET && typeof r.props.id === "string" && ids.includes(r.props.id),
  );
  return [...new Map([...viaDeps, ...viaIds].map((r) => [r.urn, r])).values()];
}

export const eksNodeSubnetsPrivate: PlatformStackPolicy = {
  name: "eks-node-subnets-private",
  description: "EKS node groups run in subnets that do not assign public IP addresses on launch.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    for (const ng of args.resources.filter((r) => r.type === EKS_NODE_GROUP))
      for (const subnet of nodeGroupSubnets(ng, args.resources).filter(
        (s) => s.props.mapPublicIpOnLaunch === true,
      ))
        report(
          `Worker nodes must not get public IP addresses: node group ${ng.name} uses subnet ${subnet.name}, which sets ` +
            `mapPublicIpOnLaunch true; place node groups in private subnets.`,
          ng.urn,
        );
  },
};

export const eksPolicies = [
  eksSecretsEncryption,
  eksPublicEndpoint,
  eksControlPlaneLogging,
  eksKubernetesVersion,
  eksNodesNoPublicIp,
  eksNodeSubnetsPrivate,
];
