import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../aws/sdk";
import type { AwsContext } from "../../aws";
import { ADDONS_BEFORE_NODES, type AddonArgs, type AddonName } from "./args";
import type { ResolvedEksClusterArgs } from "./resolve";
import { managedPolicyArn, NODE_POLICIES, serviceTrustPolicy } from "./iam";

type Opts = { parent: pulumi.Resource; provider: aws.Provider };
type Tags = (name: string) => Record<string, string>;

/** The node role with its minimal managed policies; returns the role and its attachments. */
export function createNodeRole(name: string, clusterName: string, ctx: AwsContext, opts: Opts, tags: Tags) {
  const role = new aws.iam.Role(
    `${name}-node-role`,
    {
      name: `${clusterName}-node`,
      assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
      tags: tags(`${clusterName}-node`),
    },
    opts,
  );
  const attachments = NODE_POLICIES.map(
    (p) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-node-${p}`,
        {
          role: role.name,
          policyArn: pulumi.output(ctx.partition).apply((part) => managedPolicyArn(part, p)),
        },
        opts,
      ),
  );
  return { role, attachments };
}

/** Kubernetes taints as the EKS API takes them. */
export const nodeGroupTaints = (g: ResolvedEksClusterArgs["nodeGroups"][number]) =>
  (g.taints ?? []).map((t) => ({
    key: t.key,
    ...(t.value !== undefined ? { value: t.value } : {}),
    effect: t.effect,
  }));

/** Managed node groups keyed by name, in the private subnets. */
export function createNodeGroups(
  name: string,
  a: ResolvedEksClusterArgs,
  cluster: aws.eks.Cluster,
  nodeRole: aws.iam.Role,
  subnetIds: pulumi.Input<string>[],
  dependsOn: pulumi.Resource[],
  opts: Opts,
  tags: Tags,
): aws.eks.NodeGroup[] {
  return a.nodeGroups.map(
    (g) =>
      new aws.eks.NodeGroup(
        `${name}-ng-${g.name}`,
        {
          clusterName: cluster.name,
          nodeGroupName: g.name,
          version: a.version,
          nodeRoleArn: nodeRole.arn,
          subnetIds,
          instanceTypes: g.instanceTypes,
          capacityType: g.capacityType,
          amiType: g.amiType,
          diskSize: g.diskSize,
          scalingConfig: { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
          updateConfig:
            g.maxUnavailablePercentage !== undefined
              ? { maxUnavailablePercentage: g.maxUnavailablePercentage }
              : { maxUnavailable: g.maxUnavailable },
          labels: g.labels ?? {},
          taints: nodeGroupTaints(g),
          tags: tags(`${a.clusterName}-${g.name}`),
        },
        // The cluster autoscaler owns desiredSize after creation.
        { ...opts, dependsOn, ignoreChanges: ["scalingConfig.desiredSize"] },
      ),
  );
}

/** EKS add-ons: DaemonSet add-ons before the nodes, the rest after them. */
export function createAddons(
  name: string,
  addons: Record<AddonName, AddonArgs>,
  cluster: aws.eks.Cluster,
  phase: "beforeNodes" | "afterNodes",
  extra: Partial<Record<AddonName, { serviceAccountRoleArn: pulumi.Input<string> }>>,
  dependsOn: pulumi.Resource[],
  opts: Opts,
  tags: Tags,
): aws.eks.Addon[] {
  return (Object.entries(addons) as [AddonName, AddonArgs][])
    .filter(([addon]) => ADDONS_BEFORE_NODES.includes(addon) === (phase === "beforeNodes"))
    .map(
      ([addon, cfg]) =>
        new aws.eks.Addon(
          `${name}-addon-${addon}`,
          {
            clusterName: cluster.name,
            addonName: addon,
            ...(cfg.version !== undefined ? { addonVersion: cfg.version } : {}),
            ...(cfg.configurationValues !== undefined
              ? { configurationValues: JSON.stringify(cfg.configurationValues) }
              : {}),
            ...(extra[addon] ?? {}),
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags: tags(addon),
          },
          { ...opts, dependsOn },
        ),
    );
}
