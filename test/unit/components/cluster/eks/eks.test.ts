import { createAwsContext } from "../../../../../components/aws";
import { EksCluster, type EksClusterArgs } from "../../../../../components/cluster/eks";
import { ArgsError } from "../../../../../components/problems";
import { onEngine } from "../../../../helpers/platform";

const EKS = "platform:cluster:EksCluster::c";
const AWS = "pulumi:providers:aws::aws";

const build = (patch: Partial<EksClusterArgs> = {}, onError?: (e: unknown) => void) =>
  onEngine(() => {
    const aws = createAwsContext({ region: "eu-central-1", tags: { platform: "p" } });
    try {
      const c = new EksCluster("c", {
        clusterName: "c",
        network: {
          mode: "existing",
          vpcId: "vpc-0abc1234",
          privateSubnetIds: ["subnet-0abc1234", "subnet-0def5678"],
        },
        nodeGroups: [{ name: "general", minSize: 1, maxSize: 3 }],
        aws,
        ...patch,
      });
      return { clusterName: c.clusterName };
    } catch (e) {
      onError?.(e);
      return {};
    }
  });

describe("EksCluster from its own arguments", () => {
  it("puts every AWS child on the context's provider and the Kubernetes provider under the component", async () => {
    const d = await build();
    const [provider, component, ...children] = d.resources;
    expect([`${provider.type}::${provider.name}`, `${component.type}::${component.name}`]).toEqual([
      AWS,
      EKS,
    ]);
    const aws = children.filter((r) => r.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(5);
    expect(aws.filter((r) => r.provider !== AWS).map((r) => r.name)).toEqual([]);
    expect(
      children.filter((r) => !r.parent?.startsWith("platform:cluster:EksCluster::c")).map((r) => r.name),
    ).toEqual([]);
    expect(d.get("c-cluster").inputs.name).toBe("c");
    expect(d.names()).toContain("c-ng-general");
    expect(d.outputs).toEqual({ clusterName: "c" });
  });

  it("throws one ArgsError with every problem before registering anything", async () => {
    let error: unknown;
    const d = await build(
      { version: "1.20", nodeGroups: [{ name: "general", minSize: 3, maxSize: 1 }] },
      (e) => (error = e),
    );
    expect(error).toBeInstanceOf(ArgsError);
    expect((error as ArgsError).problems).toEqual([
      { path: "version", message: "Kubernetes 1.20 is not supported: use one of 1.32, 1.33, 1.34, 1.35" },
      { path: "nodeGroups.0.minSize", message: "3 is greater than maxSize 1" },
    ]);
    expect(d.names()).toEqual(["aws"]);
  });
});
