/** Shared inputs of the bare-metal tests. */
import {
  resolveBareMetalClusterArgs,
  type BareMetalClusterArgs,
  type ResolvedCluster,
} from "../../../../../components/cluster/baremetal";

export const KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-SSH-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";

/** A bastion's own key, told apart from KEY in the secrecy checks. */
export const BASTION_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-BASTION-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";

/** Three servers and two agents, RKE2, online install, key for every node. */
export function clusterArgs(patch: Partial<BareMetalClusterArgs> = {}): BareMetalClusterArgs {
  return {
    clusterName: "de-prod",
    version: "v1.31.4+rke2r1",
    apiEndpoint: "api.example.net",
    tlsSans: ["api.example.net", "10.0.0.10"],
    ssh: { user: "root", privateKey: KEY },
    servers: [
      { host: "10.0.0.11", name: "s1" },
      { host: "10.0.0.12", name: "s2" },
      { host: "10.0.0.13", name: "s3" },
    ],
    agents: [
      {
        host: "10.0.1.21",
        name: "a1",
        labels: { pool: "cnf" },
        taints: [{ key: "dedicated", value: "cnf", effect: "NoSchedule" }],
      },
      { host: "10.0.1.22", name: "a2" },
    ],
    ...patch,
  };
}

/** A valid platform config (stack values) with a bare-metal cluster. */
export function bareMetalValues(cluster: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "de-prod",
    environment: "prod",
    owner: "net-int",
    organization: "acme",
    cluster: {
      kind: "baremetal",
      version: "v1.31.4+rke2r1",
      ssh: { user: "ubuntu", privateKey: KEY },
      servers: [{ host: "10.0.0.11", name: "s1" }],
      agents: [{ host: "10.0.1.21", name: "a1" }],
      ...cluster,
    },
    flux: {
      source: { url: "https://git.example.com/acme/fleet.git", ref: { tag: "v1.0.0" } },
      auth: { type: "none" },
    },
  };
}

/** clusterArgs(patch), resolved as the component resolves its args. */
export const resolve = (patch: Partial<BareMetalClusterArgs> = {}) =>
  resolveBareMetalClusterArgs(clusterArgs(patch));

/** The resolved node with this key (fails the test when absent). */
export function node(c: ResolvedCluster, key: string) {
  const n = c.nodes.find((x) => x.key === key);
  if (!n) throw new Error(`no node ${key}`);
  return n;
}
