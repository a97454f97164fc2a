/** Valid EKS platform values for the AWS tests (on top of the shared base values). */
import { baseValues, deploy, KNOWN_HOSTS, parse, withValues, type Deployed } from "../../../helpers/platform";

export const KNOWN = KNOWN_HOSTS;

export const ACCOUNT = "123456789012";
export const REGION = "eu-central-1";
export const AWS_PROVIDER = "pulumi:providers:aws::aws";

export function eksCluster(): Record<string, unknown> {
  return {
    kind: "eks",
    version: "1.34",
    network: { mode: "create", cidr: "10.20.0.0/16", availabilityZones: ["eu-central-1a", "eu-central-1b"] },
    endpoint: { privateAccess: true, publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    accessEntries: {
      admins: { principalArn: `arn:aws:iam::${ACCOUNT}:role/platform-admins` },
      devs: {
        principalArn: `arn:aws:iam::${ACCOUNT}:role/devs`,
        kubernetesGroups: ["slice-devs"],
        policies: { AmazonEKSEditPolicy: { namespaces: ["slices"] }, AmazonEKSViewPolicy: {} },
      },
    },
    nodeGroups: [
      {
        name: "system",
        minSize: 2,
        maxSize: 4,
        labels: { pool: "system" },
        taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }],
      },
      {
        name: "workloads",
        instanceTypes: ["m6i.2xlarge"],
        capacityType: "SPOT",
        minSize: 1,
        desiredSize: 3,
        maxSize: 6,
        diskSize: 100,
        maxUnavailablePercentage: 25,
      },
    ],
    addons: { "vpc-cni": { version: "v1.20.4-eksbuild.1" }, coredns: { version: "v1.12.4-eksbuild.1" } },
  };
}

export const dnsSection = () => ({
  parentDomain: "telco.example.com",
  delegation: { parentZoneId: "Z0PARENT" },
});
export const secretsSection = () => ({
  recoveryWindowInDays: 7,
  items: {
    "grafana/admin": { generate: { length: 32, special: false } },
    "vendor-a/license": { value: "LICENSE-SECRET-VALUE" },
  },
});

/** EKS + dns + secrets values, with a patch merged in. */
export function eksValues(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const base = { ...baseValues(), cluster: eksCluster(), dns: dnsSection(), secrets: secretsSection() };
  return withValues(patch, base);
}

/** Values of an existing (non-EKS) cluster with dns and secrets. */
export function existingWithAwsValues(): Record<string, unknown> {
  return withValues({ dns: dnsSection(), secrets: secretsSection() });
}

export const deployValues = (values: Record<string, unknown>): Promise<Deployed> => deploy(parse(values));

/** A JSON-string input parsed. */
export const json = (v: unknown) => JSON.parse(String(v)) as unknown;

/** The resource of this type and name (fails when absent). */
export function named(d: Deployed, type: string, name: string) {
  const r = d.resources.find((x) => x.type === type && x.name === name);
  if (!r)
    throw new Error(`no ${type} ${name}; have ${d.resources.map((x) => `${x.type}::${x.name}`).join(", ")}`);
  return r;
}
