import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { ConfigProblem } from "../validate";
import type { KubernetesCluster } from "../../components/cluster/types";
import type { SecretValue } from "../schema/common";
import { BareMetalCluster, validateBareMetalArgs } from "../../components/cluster/baremetal";
import type { BareMetalClusterArgs, SshArgs } from "../../components/cluster/baremetal";

type BaremetalConfig = Extract<PlatformConfig["cluster"], { kind: "baremetal" }>;
type SshConfig = NonNullable<BaremetalConfig["ssh"]>;

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
export function baremetalArgs(clusterName: string, cluster: BaremetalConfig): BareMetalClusterArgs {
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

/** The cross-field rules of a bare-metal cluster, as config problems (paths under `cluster.`). */
export function checkBaremetalCluster(config: PlatformConfig): ConfigProblem[] {
  const { cluster } = config;
  if (cluster.kind !== "baremetal") return [];
  return validateBareMetalArgs(baremetalArgs(cluster.name ?? config.name, cluster)).map((p) => ({
    path: `cluster.${p.path}`,
    message: p.message,
  }));
}

/** Build the bare-metal cluster of a platform (`cluster.kind: baremetal`). */
export function buildBaremetalCluster(config: PlatformConfig, cluster: BaremetalConfig): KubernetesCluster {
  const clusterName = cluster.name ?? config.name;
  return new BareMetalCluster(clusterName, baremetalArgs(clusterName, cluster));
}
