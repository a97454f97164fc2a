import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { isSecretWrapped } from "../../../../automation/render/engine";
import type { Deployed } from "../../../helpers/platform";
import { ACCOUNT, AWS_PROVIDER, deployValues, eksValues, json } from "./fixtures";

const PARENT = "platform:cluster:EksCluster::de-dev";
const ISSUER_HOST = "oidc.eks.eu-central-1.amazonaws.com/id/C4DF1D8F84BFD4E57AB584BD0546BCBB";
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
const TAGS = { environment: "dev", "managed-by": "pulumi", owner: "net-int", platform: "de-dev" };
const EKS_KEY = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/02776ac8-034d-b6db-5422-22906de5c5a4`;
const SUBNETS = ["de-dev-private-eu-central-1a-id", "de-dev-private-eu-central-1b-id"];

let d: Deployed;
beforeAll(async () => {
  d = await deployValues(eksValues());
});

const byType = (type: string) => d.resources.filter((r) => r.type === type);
const named = (type: string, name: string) => {
  const r = d.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} ${name}`);
  return r;
};

describe("EksCluster on the mock engine", () => {
  it("creates the control plane with KMS envelope encryption, endpoint access, logging, API auth and deletion protection", () => {
    const c = named("aws:eks/cluster:Cluster", "de-dev-cluster");
    expect(c.parent).toBe(PARENT);
    expect(c.provider).toBe(AWS_PROVIDER);
    expect(c.dependsOn).toEqual([
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::de-dev-cluster-AmazonEKSClusterPolicy",
      "aws:iam/rolePolicy:RolePolicy::de-dev-cluster-kms",
    ]);
    expect(c.inputs).toEqual({
      name: "de-dev",
      version: "1.34",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/de-dev-cluster`,
      vpcConfig: {
        subnetIds: SUBNETS,
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      },
      encryptionConfig: { provider: { keyArn: EKS_KEY }, resources: ["secrets"] },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      bootstrapSelfManagedAddons: false,
      deletionProtection: true,
      tags: { ...TAGS, Name: "de-dev" },
    });
  });

  it("creates the Secrets key with rotation and lets the control plane role use that key only", () => {
    expect(named("aws:kms/key:Key", "de-dev-secrets-key").inputs).toEqual({
      description: "Envelope encryption of Kubernetes Secrets in EKS cluster de-dev",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { ...TAGS, Name: "de-dev-secrets" },
    });
    const role = named("aws:iam/role:Role", "de-dev-cluster-role").inputs;
    expect(json(role.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          // Only EKS, only for this cluster of this account (confused deputy prevention).
          Condition: {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws:eks:eu-central-1:${ACCOUNT}:cluster/de-dev` },
          },
        },
      ],
    });
    const kms = named("aws:iam/rolePolicy:RolePolicy", "de-dev-cluster-kms").inputs;
    expect(kms.role).toBe("de-dev-cluster");
    expect(json(kms.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EnvelopeEncryption",
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          Resource: EKS_KEY,
        },
        {
          Sid: "GrantsForAwsResources",
          Effect: "Allow",
          Action: "kms:CreateGrant",
          Resource: EKS_KEY,
          Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
      ],
    });
    expect(
      named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "de-dev-cluster-AmazonEKSClusterPolicy")
        .inputs,
    ).toEqual({
      role: "de-dev-cluster",
      policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    });
  });

  it("creates access entries keyed by name, each with its access policies and scopes", () => {
    const entries = byType("aws:eks/accessEntry:AccessEntry").map((r) => [r.name, r.inputs]);
    expect(entries).toEqual([
      [
        "de-dev-access-admins",
        {
          clusterName: "de-dev",
          principalArn: `arn:aws:iam::${ACCOUNT}:role/platform-admins`,
          type: "STANDARD",
          tags: { ...TAGS, Name: "admins" },
        },
      ],
      [
        "de-dev-access-devs",
        {
          clusterName: "de-dev",
          principalArn: `arn:aws:iam::${ACCOUNT}:role/devs`,
          type: "STANDARD",
          kubernetesGroups: ["slice-devs"],
          tags: { ...TAGS, Name: "devs" },
        },
      ],
    ]);
    const assoc = byType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((r) => [
      r.name,
      r.dependsOn,
      r.inputs,
    ]);
    const policy = (n: string) => `arn:aws:eks::aws:cluster-access-policy/${n}`;
    expect(assoc).toEqual([
      [
        "de-dev-access-admins-AmazonEKSClusterAdminPolicy",
        ["aws:eks/accessEntry:AccessEntry::de-dev-access-admins"],
        {
          clusterName: "de-dev",
          principalArn: `arn:aws:iam::${ACCOUNT}:role/platform-admins`,
          policyArn: policy("AmazonEKSClusterAdminPolicy"),
          accessScope: { type: "cluster" },
        },
      ],
      [
        "de-dev-access-devs-AmazonEKSEditPolicy",
        ["aws:eks/accessEntry:AccessEntry::de-dev-access-devs"],
        {
          clusterName: "de-dev",
          principalArn: `arn:aws:iam::${ACCOUNT}:role/devs`,
          policyArn: policy("AmazonEKSEditPolicy"),
          accessScope: { type: "namespace", namespaces: ["slices"] },
        },
      ],
      [
        "de-dev-access-devs-AmazonEKSViewPolicy",
        ["aws:eks/accessEntry:AccessEntry::de-dev-access-devs"],
        {
          clusterName: "de-dev",
          principalArn: `arn:aws:iam::${ACCOUNT}:role/devs`,
          policyArn: policy("AmazonEKSViewPolicy"),
          accessScope: { type: "cluster" },
        },
      ],
    ]);
  });

  it("creates node groups keyed by name with scaling, taints, labels and update config, after the node role, DaemonSet add-ons and routes", () => {
    const system = named("aws:eks/nodeGroup:NodeGroup", "de-dev-ng-system");
    expect(system.inputs).toEqual({
      clusterName: "de-dev",
      nodeGroupName: "system",
      version: "1.34",
      nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/de-dev-node`,
      subnetIds: SUBNETS,
      instanceTypes: ["m6i.large"],
      capacityType: "ON_DEMAND",
      amiType: "AL2023_x86_64_STANDARD",
      diskSize: 50,
      scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 4 },
      updateConfig: { maxUnavailable: 1 },
      labels: { pool: "system" },
      taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }],
      tags: { ...TAGS, Name: "de-dev-system" },
    });
    expect(system.dependsOn).toEqual([
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::de-dev-node-AmazonEKSWorkerNodePolicy",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::de-dev-node-AmazonEC2ContainerRegistryPullOnly",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::de-dev-node-AmazonEKS_CNI_Policy",
      "aws:eks/addon:Addon::de-dev-addon-vpc-cni",
      "aws:eks/addon:Addon::de-dev-addon-kube-proxy",
      "aws:eks/addon:Addon::de-dev-addon-eks-pod-identity-agent",
      "aws:ec2/route:Route::de-dev-public-default",
      "aws:ec2/route:Route::de-dev-private-default-eu-central-1a",
      "aws:ec2/routeTableAssociation:RouteTableAssociation::de-dev-private-eu-central-1a",
      "aws:ec2/route:Route::de-dev-private-default-eu-central-1b",
      "aws:ec2/routeTableAssociation:RouteTableAssociation::de-dev-private-eu-central-1b",
    ]);
    const workloads = named("aws:eks/nodeGroup:NodeGroup", "de-dev-ng-workloads").inputs;
    expect([
      workloads.instanceTypes,
      workloads.capacityType,
      workloads.diskSize,
      workloads.scalingConfig,
      workloads.updateConfig,
      workloads.taints,
    ]).toEqual([
      ["m6i.2xlarge"],
      "SPOT",
      100,
      { minSize: 1, desiredSize: 3, maxSize: 6 },
      { maxUnavailablePercentage: 25 },
      [],
    ]);
    const role = named("aws:iam/role:Role", "de-dev-node-role").inputs;
    expect(json(role.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] },
      ],
    });
    expect(
      byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((r) => r.inputs.role === "de-dev-node")
        .map((r) => r.inputs.policyArn),
    ).toEqual([
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]);
  });

  it("installs the five add-ons with configured versions; coredns and EBS CSI after the nodes, EBS CSI with its IRSA role", () => {
    const addons = byType("aws:eks/addon:Addon").map((r) => [
      r.inputs.addonName,
      r.inputs.addonVersion,
      r.dependsOn.length,
    ]);
    expect(addons).toEqual([
      ["vpc-cni", "v1.20.4-eksbuild.1", 0],
      ["kube-proxy", undefined, 0],
      ["eks-pod-identity-agent", undefined, 0],
      ["coredns", "v1.12.4-eksbuild.1", 3],
      ["aws-ebs-csi-driver", undefined, 3],
    ]);
    expect(named("aws:eks/addon:Addon", "de-dev-addon-aws-ebs-csi-driver").inputs).toEqual({
      clusterName: "de-dev",
      addonName: "aws-ebs-csi-driver",
      serviceAccountRoleArn: `arn:aws:iam::${ACCOUNT}:role/de-dev-ebs-csi`,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      tags: { ...TAGS, Name: "aws-ebs-csi-driver" },
    });
    expect(named("aws:eks/addon:Addon", "de-dev-addon-coredns").dependsOn).toEqual([
      "aws:eks/nodeGroup:NodeGroup::de-dev-ng-system",
      "aws:eks/nodeGroup:NodeGroup::de-dev-ng-workloads",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::de-dev-ebs-csi-policy",
    ]);
  });

  it("creates the IAM OIDC provider for IRSA, and the EBS CSI role trusts only its service account", () => {
    expect(named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "de-dev-oidc").inputs).toEqual({
      url: `https://${ISSUER_HOST}`,
      clientIdLists: ["sts.amazonaws.com"],
      tags: { ...TAGS, Name: "de-dev-oidc" },
    });
    expect(json(named("aws:iam/role:Role", "de-dev-ebs-csi-role").inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${ISSUER_HOST}:sub`]: "system:serviceaccount:kube-system:ebs-csi-controller-sa",
              [`${ISSUER_HOST}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    expect(
      named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "de-dev-ebs-csi-policy").inputs.policyArn,
    ).toBe("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
  });

  it("creates a VPC across the AZs: subnets keyed by AZ with load balancer tags, a NAT gateway per AZ", () => {
    const subnets = byType("aws:ec2/subnet:Subnet").map((r) => [
      r.name,
      r.inputs.cidrBlock,
      r.inputs.availabilityZone,
      r.inputs.tags,
    ]);
    const t = (name: string, role: string) => ({
      ...TAGS,
      Name: name,
      "kubernetes.io/cluster/de-dev": "shared",
      [role]: "1",
    });
    expect(subnets).toEqual([
      [
        "de-dev-public-eu-central-1a",
        "10.20.192.0/20",
        "eu-central-1a",
        t("de-dev-public-eu-central-1a", "kubernetes.io/role/elb"),
      ],
      [
        "de-dev-public-eu-central-1b",
        "10.20.208.0/20",
        "eu-central-1b",
        t("de-dev-public-eu-central-1b", "kubernetes.io/role/elb"),
      ],
      [
        "de-dev-private-eu-central-1a",
        "10.20.0.0/18",
        "eu-central-1a",
        t("de-dev-private-eu-central-1a", "kubernetes.io/role/internal-elb"),
      ],
      [
        "de-dev-private-eu-central-1b",
        "10.20.64.0/18",
        "eu-central-1b",
        t("de-dev-private-eu-central-1b", "kubernetes.io/role/internal-elb"),
      ],
    ]);
    expect(byType("aws:ec2/natGateway:NatGateway").map((r) => [r.name, r.inputs.subnetId])).toEqual([
      ["de-dev-nat-eu-central-1a", "de-dev-public-eu-central-1a-id"],
      ["de-dev-nat-eu-central-1b", "de-dev-public-eu-central-1b-id"],
    ]);
    expect(byType("aws:ec2/route:Route").map((r) => [r.name, r.inputs])).toEqual([
      [
        "de-dev-public-default",
        {
          routeTableId: "de-dev-public-rt-id",
          destinationCidrBlock: "0.0.0.0/0",
          gatewayId: "de-dev-igw-id",
        },
      ],
      [
        "de-dev-private-default-eu-central-1a",
        {
          routeTableId: "de-dev-private-rt-eu-central-1a-id",
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: "de-dev-nat-eu-central-1a-id",
        },
      ],
      [
        "de-dev-private-default-eu-central-1b",
        {
          routeTableId: "de-dev-private-rt-eu-central-1b-id",
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: "de-dev-nat-eu-central-1b-id",
        },
      ],
    ]);
  });

  it("exports a secret kubeconfig that runs aws eks get-token, and builds the Kubernetes provider from it after the access entries", () => {
    const provider = named("pulumi:providers:kubernetes", "de-dev-provider");
    expect(isSecretWrapped(provider.inputs.kubeconfig)).toBe(true);
    expect([
      provider.inputs.enableServerSideApply,
      provider.inputs.enableConfigMapMutable,
      provider.inputs.enableSecretMutable,
    ]).toEqual(["true", "true", "true"]);
    const kubeconfig = parseYaml(d.inputs("de-dev-provider").kubeconfig as string) as Record<string, unknown>;
    expect(kubeconfig).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "de-dev",
          cluster: {
            server: "https://C4DF1D8F84BFD4E57AB584BD0546BCBB.gr7.eu-central-1.eks.amazonaws.com",
            "certificate-authority-data": "UkVOREVSLVBMQUNFSE9MREVSLUNB",
          },
        },
      ],
      contexts: [{ name: "de-dev", context: { cluster: "de-dev", user: "de-dev" } }],
      "current-context": "de-dev",
      users: [
        {
          name: "de-dev",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: [
                "--region",
                "eu-central-1",
                "eks",
                "get-token",
                "--cluster-name",
                "de-dev",
                "--output",
                "json",
              ],
              interactiveMode: "Never",
            },
          },
        },
      ],
    });
    expect(provider.dependsOn).toEqual([
      "aws:eks/accessEntry:AccessEntry::de-dev-access-admins",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::de-dev-access-admins-AmazonEKSClusterAdminPolicy",
      "aws:eks/accessEntry:AccessEntry::de-dev-access-devs",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::de-dev-access-devs-AmazonEKSEditPolicy",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::de-dev-access-devs-AmazonEKSViewPolicy",
    ]);
    expect(d.outputs.kubeconfig).toBe(d.inputs("de-dev-provider").kubeconfig);
  });

  it("gives every AWS resource the platform provider, whose default tags carry the platform tags", () => {
    const provider = named("pulumi:providers:aws", "aws");
    expect(json(provider.inputs.defaultTags)).toEqual({ tags: TAGS });
    const awsResources = d.resources.filter((r) => r.type.startsWith("aws:"));
    expect(awsResources.length).toBeGreaterThan(40);
    expect(awsResources.filter((r) => r.provider !== AWS_PROVIDER).map((r) => r.name)).toEqual([]);
  });

  it("puts platform, environment, owner and managed-by tags on every taggable AWS resource", () => {
    const untaggable = new Set([
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
      "aws:ec2/route:Route",
      "aws:ec2/routeTableAssociation:RouteTableAssociation",
      "aws:route53/record:Record",
      "aws:kms/alias:Alias",
      "aws:secretsmanager/secretVersion:SecretVersion",
    ]);
    const taggable = d.resources.filter((r) => r.type.startsWith("aws:") && !untaggable.has(r.type));
    expect(taggable.length).toBeGreaterThan(25);
    const missing = taggable.filter((r) => {
      const tags = r.inputs.tags as Record<string, string> | undefined;
      return !tags || Object.entries(TAGS).some(([k, v]) => tags[k] !== v);
    });
    expect(missing.map((r) => `${r.type}::${r.name}`)).toEqual([]);
  });

  it("hands region, account, OIDC provider and VPC to cluster-vars; Flux waits for node groups, late add-ons and access entries", () => {
    const vars = d.outputs.clusterVars as Record<string, string>;
    expect([
      vars.AWS_REGION,
      vars.AWS_ACCOUNT_ID,
      vars.OIDC_PROVIDER_ARN,
      vars.VPC_ID,
      vars.CLUSTER_KIND,
    ]).toEqual(["eu-central-1", ACCOUNT, OIDC_ARN, "de-dev-vpc-id", "eks"]);
    const ns = named("kubernetes:core/v1:Namespace", "flux-namespace");
    expect(ns.provider).toBe("pulumi:providers:kubernetes::de-dev-provider");
    expect(ns.dependsOn.slice(0, 9)).toEqual([
      "aws:eks/nodeGroup:NodeGroup::de-dev-ng-system",
      "aws:eks/nodeGroup:NodeGroup::de-dev-ng-workloads",
      "aws:eks/addon:Addon::de-dev-addon-coredns",
      "aws:eks/addon:Addon::de-dev-addon-aws-ebs-csi-driver",
      "aws:eks/accessEntry:AccessEntry::de-dev-access-admins",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::de-dev-access-admins-AmazonEKSClusterAdminPolicy",
      "aws:eks/accessEntry:AccessEntry::de-dev-access-devs",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::de-dev-access-devs-AmazonEKSEditPolicy",
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::de-dev-access-devs-AmazonEKSViewPolicy",
    ]);
  });
});

