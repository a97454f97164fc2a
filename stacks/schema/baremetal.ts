import { z } from "zod";
import { k8sName, secret, stringMap } from "./common";
import { DEFAULTS, DISTRIBUTIONS } from "../../components/cluster/baremetal/types";

const port = () =>
  z
    .number()
    .int()
    .min(1, { error: "must be a port number, 1 to 65535" })
    .max(65535, { error: "must be a port number, 1 to 65535" });
const address = () =>
  z
    .string()
    .min(1, { error: "must not be empty" })
    .regex(/^[A-Za-z0-9.:-]+$/, { error: "must be a host name or an IP address" });
const cidr = () =>
  z.string().regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$|^[0-9a-fA-F:]+\/[0-9]{1,3}$/, {
    error: "must be a CIDR such as 10.42.0.0/16",
  });
const kubeletArg = () =>
  z.string().regex(/^[a-z0-9][a-z0-9-]*=.*$/, {
    error: "must be key=value without the leading --, e.g. max-pods=200",
  });

const bastion = z.strictObject({
  /** Bastion (jump host) address. */
  host: address().meta({ description: "Address (host name or IP) of the bastion." }),
  /** @default 22 */
  port: port()
    .optional()
    .meta({ description: "SSH port of the bastion.", componentDefault: DEFAULTS.sshPort }),
  /** @default the node's SSH user */
  user: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "SSH user on the bastion. Default: the node's SSH user." }),
  /** @default the node's key */
  privateKey: secret().optional().meta({
    description:
      "Private key for the bastion (OpenSSH or PEM); give this or `privateKeyPath`, not both. Default: the node's key.",
  }),
  privateKeyPath: z.string().min(1).optional().meta({
    description:
      "Path of the bastion's private key on the deploying machine (`~` expands). Default: the node's key.",
  }),
});

const ssh = z.strictObject({
  /** SSH user; scripts use `sudo -n` when it is not root. @default root */
  user: z.string().min(1).optional().meta({
    description:
      "SSH user; any user but root needs password-less `sudo` (the scripts run through `sudo -n`) and bash as login shell.",
    componentDefault: DEFAULTS.sshUser,
  }),
  /** @default 22 */
  port: port().optional().meta({ description: "SSH port.", componentDefault: DEFAULTS.sshPort }),
  /** Private key (`pulumi config set --secret --path 'cluster.ssh.privateKey' < key`). */
  privateKey: secret().optional().meta({
    description:
      "Private key (OpenSSH or PEM); every node needs this or `privateKeyPath`. Without a value the command below reads it from stdin (`< key-file`).",
  }),
  /** Path of the private key on the deploying machine; read when the program runs. */
  privateKeyPath: z.string().min(1).optional().meta({
    description:
      "Path of the private key on the deploying machine (`~` expands), read when the program runs (also by `npm run render`).",
  }),
  /** Jump host every SSH connection goes through (`connection.proxy` of @pulumi/command). */
  bastion: bastion.optional().meta({
    description:
      "Jump host every SSH connection to the node goes through (`connection.proxy` of @pulumi/command); a node's own `bastion` replaces the cluster's. Default: none.",
  }),
});

const taint = z.strictObject({
  key: z.string().min(1).meta({ description: "Taint key." }),
  value: z.string().optional().meta({ description: "Taint value. Default: none (a taint without a value)." }),
  effect: z
    .enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], {
      error: "must be NoSchedule, PreferNoSchedule or NoExecute",
    })
    .meta({ description: "Taint effect." }),
});

const node = z.strictObject({
  /** SSH address of the machine. */
  host: address().meta({
    description: "SSH address (host name or IP) of the machine; each machine is listed once.",
  }),
  /** Kubernetes node name and stable key. @default host */
  name: k8sName().optional().meta({
    description:
      "Kubernetes node name, and the node's stable key in resource names (reordering the list changes nothing). Default: `host`.",
  }),
  /** Node IP the distribution advertises (node-ip). */
  address: address().optional().meta({
    description: "Node IP the distribution advertises (`node-ip`). Default: chosen by the distribution.",
  }),
  /** Per-node SSH settings over cluster.ssh. */
  ssh: ssh.optional().meta({
    description: "SSH settings of this node; they override the cluster-wide `cluster.ssh` field by field.",
  }),
  labels: stringMap().optional().meta({ description: "Node labels (`node-label`). Default: none." }),
  taints: z.array(taint).optional().meta({ description: "Node taints (`node-taint`). Default: none." }),
  kubeletArgs: z
    .array(kubeletArg())
    .optional()
    .meta({
      description:
        "Extra kubelet arguments for this node (`kubelet-arg`), after the cluster-wide `cluster.kubeletArgs`.",
      examples: [["max-pods=200"]],
    }),
});

