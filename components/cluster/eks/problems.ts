import { taintProblems } from "../../k8sNames";
import type { Problem } from "../../problems";
import { secretProblems } from "../../secretGuard";
import { cidrContains, cidrSubnet, cidrsOverlap, parseCidr } from "./cidr";
import {
  DEFAULTS,
  SUPPORTED_KUBERNETES_VERSIONS,
  type CreateVpcNetwork,
  type EksClusterArgs,
  type ExistingVpcNetwork,
  type NodeGroupArgs,
} from "./args";

/** The most nodes an EKS managed node group holds (the AWS service quota). */
export const EKS_MAX_NODES_PER_GROUP = 1000;

/** Pure checks of EKS cluster args; config validation reports them with `cluster.` paths. */

/** Default subnet plan of a created VPC: private /n+2 blocks first, public /n+4 blocks in the last quarter. */
export function defaultSubnetCidrs(
  vpcCidr: string,
  azCount: number,
): { private: string[]; public: string[] } {
  const idx = [...Array(azCount).keys()];
  return {
    private: idx.map((i) => cidrSubnet(vpcCidr, 2, i)),
    public: idx.map((i) => cidrSubnet(vpcCidr, 4, 12 + i)),
  };
}

function networkProblems(n: CreateVpcNetwork | ExistingVpcNetwork): Problem[] {
  const out: Problem[] = [];
  if (n.mode === "existing") {
    if (n.privateSubnetIds.length < 2)
      out.push({
        path: "network.privateSubnetIds",
        message: "needs subnets in at least two availability zones (EKS requires it)",
      });
    return out;
  }
  const vpc = parseCidr(n.cidr);
  if (!vpc)
    out.push({ path: "network.cidr", message: `"${n.cidr}" is not an IPv4 CIDR such as 10.20.0.0/16` });
  else if (vpc.bits < 16 || vpc.bits > 22)
    out.push({ path: "network.cidr", message: "must be between /16 and /22 (AWS allows /16 at most)" });
  const azs = n.availabilityZones;
  if (azs.length < 2 || azs.length > 3)
    out.push({ path: "network.availabilityZones", message: `lists ${azs.length} zones: give 2 or 3` });
  if (new Set(azs).size !== azs.length)
    out.push({ path: "network.availabilityZones", message: "lists a zone twice" });
  const subnets: { path: string; text: string }[] = [];
  for (const kind of ["private", "public"] as const) {
    const key = `${kind}SubnetCidrs` as const;
    const given = n[key];
    if (given === undefined) {
      if (vpc && vpc.bits <= 22)
        defaultSubnetCidrs(n.cidr, azs.length)[kind].forEach((text, i) =>
          subnets.push({ path: `network.${key}.${i}`, text }),
        );
      continue;
    }
    if (given.length !== azs.length)
      out.push({
        path: `network.${key}`,
        message: `has ${given.length} entries for ${azs.length} availability zones: give one per zone, in the same order`,
      });
    given.forEach((text, i) => subnets.push({ path: `network.${key}.${i}`, text }));
  }
  const parsed = subnets.map((s) => ({ ...s, cidr: parseCidr(s.text) }));
  parsed.forEach((s, i) => {
    if (!s.cidr) {
      out.push({ path: s.path, message: `"${s.text}" is not an IPv4 CIDR such as 10.20.0.0/19` });
      return;
    }
    if (vpc && !cidrContains(vpc, s.cidr))
      out.push({ path: s.path, message: `${s.text} is not inside the VPC CIDR ${n.cidr}` });
    const clash = parsed.slice(0, i).find((o) => o.cidr && cidrsOverlap(o.cidr, s.cidr!));
    if (clash)
      out.push({
        path: s.path,
        message: `${s.text} overlaps ${clash.text} (${clash.path.replace(/^network\./, "")}): subnet CIDRs must not overlap`,
      });
  });
  return out;
}

