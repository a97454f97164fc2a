import * as pulumi from "@pulumi/pulumi";
import * as aws from "../../aws/sdk";
import type { AwsContext } from "../../aws";
import type { CreateVpcNetwork } from "./args";

/** Subnet tags that let the AWS Load Balancer Controller find subnets. */
export function subnetTags(clusterName: string, kind: "private" | "public"): Record<string, string> {
  return {
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
    [kind === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
  };
}

export interface Network {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string>[];
  publicSubnetIds: pulumi.Output<string>[];
  /** What must exist before nodes can reach the internet (routes through the NAT gateways). */
  ready: pulumi.Resource[];
}

/**
 * A VPC across the given AZs: public and private subnet per AZ (keyed by AZ name), an internet
 * gateway, NAT per AZ or a single one, and route tables.
 */
export function createVpc(
  name: string,
  clusterName: string,
  n: Required<CreateVpcNetwork>,
  ctx: AwsContext,
  parent: pulumi.Resource,
): Network {
  const opts = { parent, provider: ctx.provider };
  const tags = (suffix: string, extra: Record<string, string> = {}) => ({
    ...ctx.tags,
    ...extra,
    Name: `${clusterName}-${suffix}`,
  });
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: n.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
    opts,
  );
  const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags("igw") }, opts);
  const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, tags: tags("public") }, opts);
  const publicRoute = new aws.ec2.Route(
    `${name}-public-default`,
    { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
    opts,
  );
  const pub = new Map<string, aws.ec2.Subnet>();
  n.availabilityZones.forEach((az, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-public-${az}`,
      {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: n.publicSubnetCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: tags(`public-${az}`, subnetTags(clusterName, "public")),
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-public-${az}`,
      { subnetId: subnet.id, routeTableId: publicRt.id },
      opts,
    );
    pub.set(az, subnet);
  });
  const natAzs = n.natGateways === "single" ? [n.availabilityZones[0]] : n.availabilityZones;
  const nats = new Map<string, aws.ec2.NatGateway>();
  for (const az of natAzs) {
    const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: tags(`nat-${az}`) }, opts);
    nats.set(
      az,
      new aws.ec2.NatGateway(
        `${name}-nat-${az}`,
        { allocationId: eip.id, subnetId: pub.get(az)!.id, tags: tags(`nat-${az}`) },
        { ...opts, dependsOn: [igw] },
      ),
    );
  }
  const privateSubnets: aws.ec2.Subnet[] = [];
  const ready: pulumi.Resource[] = [publicRoute];
  n.availabilityZones.forEach((az, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-private-${az}`,
      {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: n.privateSubnetCidrs[i],
        tags: tags(`private-${az}`, subnetTags(clusterName, "private")),
      },
      opts,
    );
    const rt = new aws.ec2.RouteTable(
      `${name}-private-rt-${az}`,
      { vpcId: vpc.id, tags: tags(`private-${az}`) },
      opts,
    );
    const nat = nats.get(az) ?? nats.get(natAzs[0])!;
    ready.push(
      new aws.ec2.Route(
        `${name}-private-default-${az}`,
        { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
        opts,
      ),
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${az}`,
        { subnetId: subnet.id, routeTableId: rt.id },
        opts,
      ),
    );
    privateSubnets.push(subnet);
  });
  return {
    vpcId: vpc.id,
    privateSubnetIds: privateSubnets.map((s) => s.id),
    publicSubnetIds: [...pub.values()].map((s) => s.id),
    ready,
  };
}

/**
 * Load balancer discovery tags on the subnets of an existing VPC (one `ec2.Tag` per subnet and key,
 * keyed by subnet id; removed again with the cluster).
 */
export function tagExistingSubnets(
  name: string,
  clusterName: string,
  subnets: { private: string[]; public: string[] },
  ctx: AwsContext,
  parent: pulumi.Resource,
): pulumi.Resource[] {
  const out: pulumi.Resource[] = [];
  for (const kind of ["private", "public"] as const)
    for (const subnet of subnets[kind])
      for (const [key, value] of Object.entries(subnetTags(clusterName, kind)))
        out.push(
          new aws.ec2.Tag(
            `${name}-${subnet}-${key.replace(/^kubernetes\.io\//, "").replace(/\//g, "-")}`,
            { resourceId: subnet, key, value },
            { parent, provider: ctx.provider },
          ),
        );
  return out;
}