/**
 * `cluster.kind: baremetal`: RKE2 (or k3s) installed over SSH on the listed machines. Defaults live
 * in components/cluster/baremetal (DEFAULTS); cross-field rules in its bareMetalClusterProblems.
 */
export const bareMetalClusterSchema = z.strictObject({
  kind: z.literal("baremetal").meta({
    description:
      "`baremetal`: RKE2 (or k3s) installed over SSH on machines you already have. The first server initialises the cluster, the other servers join one at a time, then the agents one at a time; each node must report Ready on the pinned version before the next one starts. The admin kubeconfig is read from the first server (encrypted on the way), pointed at `apiEndpoint` and kept as a secret output. See [bare metal](bare-metal.md).",
  }),
  /** Cluster name. @default the platform name */
  name: k8sName().optional().meta({
    description:
      "Cluster name (`CLUSTER_NAME`; the kubeconfig's cluster, context and user). Default: the platform `name`.",
  }),
  /** @default rke2 */
  distribution: z
    .enum(["rke2", "k3s"], { error: "must be rke2 or k3s" })
    .optional()
    .meta({ description: "Kubernetes distribution.", componentDefault: DEFAULTS.distribution }),
  /** Exact release tag, e.g. v1.31.4+rke2r1. */
  version: z
    .string({
      error: "is required: the exact release, e.g. v1.31.4+rke2r1 (rke2) or v1.31.4+k3s1 (k3s)",
    })
    .meta({
      description: `Exact release of the distribution, e.g. \`${DISTRIBUTIONS.rke2.versionExample}\` (rke2) or \`${DISTRIBUTIONS.k3s.versionExample}\` (k3s); changing it upgrades the nodes one at a time, servers first.`,
    }),
  servers: z.array(node, { error: "is required: a list of servers (one, or an odd number ≥ 3)" }).meta({
    description:
      "Control-plane nodes: one, or an odd number ≥ 3 (etcd quorum). The first initialises the cluster.",
  }),
  agents: z
    .array(node)
    .optional()
    .meta({ description: "Worker nodes; they join after every server. Default: none." }),
  ssh: ssh.optional().meta({
    description:
      "How the program reaches every node over SSH; a node's own `ssh` overrides it field by field.",
  }),
  /** Load balancer name, VIP or a server; must be listed in tlsSans. @default the first server */
  apiEndpoint: address().optional().meta({
    description:
      "Load balancer name, VIP or server the kubeconfig points at; an explicit one must be listed in `tlsSans`. Default: the first server's `address` or `host`.",
  }),
  /** @default 6443 */
  apiPort: port()
    .optional()
    .meta({ description: "API port at `apiEndpoint`.", componentDefault: DEFAULTS.apiPort }),
  /** @default the first server */
  joinAddress: address()
    .optional()
    .meta({
      description: `Address the other nodes join through (supervisor port ${DISTRIBUTIONS.rke2.joinPort} for rke2, ${DISTRIBUTIONS.k3s.joinPort} for k3s). Default: the first server's \`address\` or \`host\`.`,
    }),
  tlsSans: z.array(address()).optional().meta({
    description:
      "Extra names and IPs in the API server certificate; must include an explicit `apiEndpoint` (the default endpoint is added automatically). Default: none.",
  }),
  install: z
    .strictObject({
      mode: z.enum(["online", "airgap"], { error: "must be online or airgap" }).optional().meta({
        description:
          "`online`: the vendor install script downloads and installs `version`; `airgap`: the release artifacts are copied to (or downloaded by) the nodes. Default: `online`.",
      }),
      artifactsDir: z.string().min(1).optional().meta({
        description:
          "Air-gapped: folder on the deploying machine holding the release artifacts of `version`, copied to every node (`remote.CopyToRemote`).",
      }),
      mirrorUrl: z.string().min(1).optional().meta({
        description:
          "Air-gapped: mirror URL the nodes download the artifacts from; `{version}` is replaced by `version`. No credentials in it ([credentials](credentials.md)).",
      }),
      scriptUrl: z
        .string()
        .regex(/^https?:\/\//, { error: "must be an http(s) URL" })
        .optional()
        .meta({
          description: `Online: URL of the install script, e.g. an internal mirror of it. Default: \`${DISTRIBUTIONS.rke2.scriptUrl}\` (rke2) or \`${DISTRIBUTIONS.k3s.scriptUrl}\` (k3s). No credentials in it ([credentials](credentials.md)).`,
        }),
      arch: z
        .enum(["amd64", "arm64"], { error: "must be amd64 or arm64" })
        .optional()
        .meta({ description: "CPU architecture of the artifacts.", componentDefault: DEFAULTS.arch }),
      /** Allow http:// for scriptUrl and mirrorUrl (lab mirrors; the baremetal-install-https policy flags it). */
      insecure: z.boolean().optional().meta({
        description:
          "Allow `http://` for `scriptUrl` and `mirrorUrl`: what the nodes fetch and run as root then crosses the network unauthenticated. For lab mirrors only; the `baremetal-install-https` policy flags it. Default: `false`.",
      }),
      /** sha256 of the install script; checked on the node (component problems check the format). */
      scriptSha256: z.string().optional().meta({
        description:
          "sha256 (64 hex digits) of the install script: the one at scriptUrl (online) or the install.sh among the artifacts (air-gapped). Each node refuses to run a script with another digest. Get it with `curl -sfL <url> | sha256sum`; see docs/bare-metal.md.",
      }),
      /** Air-gapped: sha256 of the release's sha256sum-<arch>.txt; the node checks every artifact against that file. */
      checksumsSha256: z.string().optional().meta({
        description:
          "Air-gapped: sha256 (64 hex digits) of the release's checksum file sha256sum-<arch>.txt. Each node checks the file against it, then every other artifact against the file, before installing. See docs/bare-metal.md.",
      }),
    })
    .optional()
    .meta({
      description: "Where the distribution comes from. Default: online, with the vendor install script.",
    }),
  cni: z
    .enum(["canal", "calico", "cilium", "flannel", "none"], {
      error: "must be one of canal, calico, cilium, flannel, none",
    })
    .optional()
    .meta({
      description: `CNI plugin: rke2 takes ${DISTRIBUTIONS.rke2.cnis.join(", ")}; k3s ${DISTRIBUTIONS.k3s.cnis.join(" or ")}. Default: \`${DISTRIBUTIONS.rke2.defaultCni}\` (rke2), \`${DISTRIBUTIONS.k3s.defaultCni}\` (k3s).`,
    }),
  clusterCidr: cidr()
    .optional()
    .meta({ description: "Pod network CIDR.", componentDefault: DEFAULTS.clusterCidr }),
  serviceCidr: cidr()
    .optional()
    .meta({ description: "Service network CIDR.", componentDefault: DEFAULTS.serviceCidr }),
  disable: z.array(z.string().min(1)).optional().meta({
    description:
      "Packaged components to leave out, e.g. `rke2-ingress-nginx` (rke2), `traefik` or `servicelb` (k3s). Default: none.",
  }),
  cis: z.boolean().optional().meta({
    description: "RKE2 CIS hardening profile (`profile: cis`, etcd user, kernel parameters); rke2 only.",
    componentDefault: DEFAULTS.cis,
  }),
  kubeletArgs: z
    .array(kubeletArg())
    .optional()
    .meta({
      description: "Kubelet arguments on every node (`kubelet-arg`), before the node's own. Default: none.",
      examples: [["max-pods=200"]],
    }),
  /** Seconds each node may take to report Ready. @default 600 */
  readyTimeout: z.number().int().positive({ error: "must be a positive number of seconds" }).optional().meta({
    description:
      "Seconds each node may take to start and report Ready; the step then fails naming the node and the log to read.",
    componentDefault: DEFAULTS.readyTimeout,
  }),
  /** Seconds draining a removed node may take. @default 300 */
  drainTimeout: z.number().int().positive({ error: "must be a positive number of seconds" }).optional().meta({
    description: "Seconds draining a removed node may take.",
    componentDefault: DEFAULTS.drainTimeout,
  }),
  /** Keep the software on the machines when the whole cluster is deleted. @default true */
  retainOnDelete: z.boolean().optional().meta({
    description:
      "Deleting the whole cluster leaves the software on the machines; removing one node from the list still drains and uninstalls it.",
    componentDefault: DEFAULTS.retainOnDelete,
  }),
});
export type BareMetalClusterConfig = z.infer<typeof bareMetalClusterSchema>;