function nodeGroupProblems(groups: NodeGroupArgs[]): Problem[] {
  const out: Problem[] = [];
  if (groups.length === 0)
    out.push({ path: "nodeGroups", message: "is empty: give at least one node group" });
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    const at = `nodeGroups.${i}`;
    if (seen.has(g.name))
      out.push({
        path: `${at}.name`,
        message: `"${g.name}" is used by another node group: names must be unique`,
      });
    seen.add(g.name);
    if (g.minSize > g.maxSize)
      out.push({ path: `${at}.minSize`, message: `${g.minSize} is greater than maxSize ${g.maxSize}` });
    if (g.maxSize < 1) out.push({ path: `${at}.maxSize`, message: "must be at least 1" });
    if (g.maxSize > EKS_MAX_NODES_PER_GROUP)
      out.push({
        path: `${at}.maxSize`,
        message: `${g.maxSize} is more than a managed node group can hold (${EKS_MAX_NODES_PER_GROUP}): split the nodes into several groups`,
      });
    const desired = g.desiredSize ?? g.minSize;
    if (g.desiredSize !== undefined && (desired < g.minSize || desired > g.maxSize))
      out.push({
        path: `${at}.desiredSize`,
        message: `${desired} is outside minSize..maxSize (${g.minSize}..${g.maxSize})`,
      });
    if (g.maxUnavailable !== undefined && g.maxUnavailablePercentage !== undefined)
      out.push({ path: at, message: "give maxUnavailable or maxUnavailablePercentage, not both" });
    (g.taints ?? []).forEach((t, j) =>
      out.push(
        ...taintProblems(t).map((p) => ({ path: `${at}.taints.${j}.${p.field}`, message: p.message })),
      ),
    );
  });
  return out;
}

/** Every problem in the args, with paths relative to the args. Pure; used by config validation too. */
export function eksClusterProblems(args: Omit<EksClusterArgs, "aws" | "clusterName">): Problem[] {
  const out: Problem[] = [];
  const version = args.version ?? DEFAULTS.version;
  if (!(SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version))
    out.push({
      path: "version",
      message: `Kubernetes ${version} is not supported: use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
    });
  out.push(...networkProblems(args.network));
  const ep = { ...DEFAULTS.endpoint, ...args.endpoint };
  if (!ep.privateAccess && !ep.publicAccess)
    out.push({
      path: "endpoint",
      message: "privateAccess and publicAccess are both false: enable at least one",
    });
  if (ep.publicAccess && ep.requirePublicAccessCidrs && ep.publicAccessCidrs.length === 0)
    out.push({
      path: "endpoint.publicAccessCidrs",
      message:
        "is empty but publicAccess is true: list the CIDRs allowed to reach the API (or set requirePublicAccessCidrs: false to allow 0.0.0.0/0)",
    });
  if (!ep.publicAccess && ep.publicAccessCidrs.length > 0)
    out.push({
      path: "endpoint.publicAccessCidrs",
      message: "has no effect without publicAccess: true; remove it or enable the public endpoint",
    });
  ep.publicAccessCidrs.forEach((c, i) => {
    if (!parseCidr(c))
      out.push({
        path: `endpoint.publicAccessCidrs.${i}`,
        message: `"${c}" is not an IPv4 CIDR such as 203.0.113.0/24`,
      });
  });
  out.push(...nodeGroupProblems(args.nodeGroups), ...eksSecretProblems(args));
  return out;
}

/** No credential in the free-form fields EKS and the state keep in plain text. */
function eksSecretProblems(args: Omit<EksClusterArgs, "aws" | "clusterName">): Problem[] {
  const metadata =
    "labels and tags are public metadata, readable by anyone who may list the nodes or describe the resources: remove it, and keep the credential in a Secret or in Secrets Manager (`pulumi config set --secret --path 'secrets.items.<name>.value' <value>`)";
  return [
    ...Object.entries(args.addons ?? {}).flatMap(([name, addon]) =>
      secretProblems(
        addon?.configurationValues,
        `addons.${name}.configurationValues`,
        "EKS keeps add-on configuration in plain text (so does the state): give the add-on its credential through a Secret it reads, or Secrets Manager (`pulumi config set --secret --path 'secrets.items.<name>.value' <value>`)",
      ),
    ),
    ...args.nodeGroups.flatMap((g, i) => secretProblems(g.labels, `nodeGroups.${i}.labels`, metadata)),
    ...secretProblems(args.tags, "tags", metadata),
  ];
}
