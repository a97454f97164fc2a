import type * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, type BareMetalClusterArgs, type BastionArgs, type NodeArgs } from "./types";

/** SSH settings of one node, the cluster-wide ones merged in. */
export interface ResolvedSsh {
  user: string;
  port: number;
  privateKey?: pulumi.Input<string>;
  privateKeyPath?: string;
  bastion?: Required<Pick<BastionArgs, "host" | "port" | "user">> &
    Pick<BastionArgs, "privateKey" | "privateKeyPath">;
}

/** A node's SSH settings over the cluster's, field by field; a node's own key (either form) replaces the cluster's. */
export function resolveSsh(cluster: BareMetalClusterArgs["ssh"], node: NodeArgs["ssh"]): ResolvedSsh {
  const user = node?.user ?? cluster?.user ?? DEFAULTS.sshUser;
  // A node's own key replaces the cluster's key whichever form either is given in.
  const ownKey = node?.privateKey !== undefined || node?.privateKeyPath !== undefined;
  const keySource = ownKey ? node : cluster;
  const bastion = node?.bastion ?? cluster?.bastion;
  return {
    user,
    port: node?.port ?? cluster?.port ?? DEFAULTS.sshPort,
    privateKey: keySource?.privateKey,
    privateKeyPath: keySource?.privateKeyPath,
    bastion: bastion && {
      host: bastion.host,
      port: bastion.port ?? DEFAULTS.sshPort,
      user: bastion.user ?? user,
      privateKey:
        bastion.privateKey ?? (bastion.privateKeyPath === undefined ? keySource?.privateKey : undefined),
      privateKeyPath:
        bastion.privateKeyPath ?? (bastion.privateKey === undefined ? keySource?.privateKeyPath : undefined),
    },
  };
}
