import { fakeAwsContext as ctx } from "../../../../helpers/awsContext";
import {
  cidrContains,
  cidrSubnet,
  cidrsOverlap,
  defaultSubnetCidrs,
  EKS_DEFAULTS,
  parseCidr,
  resolveEksClusterArgs,
  type EksClusterArgs,
} from "../../../../../components/cluster/eks";

describe("CIDR arithmetic", () => {
  it.each<[string, string | undefined]>([
    ["10.20.0.0/16", "10.20.0.0/16"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["10.20.0.1/16", undefined],
    ["10.20.0.0/33", undefined],
    ["256.0.0.0/8", undefined],
    ["10.20.0.0", undefined],
  ])("parses %s", (text, back) => {
    const c = parseCidr(text);
    expect(c && `${[24, 16, 8, 0].map((s) => Math.floor(c.base / 2 ** s) % 256).join(".")}/${c.bits}`).toBe(
      back,
    );
  });

  it("computes subnets like Terraform's cidrsubnet, and refuses numbers that do not fit", () => {
    expect([
      cidrSubnet("10.20.0.0/16", 2, 0),
      cidrSubnet("10.20.0.0/16", 2, 3),
      cidrSubnet("10.20.0.0/16", 4, 12),
    ]).toEqual(["10.20.0.0/18", "10.20.192.0/18", "10.20.192.0/20"]);
    expect(() => cidrSubnet("10.20.0.0/16", 2, 4)).toThrow("10.20.0.0/16 has no subnet number 4 of /18");
    expect(() => cidrSubnet("nope", 2, 0)).toThrow('"nope" is not an IPv4 CIDR');
  });

  it("detects overlap and containment", () => {
    const p = (s: string) => parseCidr(s)!;
    expect([
      cidrsOverlap(p("10.0.0.0/16"), p("10.0.255.0/24")),
      cidrsOverlap(p("10.0.0.0/24"), p("10.0.1.0/24")),
      cidrContains(p("10.0.0.0/16"), p("10.0.1.0/24")),
      cidrContains(p("10.0.1.0/24"), p("10.0.0.0/16")),
      cidrContains(p("10.0.0.0/16"), p("10.1.0.0/24")),
    ]).toEqual([true, false, true, false, false]);
  });

  it("plans private /18s and public /20s that never overlap, for 2 and 3 zones", () => {
    expect(defaultSubnetCidrs("10.20.0.0/16", 3)).toEqual({
      private: ["10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"],
      public: ["10.20.192.0/20", "10.20.208.0/20", "10.20.224.0/20"],
    });
    expect(defaultSubnetCidrs("10.0.0.0/20", 2)).toEqual({
      private: ["10.0.0.0/22", "10.0.4.0/22"],
      public: ["10.0.12.0/24", "10.0.13.0/24"],
    });
  });
});

describe("resolveEksClusterArgs", () => {
  const args = (extra: Partial<EksClusterArgs> = {}): EksClusterArgs => ({
    clusterName: "c",
    network: { mode: "create", cidr: "10.0.0.0/16", availabilityZones: ["eu-central-1a", "eu-central-1b"] },
    nodeGroups: [{ name: "a", minSize: 1, maxSize: 2 }],
    aws: ctx,
    ...extra,
  });

  it("applies every default with ?? (an explicit 0 or false stays)", () => {
    const r = resolveEksClusterArgs(
      args({
        deletionProtection: false,
        nodeGroups: [{ name: "a", minSize: 0, maxSize: 2, desiredSize: 0 }],
      }),
    );
    expect([
      r.version,
      r.endpoint,
      r.logTypes,
      r.deletionProtection,
      r.bootstrapCreatorAdmin,
      r.network,
    ]).toEqual([
      "1.34",
      EKS_DEFAULTS.endpoint,
      ["api", "audit", "authenticator"],
      false,
      true,
      {
        mode: "create",
        cidr: "10.0.0.0/16",
        availabilityZones: ["eu-central-1a", "eu-central-1b"],
        privateSubnetCidrs: ["10.0.0.0/18", "10.0.64.0/18"],
        publicSubnetCidrs: ["10.0.192.0/20", "10.0.208.0/20"],
        natGateways: "perAz",
      },
    ]);
    expect(r.nodeGroups[0]).toEqual({
      name: "a",
      minSize: 0,
      desiredSize: 0,
      maxSize: 2,
      instanceTypes: ["m6i.large"],
      capacityType: "ON_DEMAND",
      diskSize: 50,
      amiType: "AL2023_x86_64_STANDARD",
      maxUnavailable: 1,
    });
    expect(Object.keys(r.addons)).toEqual([
      "vpc-cni",
      "kube-proxy",
      "eks-pod-identity-agent",
      "coredns",
      "aws-ebs-csi-driver",
    ]);
  });

  it("throws one error listing every problem", () => {
    expect(() =>
      resolveEksClusterArgs(
        args({
          version: "1.20",
          nodeGroups: [
            { name: "a", minSize: 3, maxSize: 1, maxUnavailable: 1, maxUnavailablePercentage: 10 },
          ],
        }),
      ),
    ).toThrow(
      "invalid EksCluster arguments (c), 3 problems:\n" +
        "  - version: Kubernetes 1.20 is not supported: use one of 1.32, 1.33, 1.34, 1.35\n" +
        "  - nodeGroups.0.minSize: 3 is greater than maxSize 1\n" +
        "  - nodeGroups.0: give maxUnavailable or maxUnavailablePercentage, not both",
    );
  });
});