describe("EksCluster with an existing VPC and a given KMS key", () => {
  it("uses the given subnets and key, and creates no network and no key", async () => {
    const key = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    const e = await deployValues(
      eksValues({
        cluster: {
          network: {
            mode: "existing",
            cidr: undefined,
            availabilityZones: undefined,
            vpcId: "vpc-0abc1234def567890",
            privateSubnetIds: ["subnet-0aaa1111bbb22222a", "subnet-0aaa1111bbb22222b"],
            publicSubnetIds: ["subnet-0ccc3333ddd44444c"],
          },
          kmsKeyArn: key,
          endpoint: { publicAccess: false, publicAccessCidrs: undefined },
          kubeconfig: { roleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`, profile: "acme" },
          logTypes: ["audit"],
          deletionProtection: false,
        },
        dns: undefined,
        secrets: undefined,
      }),
    );
    expect(e.resources.filter((r) => r.type === "aws:kms/key:Key")).toEqual([]);
    const tags = e.resources.filter((r) => r.type.startsWith("aws:ec2/"));
    expect(tags.every((r) => r.type === "aws:ec2/tag:Tag" && r.provider === AWS_PROVIDER)).toBe(true);
    expect(tags.map((r) => [r.name, r.inputs])).toEqual([
      ...["subnet-0aaa1111bbb22222a", "subnet-0aaa1111bbb22222b"].flatMap((id) => [
        [
          `de-dev-${id}-cluster-de-dev`,
          { resourceId: id, key: "kubernetes.io/cluster/de-dev", value: "shared" },
        ],
        [
          `de-dev-${id}-role-internal-elb`,
          { resourceId: id, key: "kubernetes.io/role/internal-elb", value: "1" },
        ],
      ]),
      [
        "de-dev-subnet-0ccc3333ddd44444c-cluster-de-dev",
        { resourceId: "subnet-0ccc3333ddd44444c", key: "kubernetes.io/cluster/de-dev", value: "shared" },
      ],
      [
        "de-dev-subnet-0ccc3333ddd44444c-role-elb",
        { resourceId: "subnet-0ccc3333ddd44444c", key: "kubernetes.io/role/elb", value: "1" },
      ],
    ]);
    const c = e.inputs("de-dev-cluster");
    expect([c.vpcConfig, c.encryptionConfig, c.enabledClusterLogTypes, c.deletionProtection]).toEqual([
      {
        subnetIds: ["subnet-0aaa1111bbb22222a", "subnet-0aaa1111bbb22222b"],
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
      },
      { provider: { keyArn: key }, resources: ["secrets"] },
      ["audit"],
      false,
    ]);
    const user = (
      parseYaml(e.inputs("de-dev-provider").kubeconfig as string) as { users: { user: { exec: unknown } }[] }
    ).users[0].user.exec;
    expect(user).toEqual({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: [
        "--region",
        "eu-central-1",
        "eks",
        "get-token",
        "--cluster-name",
        "de-dev",
        "--output",
        "json",
        "--role-arn",
        `arn:aws:iam::${ACCOUNT}:role/deployer`,
      ],
      env: [{ name: "AWS_PROFILE", value: "acme" }],
      interactiveMode: "Never",
    });
    expect((e.outputs.clusterVars as Record<string, string>).VPC_ID).toBe("vpc-0abc1234def567890");
  });
});

describe("AWS region", () => {
  it("takes aws:region from the stack config for the provider, the kubeconfig and cluster-vars", async () => {
    pulumi.runtime.setConfig("aws:region", "eu-west-1");
    const e = await deployValues(eksValues({ dns: undefined, secrets: undefined }));
    const provider = e.get("aws").inputs;
    expect([provider.region, json(provider.defaultTags)]).toEqual(["eu-west-1", { tags: TAGS }]);
    expect((e.outputs.clusterVars as Record<string, string>).AWS_REGION).toBe("eu-west-1");
    expect(e.inputs("de-dev-provider").kubeconfig).toContain("- --region\n          - eu-west-1\n");
  });
});
