import type * as pulumi from "@pulumi/pulumi";

/** Kubernetes distributions a BareMetalCluster installs. */
export type Distribution = "rke2" | "k3s";
/** CNI plugins: canal, calico, cilium, flannel for RKE2; flannel (built in) or none for k3s. */
export type Cni = "canal" | "calico" | "cilium" | "flannel" | "none";
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/** A jump host the SSH connection goes through. */
export interface BastionArgs {
  /** Address of the bastion host. */
  host: string;
  /** SSH port of the bastion. @default 22 */
  port?: number;
  /** SSH user on the bastion. @default the node's SSH user */
  user?: string;
  /** Private key for the bastion (secret). @default the node's key */
  privateKey?: pulumi.Input<string>;
  /** Path of the bastion's private key on the deploying machine. */
  privateKeyPath?: string;
}

/** How the program reaches a node. Per-node values override the cluster-wide ones field by field. */
export interface SshArgs {
  /** SSH user; scripts run through `sudo -n` when it is not root. @default "root" */
  user?: string;
  /** SSH port. @default 22 */
  port?: number;
  /** Private key contents (OpenSSH or PEM); always handled as a secret. */
  privateKey?: pulumi.Input<string>;
  /** Path of the private key on the deploying machine (`~` expands); read when the program runs. */
  privateKeyPath?: string;
  /** Jump host every SSH connection to the node goes through (`connection.proxy`). @default none */
  bastion?: BastionArgs;
}

export interface NodeTaint {
  key: string;
  /** @default "" (a taint without a value) */
  value?: string;
  effect: TaintEffect;
}

/** One machine of the cluster. */
export interface NodeArgs {
  /** SSH address (name or IP) of the machine. */
  host: string;
  /** Kubernetes node name; also the node's stable key in resource names. @default host */
  name?: string;
  /** Node IP the distribution advertises (`node-ip`). @default chosen by the distribution */
  address?: string;
  /** SSH settings for this node, over the cluster-wide `ssh`. */
  ssh?: SshArgs;
  /** Node labels (`node-label`). @default {} */
  labels?: Record<string, string>;
  /** Node taints (`node-taint`). @default [] */
  taints?: NodeTaint[];
  /** Extra kubelet arguments for this node, after the cluster-wide ones (`kubelet-arg`, `key=value`). @default [] */
  kubeletArgs?: string[];
}

export interface InstallArgs {
  /** `online`: the vendor install script downloads the pinned version; `airgap`: artifacts copied to the node. @default "online" */
  mode?: "online" | "airgap";
  /** Air-gapped: local folder (on the deploying machine) holding the release artifacts of `version`. */
  artifactsDir?: string;
  /** Air-gapped: mirror URL the nodes download the artifacts from; `{version}` is replaced. */
  mirrorUrl?: string;
  /** Online: the install script URL. @default https://get.rke2.io or https://get.k3s.io */
  scriptUrl?: string;
  /** CPU architecture of the artifacts. @default "amd64" */
  arch?: "amd64" | "arm64";
  /**
   * sha256 (64 hex digits) of the install script: the one at `scriptUrl` (online) or the
   * `install.sh` among the artifacts (air-gapped). The node refuses to run a script with another
   * digest. @default unpinned (the `baremetal-install-pinned` policy flags it)
   */
  scriptSha256?: string;
  /**
   * Air-gapped: sha256 of the release's checksum file (`sha256sum-<arch>.txt`). The node checks the
   * file against it, then every other artifact against the file, before installing.
   * @default unpinned (the artifacts are still checked against the checksum file)
   */
  checksumsSha256?: string;
  /**
   * Allow `http://` for `scriptUrl` and `mirrorUrl`: what the nodes fetch and run as root then
   * crosses the network unauthenticated. For lab mirrors only; the `baremetal-install-https` policy
   * flags it. @default false
   */
  insecure?: boolean;
}

