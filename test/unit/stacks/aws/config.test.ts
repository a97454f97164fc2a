import { configError, parse, withValues } from "../../../helpers/platform";
import { eksCluster, eksValues } from "./fixtures";

const problems = (values: Record<string, unknown>) =>
  configError(values)
    .split("\n")
    .filter((l) => l.startsWith("  - "))
    .map((l) => l.slice(4));

const nodeGroup = (extra: Record<string, unknown>) => ({ name: "system", minSize: 1, maxSize: 3, ...extra });

describe("EKS, dns and secrets configuration", () => {
  it("accepts the EKS platform with dns and secrets, and keeps the supplied secret a SecretValue", () => {
    const config = parse(eksValues());
    expect(config.cluster.kind).toBe("eks");
    expect(String(config.secrets?.items?.["vendor-a/license"].value)).toBe("[secret]");
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "node group min > max, desired outside the range",
      {
        cluster: {
          nodeGroups: [nodeGroup({ minSize: 5, maxSize: 3 }), nodeGroup({ name: "b", desiredSize: 9 })],
        },
      },
      [
        "cluster.nodeGroups.0.minSize: 5 is greater than maxSize 3",
        "cluster.nodeGroups.1.desiredSize: 9 is outside minSize..maxSize (1..3)",
      ],
    ],
    [
      "duplicate node group names",
      { cluster: { nodeGroups: [nodeGroup({}), nodeGroup({})] } },
      ['cluster.nodeGroups.1.name: "system" is used by another node group: names must be unique'],
    ],
    [
      "no node group",
      { cluster: { nodeGroups: [] } },
      ["cluster.nodeGroups: is empty: give at least one node group"],
    ],
    [
      "an unsupported Kubernetes version",
      { cluster: { version: "1.27" } },
      ["cluster.version: Kubernetes 1.27 is not supported: use one of 1.32, 1.33, 1.34, 1.35"],
    ],
    [
      "a public endpoint without CIDRs",
      { cluster: { endpoint: { publicAccess: true, publicAccessCidrs: [] } } },
      [
        "cluster.endpoint.publicAccessCidrs: is empty but publicAccess is true: list the CIDRs allowed to reach the API (or set requirePublicAccessCidrs: false to allow 0.0.0.0/0)",
      ],
    ],
    [
      "no endpoint at all, and CIDRs for a closed public endpoint",
      {
        cluster: {
          endpoint: { privateAccess: false, publicAccess: false, publicAccessCidrs: ["10.0.0.0/8"] },
        },
      },
      [
        "cluster.endpoint: privateAccess and publicAccess are both false: enable at least one",
        "cluster.endpoint.publicAccessCidrs: has no effect without publicAccess: true; remove it or enable the public endpoint",
      ],
    ],
    [
      "overlapping subnet CIDRs and a subnet outside the VPC",
      {
        cluster: {
          network: {
            privateSubnetCidrs: ["10.20.0.0/19", "10.20.16.0/20"],
            publicSubnetCidrs: ["10.20.128.0/24", "10.99.0.0/24"],
          },
        },
      },
      [
        "cluster.network.privateSubnetCidrs.1: 10.20.16.0/20 overlaps 10.20.0.0/19 (privateSubnetCidrs.0): subnet CIDRs must not overlap",
        "cluster.network.publicSubnetCidrs.1: 10.99.0.0/24 is not inside the VPC CIDR 10.20.0.0/16",
      ],
    ],
    [
      "subnet lists that do not match the zones, one zone only",
      {
        cluster: {
          network: {
            availabilityZones: ["eu-central-1a"],
            privateSubnetCidrs: ["10.20.0.0/19", "10.20.32.0/19"],
          },
        },
      },
      [
        "cluster.network.availabilityZones: lists 1 zones: give 2 or 3",
        "cluster.network.privateSubnetCidrs: has 2 entries for 1 availability zones: give one per zone, in the same order",
      ],
    ],
    [
      "a bad VPC CIDR",
      { cluster: { network: { cidr: "10.20.0.1/16" } } },
      ['cluster.network.cidr: "10.20.0.1/16" is not an IPv4 CIDR such as 10.20.0.0/16'],
    ],
    [
      "a cluster name EKS or IAM would refuse",
      { cluster: { name: "de.dev" } },
      [
        "cluster.name: must be lowercase letters, digits and '-', at most 56 characters (IAM role names <name>-cluster and <name>-ebs-csi are limited to 64)",
      ],
    ],
    [
      "a zone not under its parent domain",
      { dns: { zoneName: "de-dev.other.example.org" } },
      [
        "dns.zoneName: zone de-dev.other.example.org is not under the parent domain telco.example.com: use a zone name ending in .telco.example.com",
      ],
    ],
    [
      "an adopted zone with delegation",
      { dns: { existingZoneId: "Z0EXISTING" } },
      [
        "dns.delegation: is for a zone the program creates; an adopted zone (existingZoneId) is delegated already: remove one",
      ],
    ],
    [
      "a secret with both generate and value, a bad recovery window",
      { secrets: { recoveryWindowInDays: 3, items: { x: { generate: { length: 16 }, value: "v" } } } },
      [
        "secrets.recoveryWindowInDays: must be 0 (delete at once) or 7 to 30 days",
        "secrets.items.x: give exactly one of generate (a generated value) and value (a secure config value)",
      ],
    ],
    [
      "wrong spellings in the EKS section",
      {
        cluster: {
          nodeGroups: [nodeGroup({ taints: [{ key: "a", effect: "NoSchedule" }] })],
          addons: { "vpc-cni": { version: "1.2" } },
        },
      },
      [
        "cluster.nodeGroups.0.taints.0.effect: must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE (the EKS API spelling)",
        "cluster.addons.vpc-cni.version: must be an add-on version such as v1.19.0-eksbuild.1",
      ],
    ],
  ])("rejects %s with every problem and its path", (_case, patch, expected) => {
    expect(problems(eksValues(patch))).toEqual(expected);
  });

  it("keeps extra secrets off the access-key Secrets the program creates on non-EKS substrates", () => {
    const extra = (namespace: string, name: string) => ({ namespace, name, data: { k: "v" } });
    const values = withValues({
      dns: {
        parentDomain: "telco.example.com",
        externalDns: { namespace: "dns", serviceAccount: "external-dns" },
      },
      secrets: {},
      flux: {
        extraSecrets: [
          extra("dns", "external-dns-aws-credentials"),
          extra("external-secrets", "external-secrets-aws-credentials"),
          extra("dns", "other"),
        ],
      },
    });
    expect(problems(values)).toEqual([
      "flux.extraSecrets.0.name: dns/external-dns-aws-credentials holds the AWS access key of external-dns, created by the program: choose another name",
      "flux.extraSecrets.1.name: external-secrets/external-secrets-aws-credentials holds the AWS access key of External Secrets Operator, created by the program: choose another name",
    ]);
  });

  it("requires a supplied secret value to be secure", () => {
    expect(problems(eksValues())).toEqual([]);
    expect(configError(eksValues(), ["secrets"])).toContain(
      "secrets.items.vendor-a/license.value: is a secret but is stored in plain text: run `pulumi config set --secret --path 'secrets.items.vendor-a/license.value' <value>`",
    );
  });

  it("accepts dns and secrets on a non-EKS cluster, and an EKS cluster without them", () => {
    expect(problems(withValues({ dns: { parentDomain: "telco.example.com" }, secrets: {} }))).toEqual([]);
    expect(
      problems(withValues({ cluster: eksCluster() }, { ...eksValues(), dns: undefined, secrets: undefined })),
    ).toEqual([]);
  });
});
