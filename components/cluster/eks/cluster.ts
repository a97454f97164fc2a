import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../aws/sdk";
import * as k8s from "@pulumi/kubernetes";
import type { KubernetesCluster } from "../types";
import { eksClusterArn, irsaTrustPolicy, type PolicyDocument } from "../../aws";
import type { EksClusterArgs } from "./args";
import { resolveEksClusterArgs } from "./resolve";
import { createAccessEntries } from "./access";
import {
  CLUSTER_POLICIES,
  clusterTrustPolicy,
  EBS_CSI_POLICY,
  EBS_CSI_SERVICE_ACCOUNT,
  managedPolicyArn,
  renderKubeconfig,
} from "./iam";
import { createVpc, tagExistingSubnets, type Network } from "./network";
import { createAddons, createNodeGroups, createNodeRole } from "./nodes";
import { KUBERNETES_PROVIDER_SETTINGS } from "../providerSettings";

/**
 * What the control plane role may do with the envelope-encryption key: that key only, and grants on
 * it only for AWS resources (EKS creates them itself), never for a principal of its choosing.
 */
export function clusterKmsPolicy(keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnvelopeEncryption",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: keyArn,
      },
      {
        Sid: "GrantsForAwsResources",
        Effect: "Allow",
        Action: "kms:CreateGrant",
        Resource: keyArn,
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ],
  };
}

/**
 * An EKS cluster: network (created or existing), KMS-encrypted Secrets, API authentication with access
 * entries, managed node groups, add-ons, an IAM OIDC provider for IRSA, and a kubeconfig that runs
 * `aws eks get-token`.
 */