export interface BareMetalClusterArgs {
  /** Cluster name (CLUSTER_NAME; the kubeconfig's cluster and context). */
  clusterName: string;
  /** Distribution. @default "rke2" */
  distribution?: Distribution;
  /** Exact release, e.g. `v1.31.4+rke2r1` or `v1.31.4+k3s1`. */
  version: string;
  /** Control-plane nodes: one, or an odd number ≥ 3 for HA. The first initialises the cluster. */
  servers: NodeArgs[];
  /** Worker nodes; they join after every server. @default [] */
  agents?: NodeArgs[];
  /** Cluster-wide SSH settings. @default {} */
  ssh?: SshArgs;
  /** API endpoint (load balancer name, VIP or a server): the kubeconfig's server. @default the first server's address or host */
  apiEndpoint?: string;
  /** API port at the endpoint. @default 6443 */
  apiPort?: number;
  /** Address other nodes join through (supervisor port 9345 for RKE2, 6443 for k3s). @default the first server's address or host */
  joinAddress?: string;
  /** Extra names/IPs in the API server certificate; must include an explicit apiEndpoint. @default [] */
  tlsSans?: string[];
  /** Installation source. @default { mode: "online" } */
  install?: InstallArgs;
  /** CNI plugin. @default "canal" (rke2), "flannel" (k3s) */
  cni?: Cni;
  /** Pod CIDR. @default "10.42.0.0/16" */
  clusterCidr?: string;
  /** Service CIDR. @default "10.43.0.0/16" */
  serviceCidr?: string;
  /** Packaged components to disable, e.g. rke2-ingress-nginx, traefik. @default [] */
  disable?: string[];
  /** RKE2 CIS hardening profile (`profile: cis`, etcd user, kernel parameters). @default false */
  cis?: boolean;
  /** Kubelet arguments on every node (`key=value`). @default [] */
  kubeletArgs?: string[];
  /** How long each node may take to report Ready. Seconds. @default 600 */
  readyTimeout?: number;
  /** How long draining a removed node may take. Seconds. @default 300 */
  drainTimeout?: number;
  /** Keep the software on the servers when the whole cluster is deleted (removing one node still drains and uninstalls it). @default true */
  retainOnDelete?: boolean;
}

export const DEFAULTS = {
  distribution: "rke2" as Distribution,
  sshUser: "root",
  sshPort: 22,
  apiPort: 6443,
  clusterCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
  arch: "amd64" as const,
  readyTimeout: 600,
  drainTimeout: 300,
  retainOnDelete: true,
  cis: false,
};

/** What differs between the distributions: paths, services, ports, install variables. */
export interface DistributionFacts {
  label: string;
  versionPattern: RegExp;
  versionExample: string;
  scriptUrl: string;
  configDir: string;
  dataDir: string;
  kubeconfigPath: string;
  /** Shell function body running kubectl as root on a server. */
  kubectl: string;
  joinPort: number;
  defaultCni: Cni;
  cnis: Cni[];
  service: (role: NodeRole) => string;
  uninstallScript: (role: NodeRole) => string;
  /** Artifact file names of an air-gapped install (`checksums` among them). */
  artifacts: (arch: string) => string[];
  /** The release's checksum file among the artifacts (`sha256sum -c` format). */
  checksums: (arch: string) => string;
}

export type NodeRole = "server" | "agent";

export const DISTRIBUTIONS: Record<Distribution, DistributionFacts> = {
  rke2: {
    label: "RKE2",
    versionPattern: /^v1\.[0-9]+\.[0-9]+\+rke2r[0-9]+$/,
    versionExample: "v1.31.4+rke2r1",
    scriptUrl: "https://get.rke2.io",
    configDir: "/etc/rancher/rke2",
    dataDir: "/var/lib/rancher/rke2",
    kubeconfigPath: "/etc/rancher/rke2/rke2.yaml",
    kubectl: '/var/lib/rancher/rke2/bin/kubectl --kubeconfig /etc/rancher/rke2/rke2.yaml "$@"',
    joinPort: 9345,
    defaultCni: "canal",
    cnis: ["canal", "calico", "cilium", "flannel", "none"],
    service: (role) => `rke2-${role}`,
    uninstallScript: () => "rke2-uninstall.sh",
    artifacts: (arch) => [
      "install.sh",
      `rke2.linux-${arch}.tar.gz`,
      `sha256sum-${arch}.txt`,
      `rke2-images.linux-${arch}.tar.zst`,
    ],
    checksums: (arch) => `sha256sum-${arch}.txt`,
  },
  k3s: {
    label: "k3s",
    versionPattern: /^v1\.[0-9]+\.[0-9]+\+k3s[0-9]+$/,
    versionExample: "v1.31.4+k3s1",
    scriptUrl: "https://get.k3s.io",
    configDir: "/etc/rancher/k3s",
    dataDir: "/var/lib/rancher/k3s",
    kubeconfigPath: "/etc/rancher/k3s/k3s.yaml",
    kubectl: 'k3s kubectl --kubeconfig /etc/rancher/k3s/k3s.yaml "$@"',
    joinPort: 6443,
    defaultCni: "flannel",
    cnis: ["flannel", "none"],
    service: (role) => (role === "server" ? "k3s" : "k3s-agent"),
    uninstallScript: (role) => (role === "server" ? "k3s-uninstall.sh" : "k3s-agent-uninstall.sh"),
    artifacts: (arch) => [
      "install.sh",
      arch === "amd64" ? "k3s" : `k3s-${arch}`,
      `k3s-airgap-images-${arch}.tar.zst`,
      `sha256sum-${arch}.txt`,
    ],
    checksums: (arch) => `sha256sum-${arch}.txt`,
  },
};
