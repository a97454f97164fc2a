import {
  DEFAULTS,
  DISTRIBUTIONS,
  type Cni,
  type Distribution,
  type DistributionFacts,
  type NodeArgs,
  type NodeRole,
  type NodeTaint,
  type BareMetalClusterArgs,
} from "./types";
import { resolveSsh, type ResolvedSsh } from "./ssh";
import { throwIfProblems } from "../../problems";
import { bareMetalClusterProblems } from "./problems";

export type { ResolvedSsh } from "./ssh";

export interface ResolvedNode {
  /** Kubernetes node name; the stable key in resource names. */
  key: string;
  host: string;
  role: NodeRole;
  /** The server that initialises the cluster. */
  first: boolean;
  /** Where it came from in the arguments, e.g. `agents.2`. */
  path: string;
  address?: string;
  ssh: ResolvedSsh;
  labels: Record<string, string>;
  taints: NodeTaint[];
  /** Cluster-wide then node kubelet arguments. */
  kubeletArgs: string[];
}

export interface ResolvedCluster {
  clusterName: string;
  distribution: Distribution;
  facts: DistributionFacts;
  version: string;
  /** Servers in join order, then agents in join order. */
  nodes: ResolvedNode[];
  apiEndpoint: string;
  apiPort: number;
  joinAddress: string;
  /** SANs written to every server's config (the API endpoint included). */
  tlsSans: string[];
  install: {
    mode: "online" | "airgap";
    artifactsDir?: string;
    mirrorUrl?: string;
    scriptUrl: string;
    arch: string;
    /** Lower-case hex digests, when pinned. */
    scriptSha256?: string;
    checksumsSha256?: string;
  };
  cni: Cni;
  clusterCidr: string;
  serviceCidr: string;
  disable: string[];
  cis: boolean;
  readyTimeout: number;
  drainTimeout: number;
  retainOnDelete: boolean;
}

/** Merge the arguments with DEFAULTS; throws one ArgsError with every problem. */
export function resolveBareMetalClusterArgs(args: BareMetalClusterArgs): ResolvedCluster {
  throwIfProblems("BareMetalCluster", args.clusterName, bareMetalClusterProblems(args));
  const distribution = args.distribution ?? DEFAULTS.distribution;
  const facts = DISTRIBUTIONS[distribution];
  const clusterKubeletArgs = args.kubeletArgs ?? [];
  const toNode = (n: NodeArgs, role: NodeRole, i: number): ResolvedNode => ({
    key: n.name ?? n.host.toLowerCase(),
    host: n.host,
    role,
    first: role === "server" && i === 0,
    path: `${role}s.${i}`,
    address: n.address,
    ssh: resolveSsh(args.ssh, n.ssh),
    labels: n.labels ?? {},
    taints: n.taints ?? [],
    kubeletArgs: [...clusterKubeletArgs, ...(n.kubeletArgs ?? [])],
  });
  const nodes = [
    ...args.servers.map((n, i) => toNode(n, "server", i)),
    ...(args.agents ?? []).map((n, i) => toNode(n, "agent", i)),
  ];
  const firstAddress = nodes[0].address ?? nodes[0].host;
  const apiEndpoint = args.apiEndpoint ?? firstAddress;
  const install = args.install ?? {};
  return {
    clusterName: args.clusterName,
    distribution,
    facts,
    version: args.version,
    nodes,
    apiEndpoint,
    apiPort: args.apiPort ?? DEFAULTS.apiPort,
    joinAddress: args.joinAddress ?? firstAddress,
    tlsSans: [...new Set([...(args.tlsSans ?? []), apiEndpoint])],
    install: {
      mode: install.mode ?? "online",
      artifactsDir: install.artifactsDir,
      mirrorUrl: install.mirrorUrl,
      scriptUrl: install.scriptUrl ?? facts.scriptUrl,
      arch: install.arch ?? DEFAULTS.arch,
      scriptSha256: install.scriptSha256?.toLowerCase(),
      checksumsSha256: install.checksumsSha256?.toLowerCase(),
    },
    cni: args.cni ?? facts.defaultCni,
    clusterCidr: args.clusterCidr ?? DEFAULTS.clusterCidr,
    serviceCidr: args.serviceCidr ?? DEFAULTS.serviceCidr,
    disable: args.disable ?? [],
    cis: args.cis ?? DEFAULTS.cis,
    readyTimeout: args.readyTimeout ?? DEFAULTS.readyTimeout,
    drainTimeout: args.drainTimeout ?? DEFAULTS.drainTimeout,
    retainOnDelete: args.retainOnDelete ?? DEFAULTS.retainOnDelete,
  };
}
