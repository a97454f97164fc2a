import { z } from "zod";
import { k8sName, secret, stringMap } from "./common";

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
  host: address(),
  /** @default 22 */
  port: port().optional(),
  /** @default the node's SSH user */
  user: z.string().min(1).optional(),
  /** @default the node's key */
  privateKey: secret().optional(),
  privateKeyPath: z.string().min(1).optional(),
});

const ssh = z.strictObject({
  /** SSH user; scripts use `sudo -n` when it is not root. @default root */
  user: z.string().min(1).optional(),
  /** @default 22 */
  port: port().optional(),
  /** Private key (`pulumi config set --secret --path 'cluster.ssh.privateKey' < key`). */
  privateKey: secret().optional(),
  /** Path of the private key on the deploying machine; read when the program runs. */
  privateKeyPath: z.string().min(1).optional(),
  /** Jump host every SSH connection goes through (`connection.proxy` of @pulumi/command). */
  bastion: bastion.optional(),
});

const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], {
    error: "must be NoSchedule, PreferNoSchedule or NoExecute",
  }),
});

const node = z.strictObject({
  /** SSH address of the machine. */
  host: address(),
  /** Kubernetes node name and stable key. @default host */
  name: k8sName().optional(),
  /** Node IP the distribution advertises (node-ip). */
  address: address().optional(),
  /** Per-node SSH settings over cluster.ssh. */
  ssh: ssh.optional(),
  labels: stringMap().optional(),
  taints: z.array(taint).optional(),
  kubeletArgs: z.array(kubeletArg()).optional(),
});

/**
 * `cluster.kind: baremetal`: RKE2 (or k3s) installed over SSH on the listed machines. Defaults live
 * in components/cluster/baremetal (DEFAULTS); cross-field rules in its bareMetalClusterProblems.
 */
export const bareMetalClusterSchema = z.strictObject({
  kind: z.literal("baremetal"),
  /** Cluster name. @default the platform name */
  name: k8sName().optional(),
  /** @default rke2 */
  distribution: z.enum(["rke2", "k3s"], { error: "must be rke2 or k3s" }).optional(),
  /** Exact release tag, e.g. v1.31.4+rke2r1. */
  version: z.string({
    error: "is required: the exact release, e.g. v1.31.4+rke2r1 (rke2) or v1.31.4+k3s1 (k3s)",
  }),
  servers: z.array(node, { error: "is required: a list of servers (one, or an odd number ≥ 3)" }),
  agents: z.array(node).optional(),
  ssh: ssh.optional(),
  /** Load balancer name, VIP or a server; must be listed in tlsSans. @default the first server */
  apiEndpoint: address().optional(),
  /** @default 6443 */
  apiPort: port().optional(),
  /** @default the first server */
  joinAddress: address().optional(),
  tlsSans: z.array(address()).optional(),
  install: z
    .strictObject({
      mode: z.enum(["online", "airgap"], { error: "must be online or airgap" }).optional(),
      artifactsDir: z.string().min(1).optional(),
      mirrorUrl: z.string().min(1).optional(),
      scriptUrl: z
        .string()
        .regex(/^https?:\/\//, { error: "must be an http(s) URL" })
        .optional(),
      arch: z.enum(["amd64", "arm64"], { error: "must be amd64 or arm64" }).optional(),
      /** Allow http:// for scriptUrl and mirrorUrl (lab mirrors; the baremetal-install-https policy flags it). */
      insecure: z.boolean().optional(),
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
    .optional(),
  cni: z
    .enum(["canal", "calico", "cilium", "flannel", "none"], {
      error: "must be one of canal, calico, cilium, flannel, none",
    })
    .optional(),
  clusterCidr: cidr().optional(),
  serviceCidr: cidr().optional(),
  disable: z.array(z.string().min(1)).optional(),
  cis: z.boolean().optional(),
  kubeletArgs: z.array(kubeletArg()).optional(),
  /** Seconds each node may take to report Ready. @default 600 */
  readyTimeout: z.number().int().positive({ error: "must be a positive number of seconds" }).optional(),
  /** Seconds draining a removed node may take. @default 300 */
  drainTimeout: z.number().int().positive({ error: "must be a positive number of seconds" }).optional(),
  /** Keep the software on the machines when the whole cluster is deleted. @default true */
  retainOnDelete: z.boolean().optional(),
});
export type BareMetalClusterConfig = z.infer<typeof bareMetalClusterSchema>;
