import { stringify } from "yaml";
import type { PolicyDocument } from "../../aws";

type Condition = NonNullable<PolicyDocument["Statement"][number]["Condition"]>;

/** Trust policy letting an AWS service assume a role (on the condition given, if any). */
export function serviceTrustPolicy(
  service: string,
  actions: string[] = ["sts:AssumeRole"],
  condition?: Condition,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: actions,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/**
 * Trust of the control plane role: EKS, and only on behalf of this cluster of this account (AWS's
 * cross-service confused deputy prevention for the cluster role).
 */
export function clusterTrustPolicy(accountId: string, clusterArn: string): PolicyDocument {
  return serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"], {
    StringEquals: { "aws:SourceAccount": accountId },
    ArnLike: { "aws:SourceArn": clusterArn },
  });
}

export const managedPolicyArn = (partition: string, name: string) =>
  `arn:${partition}:iam::aws:policy/${name}`;
export const accessPolicyArn = (partition: string, name: string) =>
  `arn:${partition}:eks::aws:cluster-access-policy/${name}`;

/** Managed policies of the control plane role. */
export const CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"] as const;
/** The minimal managed policies of the node role (kubelet, image pulls, VPC CNI). */
export const NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEKS_CNI_Policy",
] as const;
/** Managed policy of the EBS CSI controller (IRSA role kube-system/ebs-csi-controller-sa). */
export const EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy";
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" } as const;

export interface KubeconfigArgs {
  clusterName: string;
  endpoint: string;
  /** Base64 PEM of the cluster CA. */
  certificateAuthority: string;
  region: string;
  /** Role to assume for the token. */
  roleArn?: string;
  /** AWS CLI profile. */
  profile?: string;
}

/** A kubeconfig whose user runs `aws eks get-token` (no static credential in it). */
export function renderKubeconfig(a: KubeconfigArgs): string {
  const args = [
    "--region",
    a.region,
    "eks",
    "get-token",
    "--cluster-name",
    a.clusterName,
    "--output",
    "json",
  ];
  if (a.roleArn) args.push("--role-arn", a.roleArn);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: a.clusterName,
        cluster: { server: a.endpoint, "certificate-authority-data": a.certificateAuthority },
      },
    ],
    contexts: [{ name: a.clusterName, context: { cluster: a.clusterName, user: a.clusterName } }],
    "current-context": a.clusterName,
    users: [
      {
        name: a.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args,
            ...(a.profile ? { env: [{ name: "AWS_PROFILE", value: a.profile }] } : {}),
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
