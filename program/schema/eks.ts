import { z } from "zod";
import { k8sName, k8sNamespace, stringMap } from "./common";
import { ADDON_NAMES, AMI_TYPES, LOG_TYPES } from "../../components/cluster/eks";

const awsId = (prefix: string, example: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: `must be an id such as ${example}` });
const iamPrincipalArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, {
  error: "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/platform-admins",
});
const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, { error: "must be a KMS key ARN" });
const size = (what: string) =>
  z
    .number({ error: `must be a number of ${what}` })
    .int()
    .min(0);

const network = z.discriminatedUnion(
  "mode",
  [
    z.strictObject({
      mode: z.literal("create"),
      /** VPC CIDR, /16 to /22. */
      cidr: z.string(),
      /** 2 or 3 availability zones of the region; subnets are keyed by them. */
      availabilityZones: z.array(
        z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { error: "must be an AZ name such as eu-central-1a" }),
      ),
      privateSubnetCidrs: z.array(z.string()).optional(),
      publicSubnetCidrs: z.array(z.string()).optional(),
      natGateways: z.enum(["perAz", "single"], { error: "must be perAz or single" }).optional(),
    }),
    z.strictObject({
      mode: z.literal("existing"),
      vpcId: awsId("vpc", "vpc-0abc1234def567890"),
      privateSubnetIds: z.array(awsId("subnet", "subnet-0abc1234def567890")),
      publicSubnetIds: z.array(awsId("subnet", "subnet-0abc1234def567890")).optional(),
    }),
  ],
  { error: "mode must be create (a new VPC) or existing (subnets of your VPC)" },
);

const nodeGroup = z.strictObject({
  /** Node group name; also its key (resources are keyed by it). */
  name: k8sName().max(63),
  instanceTypes: z
    .array(
      z
        .string()
        .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, { error: "must be an EC2 instance type such as m6i.large" }),
    )
    .min(1)
    .optional(),
  capacityType: z.enum(["ON_DEMAND", "SPOT"], { error: "must be ON_DEMAND or SPOT" }).optional(),
  minSize: size("nodes"),
  desiredSize: size("nodes").optional(),
  maxSize: size("nodes"),
  /** Root volume, GiB. */
  diskSize: z.number().int().min(20, { error: "must be at least 20 GiB" }).optional(),
  labels: stringMap().optional(),
  taints: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        value: z.string().optional(),
        effect: z.enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], {
          error: "must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE (the EKS API spelling)",
        }),
      }),
    )
    .optional(),
  amiType: z.enum(AMI_TYPES, { error: `must be one of ${AMI_TYPES.join(", ")}` }).optional(),
  maxUnavailable: z.number().int().min(1).optional(),
  maxUnavailablePercentage: z.number().int().min(1).max(100).optional(),
});

const addonNames = z.enum(ADDON_NAMES, { error: `must be one of ${ADDON_NAMES.join(", ")}` });

/** `cluster.kind: eks`: an EKS cluster (see components/cluster/eks/args.ts for every field's default). */
export const eksClusterSchema = z.strictObject({
  kind: z.literal("eks"),
  /** EKS cluster name. @default the platform name */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,55}$/, {
      error:
        "must be lowercase letters, digits and '-', at most 56 characters (IAM role names <name>-cluster and <name>-ebs-csi are limited to 64)",
    })
    .optional(),
  /** Kubernetes minor version, e.g. "1.34" (checked against the supported list). */
  version: z
    .string({ error: 'must be a quoted minor version such as "1.34"' })
    .regex(/^\d+\.\d+$/, { error: 'must be a minor version such as "1.34"' })
    .optional(),
  network,
  endpoint: z
    .strictObject({
      privateAccess: z.boolean().optional(),
      publicAccess: z.boolean().optional(),
      publicAccessCidrs: z.array(z.string()).optional(),
      requirePublicAccessCidrs: z.boolean().optional(),
    })
    .optional(),
  /** An existing KMS key for Secrets encryption; by default one is created with rotation on. */
  kmsKeyArn: kmsKeyArn.optional(),
  logTypes: z.array(z.enum(LOG_TYPES, { error: `must be one of ${LOG_TYPES.join(", ")}` })).optional(),
  accessEntries: z
    .record(
      k8sName(),
      z.strictObject({
        principalArn: iamPrincipalArn,
        kubernetesGroups: z.array(z.string().min(1)).optional(),
        policies: z
          .record(
            z.string().regex(/^AmazonEKS[A-Za-z]+Policy$/, {
              error: "must be an EKS access policy name such as AmazonEKSClusterAdminPolicy",
            }),
            z.strictObject({ namespaces: z.array(k8sNamespace()).optional() }),
          )
          .optional(),
      }),
    )
    .optional(),
  bootstrapCreatorAdmin: z.boolean().optional(),
  deletionProtection: z.boolean().optional(),
  nodeGroups: z.array(nodeGroup, {
    error: "is required: a list of managed node groups (name, minSize, maxSize, …)",
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
          .optional(),
        configurationValues: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  kubeconfig: z
    .strictObject({
      roleArn: iamPrincipalArn.optional(),
      profile: z.string().min(1).optional(),
    })
    .optional(),
  tags: stringMap().optional(),
});
export type EksClusterConfig = z.infer<typeof eksClusterSchema>;
