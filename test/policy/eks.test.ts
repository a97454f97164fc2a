import {
  cidrWithin,
  eksControlPlaneLogging,
  eksKubernetesVersion,
  eksNodeSubnetsPrivate,
  eksNodesNoPublicIp,
  eksPublicEndpoint,
  eksSecretsEncryption,
  nodeGroupSubnets,
  parseMinor,
} from "../../policy/rules/eks";
import { resource, stackViolations, violations } from "./helpers";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const KEY = "arn:aws:kms:eu-central-1:123456789012:key/abc";

describe("eks-secrets-encryption", () => {
  const check = (props: Record<string, unknown>) => violations(eksSecretsEncryption, CLUSTER, props);
  it("passes a cluster encrypting secrets", async () => {
    expect(await check({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } } })).toEqual(
      [],
    );
  });
  it("ignores other types", async () => {
    expect(await violations(eksSecretsEncryption, NODE_GROUP, {})).toEqual([]);
  });
  it("fails without encryptionConfig", async () => {
    expect(await check({})).toEqual([
      'EKS clusters must encrypt Kubernetes Secrets with a KMS key: encryptionConfig is not set; set encryptionConfig { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.',
    ]);
  });
  it("fails when secrets are not among the encrypted resources", async () => {
    expect(await check({ encryptionConfig: { resources: [], provider: { keyArn: KEY } } })).toEqual([
      'EKS clusters must encrypt Kubernetes Secrets with a KMS key: encryptionConfig.resources does not list "secrets"; set resources to ["secrets"].',
    ]);
  });
});

describe("eks-public-endpoint", () => {
  const check = (vpcConfig: Record<string, unknown>, config: object = {}) =>
    violations(eksPublicEndpoint, CLUSTER, { vpcConfig }, { config });
  it("passes a private endpoint", async () => {
    expect(await check({ endpointPublicAccess: false, endpointPrivateAccess: true })).toEqual([]);
  });
  it("passes a public endpoint restricted to allowed CIDRs (or CIDRs within them)", async () => {
    const config = { allowedPublicCidrs: ["203.0.113.0/24", "198.51.100.0/22"] };
    expect(
      await check(
        { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "198.51.101.0/24"] },
        config,
      ),
    ).toEqual([]);
  });
  it("fails a public endpoint open to the internet (explicitly or by default)", async () => {
    const message =
      "The EKS API endpoint must be private or restricted to listed CIDRs: the public endpoint is open to 0.0.0.0/0 (endpointPublicAccess defaults to true); set vpcConfig.endpointPublicAccess to false with endpointPrivateAccess true, or set vpcConfig.publicAccessCidrs to CIDRs listed in this policy's allowedPublicCidrs.";
    expect(await check({})).toEqual([message]);
    expect(await check({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })).toEqual([message]);
  });
  it("fails public CIDRs the policy does not list", async () => {
    expect(await check({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })).toEqual([
      "The EKS API endpoint must be private or restricted to listed CIDRs: publicAccessCidrs 203.0.113.0/24 is not within allowedPublicCidrs (none allowed); remove it, or add it to allowedPublicCidrs in the policy config.",
    ]);
    expect(
      await check(
        { publicAccessCidrs: ["10.0.0.0/8", "192.0.2.0/24"] },
        { allowedPublicCidrs: ["198.51.100.0/24"] },
      ),
    ).toEqual([
      "The EKS API endpoint must be private or restricted to listed CIDRs: publicAccessCidrs 10.0.0.0/8 and 192.0.2.0/24 are not within allowedPublicCidrs (198.51.100.0/24); remove them, or add them to allowedPublicCidrs in the policy config.",
    ]);
  });
  it("compares IPv4 CIDRs by containment", () => {
    expect(cidrWithin("10.1.2.0/24", "10.0.0.0/8")).toBe(true);
    expect(cidrWithin("10.0.0.0/8", "10.1.2.0/24")).toBe(false);
    expect(cidrWithin("11.0.0.0/24", "10.0.0.0/8")).toBe(false);
    expect(cidrWithin("2001:db8::/32", "2001:db8::/32")).toBe(true);
  });
});

describe("eks-control-plane-logging", () => {
  const check = (types: string[] | undefined, config: object = {}) =>
    violations(eksControlPlaneLogging, CLUSTER, types ? { enabledClusterLogTypes: types } : {}, { config });
  it("passes when api, audit and authenticator are on", async () => {
    expect(await check(["api", "audit", "authenticator", "scheduler"])).toEqual([]);
  });
  it("fails when some are missing", async () => {
    expect(await check(["api"])).toEqual([
      "EKS control-plane logging must include api, audit and authenticator: audit and authenticator are not enabled; add them to enabledClusterLogTypes.",
    ]);
  });
  it("fails when logging is not configured, with the configured list", async () => {
    expect(await check(undefined, { requiredLogTypes: ["audit"] })).toEqual([
      "EKS control-plane logging must include audit: audit is not enabled; add it to enabledClusterLogTypes.",
    ]);
  });
});

