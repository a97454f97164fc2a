import * as path from "node:path";
import { renderStack } from "../../../automation/render";
import { CLUSTER_VARS, type ClusterVarSpec } from "../../../components/flux/clusterVars";

const ROOT = path.join(__dirname, "..", "..", "..");

describe("offline render of the dev stack (EKS with dns and secrets)", () => {
  it("renders every AWS resource with the platform provider, the full hand-off, and no secret value", async () => {
    const r = await renderStack(ROOT, "dev");
    const counts: Record<string, number> = {};
    for (const res of r.resources.filter((x) => x.type.startsWith("aws:") || x.type.startsWith("platform:")))
      counts[res.type] = (counts[res.type] ?? 0) + 1;
    expect(counts).toEqual({
      "platform:cluster:EksCluster": 1,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/routeTable:RouteTable": 4,
      "aws:ec2/route:Route": 4,
      "aws:ec2/subnet:Subnet": 6,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
      "aws:ec2/eip:Eip": 1,
      "aws:ec2/natGateway:NatGateway": 1,
      "aws:kms/key:Key": 3,
      "aws:iam/role:Role": 8,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 5,
      "aws:iam/rolePolicy:RolePolicy": 6,
      "aws:eks/cluster:Cluster": 1,
      "aws:eks/accessEntry:AccessEntry": 2,
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 2,
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
      "aws:eks/addon:Addon": 5,
      "aws:eks/nodeGroup:NodeGroup": 2,
      "platform:dns:PlatformDns": 1,
      "aws:route53/zone:Zone": 1,
      "aws:route53/record:Record": 1,
      "platform:secrets:WorkloadIdentity": 5,
      "platform:secrets:PlatformSecrets": 1,
      "aws:kms/alias:Alias": 2,
      "aws:secretsmanager/secret:Secret": 2,
      "aws:secretsmanager/secretVersion:SecretVersion": 2,
      "platform:flux:FluxBootstrap": 1,
      // Flux without stored credentials (test/unit/render/awsSecure.test.ts): the SOPS key, the fleet
      // and chart repositories, two roles bound by Pod Identity.
      "platform:aws:FluxAwsAccess": 1,
      "aws:ecr/repository:Repository": 2,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 2,
      "aws:eks/podIdentityAssociation:PodIdentityAssociation": 2,
    });
    expect(
      r.resources.filter((x) => x.type.startsWith("aws:") && x.provider !== "pulumi:providers:aws::aws"),
    ).toEqual([]);

    const vars = r.outputs.clusterVars as Record<string, string>;
    const awsKeys = Object.entries(CLUSTER_VARS as Record<string, ClusterVarSpec>)
      .filter(([, s]) => ["aws", "dns", "secrets", "cluster.kind is eks"].includes(s.presentWhen))
      .map(([k]) => k);
    expect(
      Object.keys(vars)
        .filter((k) => awsKeys.includes(k))
        .sort(),
    ).toEqual([...awsKeys].sort());
    expect(vars.SECRETS_PREFIX).toBe("acme/de-dev/");
    expect(vars.DNS_ZONE_NAME).toBe("de-dev.telco.example.com");

    expect(r.secretOutputs).toEqual(["kubeconfig"]);
    const text = JSON.stringify([r.resources, r.outputs, r.objects]);
    for (const leaked of ["render-placeholder-password", "BEGIN OPENSSH PRIVATE KEY", "get-token"])
      expect(text).not.toContain(leaked);
    const versions = r.resources.filter((x) => x.type === "aws:secretsmanager/secretVersion:SecretVersion");
    expect(versions.map((v) => v.inputs.secretString)).toEqual(["[secret]", "[secret]"]);
  });
});
