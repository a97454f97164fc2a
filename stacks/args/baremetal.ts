import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../schema/platform";
import type { SecretValue } from "../schema/common";
import { bareMetalClusterProblems } from "../../components/cluster/baremetal";
import type { BareMetalClusterArgs, SshArgs } from "../../components/cluster/baremetal";
import { prefixProblems, type Problem } from "../../components/problems";

type BareMetalConfig = Extract<PlatformConfig["cluster"], { kind: "baremetal" }>;
type SshConfig = NonNullable<BareMetalConfig["ssh"]>;

const secretOf = (v: SecretValue | undefined) => (v === undefined ? undefined : pulumi.secret(v.value));

function sshArgs(s: SshConfig | undefined): SshArgs | undefined {
  if (!s) return undefined;
  return {
    ...s,
    privateKey: secretOf(s.privateKey),
    bastion: s.bastion && { ...s.bastion, privateKey: secretOf(s.bastion.privateKey) },
  };
}

/** BareMetalCluster arguments from the `cluster` section (secrets wrapped in pulumi.secret). */
export function bareMetalClusterArgs(clusterName: string, cluster: BareMetalConfig): BareMetalClusterArgs {
  const c = cluster;
  return {
    clusterName,
    distribution: c.distribution,
    version: c.version,
    servers: c.servers.map((n) => ({ ...n, ssh: sshArgs(n.ssh) })),
    agents: c.agents?.map((n) => ({ ...n, ssh: sshArgs(n.ssh) })),
    ssh: sshArgs(c.ssh),
    apiEndpoint: c.apiEndpoint,
    apiPort: c.apiPort,
    joinAddress: c.joinAddress,
    tlsSans: c.tlsSans,
    install: c.install,
    cni: c.cni,
    clusterCidr: c.clusterCidr,
    serviceCidr: c.serviceCidr,
    disable: c.disable,
    cis: c.cis,
    kubeletArgs: c.kubeletArgs,
    readyTimeout: c.readyTimeout,
    drainTimeout: c.drainTimeout,
    retainOnDelete: c.retainOnDelete,
  };
}

/** The component's own checks of a bare-metal `cluster` section, under `cluster.`. */
export function bareMetalConfigProblems(config: PlatformConfig): Problem[] {
  const { cluster } = config;
  if (cluster.kind !== "baremetal") return [];
  return prefixProblems(
    "cluster",
    bareMetalClusterProblems(bareMetalClusterArgs(cluster.name ?? config.name, cluster)),
  );
}