export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
  public readonly kind = "eks" as const;
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly readyResources: pulumi.Resource[];
  public readonly identity: { oidcProviderArn: pulumi.Output<string>; oidcIssuerUrl: pulumi.Output<string> };
  public readonly clusterVars: Record<string, pulumi.Input<string>>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly vpcId: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly nodeRoleArn: pulumi.Output<string>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolveEksClusterArgs(args);
    super("platform:cluster:EksCluster", name, {}, opts);
    const ctx = a.aws;
    const child = { parent: this, provider: ctx.provider };
    const tags = (n: string) => ({ ...ctx.tags, ...a.tags, Name: n });
    const arnOf = (policy: string) => pulumi.output(ctx.partition).apply((p) => managedPolicyArn(p, policy));

    const network: Network =
      a.network.mode === "create"
        ? createVpc(name, a.clusterName, a.network, { ...ctx, tags: { ...ctx.tags, ...a.tags } }, this)
        : {
            vpcId: pulumi.output(a.network.vpcId),
            privateSubnetIds: a.network.privateSubnetIds.map((s) => pulumi.output(s)),
            publicSubnetIds: a.network.publicSubnetIds.map((s) => pulumi.output(s)),
            ready: tagExistingSubnets(
              name,
              a.clusterName,
              { private: a.network.privateSubnetIds, public: a.network.publicSubnetIds },
              ctx,
              this,
            ),
          };

    const kmsKeyArn = a.kmsKeyArn
      ? pulumi.output(a.kmsKeyArn)
      : new aws.kms.Key(
          `${name}-secrets-key`,
          {
            description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${a.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags: tags(`${a.clusterName}-secrets`),
          },
          child,
        ).arn;

    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      {
        name: `${a.clusterName}-cluster`,
        assumeRolePolicy: pulumi
          .all([ctx.partition, ctx.region, ctx.accountId])
          .apply(([p, region, account]) =>
            JSON.stringify(clusterTrustPolicy(account, eksClusterArn(p, region, account, a.clusterName))),
          ),
        tags: tags(`${a.clusterName}-cluster`),
      },
      child,
    );
    const roleDeps: pulumi.Resource[] = CLUSTER_POLICIES.map(
      (p) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${p}`,
          { role: clusterRole.name, policyArn: arnOf(p) },
          child,
        ),
    );
    roleDeps.push(
      new aws.iam.RolePolicy(
        `${name}-cluster-kms`,
        {
          role: clusterRole.name,
          name: "envelope-encryption",
          policy: kmsKeyArn.apply((k) => JSON.stringify(clusterKmsPolicy(k))),
        },
        child,
      ),
    );

    const cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: a.clusterName,
        version: a.version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: network.privateSubnetIds,
          endpointPrivateAccess: a.endpoint.privateAccess,
          endpointPublicAccess: a.endpoint.publicAccess,
          ...(a.endpoint.publicAccess && a.endpoint.publicAccessCidrs.length
            ? { publicAccessCidrs: a.endpoint.publicAccessCidrs }
            : {}),
        },
        encryptionConfig: { provider: { keyArn: kmsKeyArn }, resources: ["secrets"] },
        enabledClusterLogTypes: a.logTypes,
        accessConfig: {
          authenticationMode: "API",
          bootstrapClusterCreatorAdminPermissions: a.bootstrapCreatorAdmin,
        },
        // Add-ons are managed below as EKS add-ons, with versions from config.
        bootstrapSelfManagedAddons: false,
        deletionProtection: a.deletionProtection,
        tags: tags(a.clusterName),
      },
      { ...child, dependsOn: roleDeps },
    );

    const accessResources = createAccessEntries(name, a, cluster, child, tags);

    const issuerUrl = cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags: tags(`${a.clusterName}-oidc`) },
      child,
    );

    const ebsRole = new aws.iam.Role(
      `${name}-ebs-csi-role`,
      {
        name: `${a.clusterName}-ebs-csi`,
        assumeRolePolicy: pulumi
          .all([oidc.arn, issuerUrl])
          .apply(([arn, url]) =>
            JSON.stringify(
              irsaTrustPolicy(arn, url, EBS_CSI_SERVICE_ACCOUNT.namespace, EBS_CSI_SERVICE_ACCOUNT.name),
            ),
          ),
        tags: tags(`${a.clusterName}-ebs-csi`),
      },
      child,
    );
    const ebsAttach = new aws.iam.RolePolicyAttachment(
      `${name}-ebs-csi-policy`,
      { role: ebsRole.name, policyArn: arnOf(EBS_CSI_POLICY) },
      child,
    );

    const nodeRole = createNodeRole(name, a.clusterName, ctx, child, tags);
    const early = createAddons(name, a.addons, cluster, "beforeNodes", {}, [], child, tags);
    const nodeGroups = createNodeGroups(
      name,
      a,
      cluster,
      nodeRole.role,
      network.privateSubnetIds,
      [...nodeRole.attachments, ...early, ...network.ready],
      child,
      tags,
    );
    const late = createAddons(
      name,
      a.addons,
      cluster,
      "afterNodes",
      { "aws-ebs-csi-driver": { serviceAccountRoleArn: ebsRole.arn } },
      [...nodeGroups, ebsAttach],
      child,
      tags,
    );

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.vpcId = network.vpcId;
    this.kmsKeyArn = kmsKeyArn;
    this.nodeRoleArn = nodeRole.role.arn;
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data, ctx.region])
        .apply(([clusterName, endpoint, ca, region]) =>
          renderKubeconfig({
            clusterName,
            endpoint,
            certificateAuthority: ca ?? "",
            region,
            ...a.kubeconfig,
          }),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, ...KUBERNETES_PROVIDER_SETTINGS },
      { parent: this, dependsOn: accessResources },
    );
    this.readyResources = [...nodeGroups, ...late, ...accessResources];
    this.identity = { oidcProviderArn: oidc.arn, oidcIssuerUrl: issuerUrl };
    this.clusterVars = {
      AWS_REGION: ctx.region,
      AWS_ACCOUNT_ID: ctx.accountId,
      OIDC_PROVIDER_ARN: oidc.arn,
      VPC_ID: network.vpcId,
    };
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      provider: this.provider,
      identity: this.identity,
      clusterVars: this.clusterVars,
      clusterArn: this.clusterArn,
      vpcId: this.vpcId,
      kmsKeyArn: this.kmsKeyArn,
      nodeRoleArn: this.nodeRoleArn,
    });
  }
}