describe("eks-kubernetes-version", () => {
  const check = (type: string, props: Record<string, unknown>, config: object = {}) =>
    violations(eksKubernetesVersion, type, props, { config });
  const rule = "EKS Kubernetes versions must be pinned within the supported window 1.32 to 1.35";
  it("passes versions within the window; a node group may follow its cluster", async () => {
    expect(await check(CLUSTER, { version: "1.34" })).toEqual([]);
    expect(await check(NODE_GROUP, { version: "1.32" })).toEqual([]);
    expect(await check(NODE_GROUP, {})).toEqual([]);
  });
  it("fails an unpinned cluster", async () => {
    expect(await check(CLUSTER, {})).toEqual([
      `${rule}: version is not set, so EKS picks its default; set version, e.g. "1.35".`,
    ]);
  });
  it("fails a version that is not a minor version", async () => {
    expect(await check(CLUSTER, { version: "latest" })).toEqual([
      `${rule}: version "latest" is not a Kubernetes minor version; set a version such as "1.35".`,
    ]);
  });
  it("fails versions below and above the window", async () => {
    expect(await check(NODE_GROUP, { version: "1.29" })).toEqual([
      `${rule}: version 1.29 is older than 1.32; upgrade to a version within 1.32 to 1.35.`,
    ]);
    expect(await check(CLUSTER, { version: "1.36" }, { minVersion: "1.33", maxVersion: "1.35" })).toEqual([
      "EKS Kubernetes versions must be pinned within the supported window 1.33 to 1.35: version 1.36 is newer than 1.35; use a version within 1.33 to 1.35, or raise maxVersion in the policy config once it is supported.",
    ]);
  });
  it("parses minor versions", () => {
    expect(parseMinor("v1.34.2")).toEqual([1, 34]);
    expect(parseMinor("1.x")).toBeUndefined();
  });
});

describe("eks-nodes-no-public-ip", () => {
  const LT = "aws:ec2/launchTemplate:LaunchTemplate";
  it("passes launch templates without public addresses", async () => {
    expect(
      await violations(eksNodesNoPublicIp, LT, {
        networkInterfaces: [{ associatePublicIpAddress: "false" }],
      }),
    ).toEqual([]);
    expect(await violations(eksNodesNoPublicIp, LT, {})).toEqual([]);
  });
  it("fails a network interface that associates a public IP", async () => {
    expect(
      await violations(eksNodesNoPublicIp, LT, {
        networkInterfaces: [{}, { associatePublicIpAddress: "true" }],
      }),
    ).toEqual([
      "Worker nodes must not get public IP addresses: networkInterfaces[1].associatePublicIpAddress is true; set it to false and place node groups in private subnets.",
    ]);
  });
});

describe("eks-node-subnets-private", () => {
  const SUBNET = "aws:ec2/subnet:Subnet";
  const rule = "Worker nodes must not get public IP addresses";
  it("passes node groups in private subnets (linked by property dependencies or by id)", async () => {
    const priv = resource(SUBNET, "private-a", { id: "subnet-1", mapPublicIpOnLaunch: false });
    const pub = resource(SUBNET, "public-a", { id: "subnet-2", mapPublicIpOnLaunch: true });
    const ng = resource(NODE_GROUP, "ng", { subnetIds: ["subnet-1"] });
    expect(await stackViolations(eksNodeSubnetsPrivate, [priv, pub, ng])).toEqual([]);
  });
  it("fails a node group in a subnet that maps public IPs, found through the engine's property dependencies", async () => {
    const pub = resource(SUBNET, "public-a", { mapPublicIpOnLaunch: true });
    const ng = resource(NODE_GROUP, "ng", { subnetIds: ["unknown-at-preview"] });
    ng.propertyDependencies = { subnetIds: [pub] };
    expect(await stackViolations(eksNodeSubnetsPrivate, [pub, ng])).toEqual([
      {
        message: `${rule}: node group ng uses subnet public-a, which sets mapPublicIpOnLaunch true; place node groups in private subnets.`,
        resource: "ng",
      },
    ]);
    expect(
      nodeGroupSubnets(ng, [pub, resource(SUBNET, "b", { id: "unknown-at-preview" })]).map((s) => s.name),
    ).toEqual(["public-a", "b"]);
  });
});
