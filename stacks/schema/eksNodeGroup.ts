/** `cluster.nodeGroups[]` of an EKS cluster: one managed node group. */
import { z } from "zod";
import { dnsLabel, stringMap } from "./common";
import { AMI_TYPES, EKS_DEFAULTS } from "../../components/cluster/eks";

const size = (what: string) =>
  z
    .number({ error: `must be a number of ${what}` })
    .int()
    .min(0);

export const nodeGroup = z.strictObject({
  /** Node group name; also its key (resources are keyed by it). */
  name: dnsLabel().meta({
    description:
      "Node group name, unique in the list; its resources are keyed by it, so renaming replaces the group.",
  }),
  instanceTypes: z
    .array(
      z
        .string()
        .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, { error: "must be an EC2 instance type such as m6i.large" }),
    )
    .min(1)
    .optional()
    .meta({
      description: "EC2 instance types of the nodes.",
      componentDefault: EKS_DEFAULTS.nodeGroup.instanceTypes,
    }),
  capacityType: z.enum(["ON_DEMAND", "SPOT"], { error: "must be ON_DEMAND or SPOT" }).optional().meta({
    description: "On-demand or spot instances.",
    componentDefault: EKS_DEFAULTS.nodeGroup.capacityType,
  }),
  minSize: size("nodes").meta({ description: "Minimum number of nodes; at most `maxSize`." }),
  desiredSize: size("nodes").optional().meta({
    description:
      "Nodes at creation, from `minSize` to `maxSize`; later changes are ignored (the cluster autoscaler owns it). Default: `minSize`.",
  }),
  maxSize: size("nodes").meta({ description: "Maximum number of nodes; at least `minSize`." }),
  /** Root volume, GiB. */
  diskSize: z
    .number()
    .int()
    .min(20, { error: "must be at least 20 GiB" })
    .max(16_384, { error: "must be at most 16384 GiB (16 TiB), the largest EBS volume" })
    .optional()
    .meta({
      description: "Root volume size of each node, GiB.",
      componentDefault: EKS_DEFAULTS.nodeGroup.diskSize,
    }),
  labels: stringMap().optional().meta({ description: "Kubernetes labels of the nodes. Default: none." }),
  taints: z
    .array(
      z.strictObject({
        key: z.string().min(1).meta({ description: "Taint key." }),
        value: z.string().optional().meta({ description: "Taint value. Default: none." }),
        effect: z
          .enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], {
            error: "must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE (the EKS API spelling)",
          })
          .meta({ description: "Taint effect, in the EKS API spelling (not Kubernetes' `NoSchedule`)." }),
      }),
    )
    .optional()
    .meta({ description: "Kubernetes taints of the nodes. Default: none." }),
  amiType: z
    .enum(AMI_TYPES, { error: `must be one of ${AMI_TYPES.join(", ")}` })
    .optional()
    .meta({
      description: "AMI family and architecture of the nodes.",
      componentDefault: EKS_DEFAULTS.nodeGroup.amiType,
    }),
  maxUnavailable: z
    .number()
    .int()
    .min(1)
    .max(100, { error: "must be at most 100, the most nodes EKS replaces at once" })
    .optional()
    .meta({
      description: "Nodes replaced at once during an update; give this or `maxUnavailablePercentage`.",
      componentDefault: EKS_DEFAULTS.nodeGroup.maxUnavailable,
    }),
  maxUnavailablePercentage: z.number().int().min(1).max(100).optional().meta({
    description: "Percentage of the nodes replaced at once during an update, instead of `maxUnavailable`.",
  }),
});
