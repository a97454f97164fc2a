import { z } from "zod";
import { k8sName, k8sNamespace, stringMap } from "./common";
import {
  ADDON_NAMES,
  EKS_DEFAULTS,
  LOG_TYPES,
  SUPPORTED_KUBERNETES_VERSIONS,
} from "../../components/cluster/eks";
import { ADDONS_BEFORE_NODES } from "../../components/cluster/eks/args";
import { nodeGroup } from "./eksNodeGroup";

const awsId = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: `must be an id such as ${example}` });
const iamPrincipalArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, {
  error: "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/platform-admins",
});
const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, { error: "must be a KMS key ARN" });
const network = z.discriminatedUnion(
  "mode",
  [
    z.strictObject({
      mode: z.literal("create").meta({
        description:
          "`create`: the component creates a VPC with a private and a public subnet, a route table and (per `natGateways`) a NAT gateway in each availability zone, and an internet gateway.",
      }),
      /** VPC CIDR, /16 to /22. */
      cidr: z.string().meta({ description: "IPv4 CIDR of the VPC, /16 to /22.", examples: ["10.20.0.0/16"] }),
      /** 2 or 3 availability zones of the region; subnets are keyed by them. */
      availabilityZones: z
        .array(
          z
            .string()
            .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { error: "must be an AZ name such as eu-central-1a" }),
        )
        .meta({
          description:
            "2 or 3 availability zones of the region; subnets, NAT gateways and route tables are keyed by AZ name.",
          examples: [["eu-central-1a", "eu-central-1b", "eu-central-1c"]],
        }),
      privateSubnetCidrs: z.array(z.string()).optional().meta({
        description:
          "One private subnet CIDR per availability zone, same order: the nodes and the control plane's network interfaces; tagged `kubernetes.io/role/internal-elb`. Default: /18s from the start of the VPC CIDR (for a /16).",
      }),
      publicSubnetCidrs: z.array(z.string()).optional().meta({
        description:
          "One public subnet CIDR per availability zone, same order: NAT gateways and internet-facing load balancers; tagged `kubernetes.io/role/elb`. Default: /20s in the last quarter of the VPC CIDR (for a /16).",
      }),
      natGateways: z.enum(["perAz", "single"], { error: "must be perAz or single" }).optional().meta({
        description: "One NAT gateway per availability zone (resilient), or a single one for all (cheaper).",
        componentDefault: EKS_DEFAULTS.natGateways,
      }),
    }),
    z.strictObject({
      mode: z
        .literal("existing")
        .meta({ description: "`existing`: the cluster uses subnets of a VPC you already have." }),
      vpcId: awsId("vpc", "vpc-0abc1234def567890").meta({
        description: "Your VPC.",
        examples: ["vpc-0abc1234def567890"],
      }),
      privateSubnetIds: z.array(awsId("subnet", "subnet-0abc1234def567890")).meta({
        description:
          "Subnets for the nodes and the control plane's network interfaces, in at least two availability zones. The program tags them `kubernetes.io/role/internal-elb` and `kubernetes.io/cluster/<name>: shared` (`ec2.Tag`).",
      }),
      publicSubnetIds: z.array(awsId("subnet", "subnet-0abc1234def567890")).optional().meta({
        description:
          "Subnets for internet-facing load balancers; tagged `kubernetes.io/role/elb` and `kubernetes.io/cluster/<name>: shared`. Default: none (`[]`).",
      }),
    }),
  ],
  { error: "mode must be create (a new VPC) or existing (subnets of your VPC)" },
);

const addonNames = z.enum(ADDON_NAMES, { error: `must be one of ${ADDON_NAMES.join(", ")}` });

