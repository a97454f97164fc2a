import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { ResolvedCluster, ResolvedNode } from "./resolve";

/** The file on each node holding the join token (mode 0600); config.yaml names it with `token-file`. */
export const tokenFile = (c: ResolvedCluster) => `${c.facts.configDir}/platform-token`;
export const configFile = (c: ResolvedCluster) => `${c.facts.configDir}/config.yaml`;

/**
 * The distribution's config.yaml for one node. It never contains the token (only the path of the
 * token file), so it can appear in command text, triggers and tests.
 */
export function renderNodeConfig(c: ResolvedCluster, node: ResolvedNode): string {
  const cfg: Record<string, unknown> = { "token-file": tokenFile(c), "node-name": node.key };
  if (node.address !== undefined) cfg["node-ip"] = node.address;
  if (!node.first) cfg.server = `https://${c.joinAddress}:${c.facts.joinPort}`;
  if (node.role === "server") {
    if (node.first && c.distribution === "k3s") cfg["cluster-init"] = true;
    cfg["tls-san"] = c.tlsSans;
    cfg["write-kubeconfig-mode"] = "0600";
    cfg["cluster-cidr"] = c.clusterCidr;
    cfg["service-cidr"] = c.serviceCidr;
    if (c.distribution === "rke2") cfg.cni = c.cni;
    else if (c.cni === "none") {
      cfg["flannel-backend"] = "none";
      cfg["disable-network-policy"] = true;
    }
    if (c.disable.length) cfg.disable = c.disable;
  }
  if (c.cis) cfg.profile = "cis";
  const labels = Object.entries(node.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length) cfg["node-label"] = labels;
  const taints = node.taints.map((t) => `${t.key}=${t.value ?? ""}:${t.effect}`);
  if (taints.length) cfg["node-taint"] = taints;
  if (node.kubeletArgs.length) cfg["kubelet-arg"] = node.kubeletArgs;
  const header = `# ${c.facts.label} config of node ${node.key} (cluster ${c.clusterName}), rendered by the platform program: edits are overwritten.\n`;
  return header + stringify(cfg, { lineWidth: 0 });
}

/** Short content hash, for triggers: a change of the node's config re-runs only that node's steps. */
export function configHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
