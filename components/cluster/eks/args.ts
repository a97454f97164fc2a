import type { AwsContext } from "../../aws";

/** Kubernetes minor versions this code is tested with on EKS (standard support). */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"] as const;
export const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export const ADDON_NAMES = [
  "vpc-cni",
  "kube-proxy",
  "eks-pod-identity-agent",
  "coredns",
  "aws-ebs-csi-driver",
] as const;
/** Add-ons that run as DaemonSets and must exist before nodes can become Ready. */
export const ADDONS_BEFORE_NODES: readonly AddonName[] = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"];
export const AMI_TYPES = [
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "AL2023_x86_64_NVIDIA",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64",
] as const;
export type LogType = (typeof LOG_TYPES)[number];
export type AddonName = (typeof ADDON_NAMES)[number];

/** A VPC the component creates. */
export interface CreateVpcNetwork {
  /** Create the VPC. */
  mode: "create";
  /** VPC CIDR, e.g. 10.20.0.0/16. */
  cidr: string;
  /** 2 or 3 availability zone names; subnets are keyed by them. */
  availabilityZones: string[];
  /** Private subnet per AZ (same order). @default /18s from the start of the VPC CIDR (for a /16) */
  privateSubnetCidrs?: string[];
  /** Public subnet per AZ (same order). @default /20s in the last quarter of the VPC CIDR (for a /16) */
  publicSubnetCidrs?: string[];
  /** One NAT gateway per AZ (resilient) or a single one (cheaper). @default "perAz" */
  natGateways?: "perAz" | "single";
}

/** Subnets of an existing VPC. */
export interface ExistingVpcNetwork {
  /** Use subnets of a VPC that exists. */
  mode: "existing";
  /** The VPC, e.g. vpc-0abc1234def567890. */
  vpcId: string;
  /** Subnets for the control plane ENIs and the nodes, in at least two AZs. */
  privateSubnetIds: string[];
  /** Subnets for internet-facing load balancers. @default [] */
  publicSubnetIds?: string[];
}

export interface EndpointArgs {
  /** API endpoint reachable inside the VPC. @default true */
  privateAccess?: boolean;
  /** API endpoint reachable from the internet. @default false */
  publicAccess?: boolean;
  /** CIDRs allowed to reach the public endpoint. @default [] (with requirePublicAccessCidrs false: EKS's 0.0.0.0/0) */
  publicAccessCidrs?: string[];
  /** Refuse a public endpoint without publicAccessCidrs. @default true */
  requirePublicAccessCidrs?: boolean;
}

export interface AccessEntryArgs {
  /** IAM role or user ARN. */
  principalArn: string;
  /** Kubernetes groups for RBAC bindings of your own. @default [] */
  kubernetesGroups?: string[];
  /** EKS access policies by name (e.g. AmazonEKSClusterAdminPolicy); `namespaces` limits the scope. @default {AmazonEKSClusterAdminPolicy: {}} */
  policies?: Record<string, { namespaces?: string[] }>;
}

export interface NodeGroupArgs {
  /** Node group name; resources are keyed by it. */
  name: string;
  /** EC2 instance types. @default ["m6i.large"] */
  instanceTypes?: string[];
  /** @default "ON_DEMAND" */
  capacityType?: "ON_DEMAND" | "SPOT";
  /** Minimum nodes. */
  minSize: number;
  /** Nodes at creation (later changes are the autoscaler's). @default minSize */
  desiredSize?: number;
  /** Maximum nodes. */
  maxSize: number;
  /** Root volume size, GiB. @default 50 */
  diskSize?: number;
  /** Kubernetes node labels. @default {} */
  labels?: Record<string, string>;
  /** Kubernetes taints. @default [] */
  taints?: { key: string; value?: string; effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE" }[];
  /** @default "AL2023_x86_64_STANDARD" */
  amiType?: (typeof AMI_TYPES)[number];
  /** Nodes replaced at once during an update (give this or maxUnavailablePercentage). @default 1 */
  maxUnavailable?: number;
  /** Percentage of nodes replaced at once during an update. */
  maxUnavailablePercentage?: number;
}

export interface AddonArgs {
  /** Add-on version, e.g. v1.19.0-eksbuild.1. @default EKS's default for the cluster version */
  version?: string;
  /** Add-on configuration (JSON schema of `aws eks describe-addon-configuration`). */
  configurationValues?: Record<string, unknown>;
}

export interface EksClusterArgs {
  /** EKS cluster name. */
  clusterName: string;
  /** Kubernetes minor version. @default "1.34" */
  version?: string;
  /** Where the cluster lives: a VPC the component creates, or subnets of an existing one. */
  network: CreateVpcNetwork | ExistingVpcNetwork;
  /** API endpoint access. @default private only */
  endpoint?: EndpointArgs;
  /** KMS key for envelope encryption of Secrets. @default a key created with rotation on */
  kmsKeyArn?: string;
  /** Control plane log types sent to CloudWatch. @default ["api", "audit", "authenticator"] */
  logTypes?: LogType[];
  /** Access entries (authentication mode API), keyed by a stable name. @default {} */
  accessEntries?: Record<string, AccessEntryArgs>;
  /** Give the identity that creates the cluster admin access. @default true */
  bootstrapCreatorAdmin?: boolean;
  /** Refuse deletion of the cluster. @default true */
  deletionProtection?: boolean;
  /** Managed node groups (names unique). */
  nodeGroups: NodeGroupArgs[];
  /** EKS add-ons by name, merged over the defaults (all five, EKS default versions). */
  addons?: Partial<Record<AddonName, AddonArgs>>;
  /** How the kubeconfig authenticates (`aws eks get-token`). @default the caller's credentials */
  kubeconfig?: { roleArn?: string; profile?: string };
  /** Extra tags on the cluster's resources (the provider adds the platform tags). @default {} */
  tags?: Record<string, string>;
  /** AWS provider, region, account and partition of the platform. */
  aws: AwsContext;
}

export const DEFAULTS = {
  version: "1.34",
  endpoint: {
    privateAccess: true,
    publicAccess: false,
    publicAccessCidrs: [] as string[],
    requirePublicAccessCidrs: true,
  },
  logTypes: ["api", "audit", "authenticator"] as LogType[],
  bootstrapCreatorAdmin: true,
  deletionProtection: true,
  natGateways: "perAz" as const,
  accessPolicies: { AmazonEKSClusterAdminPolicy: {} } as Record<string, { namespaces?: string[] }>,
  nodeGroup: {
    instanceTypes: ["m6i.large"],
    capacityType: "ON_DEMAND" as const,
    diskSize: 50,
    amiType: "AL2023_x86_64_STANDARD" as const,
    maxUnavailable: 1,
  },
};