/** `cluster.kind: eks`: an EKS cluster (see components/cluster/eks/args.ts for every field's default). */
export const eksClusterSchema = z.strictObject({
  kind: z.literal("eks").meta({
    description:
      "`eks`: an EKS cluster built from `@pulumi/aws` resources (VPC created or existing, KMS envelope encryption, endpoint access, control-plane logs, access entries, managed node groups, add-ons, the OIDC provider for IRSA). The stack output `kubeconfig` (secret) runs `aws eks get-token` and holds no credential. See [EKS and AWS](eks.md).",
  }),
  /** EKS cluster name. @default the platform name */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,55}$/, {
      error:
        "must be lowercase letters, digits and '-', at most 56 characters (IAM role names <name>-cluster and <name>-ebs-csi are limited to 64)",
    })
    .optional()
    .meta({
      description:
        "EKS cluster name (`CLUSTER_NAME`), at most 56 characters so the IAM roles `<name>-cluster`, `<name>-node` and `<name>-ebs-csi` fit AWS's 64. Default: the platform `name`.",
    }),
  /** Kubernetes minor version, e.g. "1.34" (checked against the supported list). */
  version: z
    .string({ error: 'must be a quoted minor version such as "1.34"' })
    .regex(/^\d+\.\d+$/, { error: 'must be a minor version such as "1.34"' })
    .optional()
    .meta({
      description: `Kubernetes minor version of the control plane and the node groups, quoted: one of ${SUPPORTED_KUBERNETES_VERSIONS.map((v) => `"${v}"`).join(", ")}.`,
      componentDefault: EKS_DEFAULTS.version,
    }),
  network: network.meta({
    description:
      "Where the cluster lives: a VPC the component creates (`mode: create`) or subnets of one you have (`mode: existing`).",
  }),
  endpoint: z
    .strictObject({
      privateAccess: z.boolean().optional().meta({
        description: "The API endpoint is reachable inside the VPC.",
        componentDefault: EKS_DEFAULTS.endpoint.privateAccess,
      }),
      publicAccess: z.boolean().optional().meta({
        description: "The API endpoint is reachable from the internet.",
        componentDefault: EKS_DEFAULTS.endpoint.publicAccess,
      }),
      publicAccessCidrs: z.array(z.string()).optional().meta({
        description: "CIDRs allowed to reach the public endpoint.",
        componentDefault: EKS_DEFAULTS.endpoint.publicAccessCidrs,
      }),
      requirePublicAccessCidrs: z.boolean().optional().meta({
        description:
          "Refuse a public endpoint without `publicAccessCidrs`; `false` allows EKS's default, 0.0.0.0/0.",
        componentDefault: EKS_DEFAULTS.endpoint.requirePublicAccessCidrs,
      }),
    })
    .optional()
    .meta({ description: "Who can reach the Kubernetes API endpoint. Default: inside the VPC only." }),
  /** An existing KMS key for Secrets encryption; by default one is created with rotation on. */
  kmsKeyArn: kmsKeyArn.optional().meta({
    description:
      "An existing KMS key for envelope encryption of Kubernetes Secrets; the control plane role may use this key only. Default: a key created with rotation on.",
  }),
  logTypes: z
    .array(z.enum(LOG_TYPES, { error: `must be one of ${LOG_TYPES.join(", ")}` }))
    .optional()
    .meta({ description: "Control plane logs sent to CloudWatch.", componentDefault: EKS_DEFAULTS.logTypes }),
  accessEntries: z
    .record(
      k8sName(),
      z.strictObject({
        principalArn: iamPrincipalArn.meta({
          description: "The IAM role or user given access.",
          examples: ["arn:aws:iam::123456789012:role/platform-admins"],
        }),
        kubernetesGroups: z.array(z.string().min(1)).optional().meta({
          description: "Kubernetes groups of the principal, for RBAC bindings of your own. Default: none.",
        }),
        policies: z
          .record(
            z.string().regex(/^AmazonEKS[A-Za-z]+Policy$/, {
              error: "must be an EKS access policy name such as AmazonEKSClusterAdminPolicy",
            }),
            z.strictObject({
              namespaces: z
                .array(k8sNamespace())
                .optional()
                .meta({ description: "Limit the policy to these namespaces. Default: the whole cluster." }),
            }),
          )
          .optional()
          .meta({
            description: "EKS access policies by name, e.g. `AmazonEKSViewPolicy: {namespaces: [apps]}`.",
            componentDefault: EKS_DEFAULTS.accessPolicies,
          }),
      }),
    )
    .optional()
    .meta({
      description:
        "Who may use the Kubernetes API (authentication mode `API`): access entries keyed by a stable name of your choice. Default: none besides the creator (`bootstrapCreatorAdmin`).",
    }),
  bootstrapCreatorAdmin: z.boolean().optional().meta({
    description:
      "The identity running `pulumi up` gets cluster admin; do not also list it in `accessEntries`.",
    componentDefault: EKS_DEFAULTS.bootstrapCreatorAdmin,
  }),
  deletionProtection: z.boolean().optional().meta({
    description: "EKS refuses to delete the cluster.",
    componentDefault: EKS_DEFAULTS.deletionProtection,
  }),
  nodeGroups: z
    .array(nodeGroup, {
      error: "is required: a list of managed node groups (name, minSize, maxSize, …)",
    })
    .meta({
      description:
        "Managed node groups in the private subnets, at least one, names unique; each is keyed by its `name`.",
    }),
  addons: z
    .partialRecord(
      addonNames,
      z.strictObject({
        version: z
          .string()
          .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, {
            error: "must be an add-on version such as v1.19.0-eksbuild.1",
          })
          .optional()
          .meta({
            description: "Add-on version. Default: EKS's default for the cluster version.",
            examples: ["v1.19.0-eksbuild.1"],
          }),
        configurationValues: z.record(z.string(), z.unknown()).optional().meta({
          description:
            "Add-on configuration, as `aws eks describe-addon-configuration` describes it; a credential in it is refused ([credentials](credentials.md)). Default: none.",
        }),
      }),
    )
    .optional()
    .meta({
      description: `Settings of the EKS add-ons by name. All ${ADDON_NAMES.length} are always installed (${ADDON_NAMES.join(", ")}): ${ADDONS_BEFORE_NODES.join(", ")} before the nodes, the others after them; the EBS CSI driver gets an IRSA role.`,
    }),
  kubeconfig: z
    .strictObject({
      roleArn: iamPrincipalArn
        .optional()
        .meta({ description: "IAM role `aws eks get-token` assumes (`--role-arn`)." }),
      profile: z
        .string()
        .min(1)
        .optional()
        .meta({ description: "AWS CLI profile `aws eks get-token` uses (`AWS_PROFILE`)." }),
    })
    .optional()
    .meta({
      description:
        "How the exported kubeconfig's `aws eks get-token` authenticates. Default: the caller's credentials.",
    }),
  tags: stringMap().optional().meta({
    description:
      "Extra tags on the cluster's resources (the provider adds the platform tags). Default: none.",
  }),
});
export type EksClusterConfig = z.infer<typeof eksClusterSchema>;
