import type { Problem } from "../../problems";
import { DEFAULTS, DISTRIBUTIONS, type BareMetalClusterArgs } from "./types";
import { resolveSsh } from "./ssh";

/** A key given both as contents and as a path (SSH settings or a bastion). */
const keyTwice = (s: { privateKey?: unknown; privateKeyPath?: string }, path: string): Problem[] =>
  s.privateKey !== undefined && s.privateKeyPath !== undefined
    ? [{ path, message: "give privateKey or privateKeyPath, not both" }]
    : [];

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Every problem with the arguments, each with its path and the fix. */
/** Every problem with the arguments; paths are relative to them (e.g. `servers.1.host`). */
export function bareMetalClusterProblems(args: BareMetalClusterArgs): Problem[] {
  const out: Problem[] = [];
  const distribution = args.distribution ?? DEFAULTS.distribution;
  const facts = DISTRIBUTIONS[distribution];
  const servers = args.servers ?? [];
  const agents = args.agents ?? [];

  if (servers.length === 0)
    out.push({
      path: "servers",
      message: "is empty: list one server, or an odd number (3, 5, …) for high availability",
    });
  else if (servers.length % 2 === 0)
    out.push({
      path: "servers",
      message: `has ${servers.length} servers, an even number, which cannot keep etcd quorum through a failure: use 1, or an odd number ≥ 3 (3, 5, …); put extra machines in agents`,
    });

  if (!facts.versionPattern.test(args.version ?? ""))
    out.push({
      path: "version",
      message: `"${args.version ?? ""}" is not an exact ${facts.label} release: write the full release tag, e.g. ${facts.versionExample}`,
    });

  const hosts = new Map<string, string>();
  const names = new Map<string, string>();
  const all = [
    ...servers.map((n, i) => [n, `servers.${i}`] as const),
    ...agents.map((n, i) => [n, `agents.${i}`] as const),
  ];
  for (const [node, at] of all) {
    const host = node.host.toLowerCase();
    const other = hosts.get(host);
    if (other)
      out.push({
        path: `${at}.host`,
        message: `${node.host} is also ${other}.host: each machine is listed once`,
      });
    else hosts.set(host, at);
    const name = node.name ?? host;
    if (node.name === undefined && !NODE_NAME.test(name))
      out.push({
        path: `${at}.name`,
        message: `is required: the host "${node.host}" is not a valid Kubernetes node name, so give the node a name such as worker-1`,
      });
    const otherName = names.get(name);
    if (otherName && !(other && node.name === undefined))
      out.push({
        path: `${at}.name`,
        message: `node name ${name} is also used by ${otherName}: node names are unique`,
      });
    else names.set(name, at);

    const ssh = resolveSsh(args.ssh, node.ssh);
    if (node.ssh) out.push(...keyTwice(node.ssh, `${at}.ssh`));
    if (ssh.privateKey === undefined && ssh.privateKeyPath === undefined)
      out.push({
        path: `${at}.ssh.privateKey`,
        message: `no SSH private key for ${node.host}: set ssh.privateKey for every node (\`pulumi config set --secret --path 'cluster.ssh.privateKey' < ~/.ssh/id_ed25519\`), ssh.privateKeyPath, or this node's own`,
      });
    if (node.ssh?.bastion) out.push(...keyTwice(node.ssh.bastion, `${at}.ssh.bastion`));
    for (const t of node.taints ?? [])
      if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(t.key))
        out.push({
          path: `${at}.taints`,
          message: `"${t.key}" is not a valid taint key (prefix/name, e.g. node-role.kubernetes.io/control-plane)`,
        });
  }
  if (args.ssh) out.push(...keyTwice(args.ssh, "ssh"));
  if (args.ssh?.bastion) out.push(...keyTwice(args.ssh.bastion, "ssh.bastion"));

  if (args.apiEndpoint !== undefined && !(args.tlsSans ?? []).includes(args.apiEndpoint))
    out.push({
      path: "apiEndpoint",
      message: `${args.apiEndpoint} is not in tlsSans, so the API server certificate would not be valid for it: add it to tlsSans`,
    });

  const cni = args.cni ?? facts.defaultCni;
  if (!facts.cnis.includes(cni))
    out.push({
      path: "cni",
      message: `${cni} is not a ${facts.label} CNI: choose one of ${facts.cnis.join(", ")}`,
    });
  if (args.cis && distribution !== "rke2")
    out.push({
      path: "cis",
      message: "k3s has no CIS profile: use distribution rke2, or harden with kubeletArgs",
    });
  for (const d of args.disable ?? []) {
    const rke2Name = d.startsWith("rke2-");
    if (rke2Name !== (distribution === "rke2"))
      out.push({
        path: "disable",
        message: `${d} is not a ${facts.label} component: ${distribution === "rke2" ? "RKE2 names start with rke2-, e.g. rke2-ingress-nginx" : "k3s names are e.g. traefik, servicelb, metrics-server, local-storage"}`,
      });
  }

  const install = args.install ?? {};
  if ((install.mode ?? "online") === "airgap") {
    if ((install.artifactsDir === undefined) === (install.mirrorUrl === undefined))
      out.push({
        path: "install",
        message: "an air-gapped install needs exactly one of artifactsDir (a local folder) or mirrorUrl",
      });
    if (install.scriptUrl !== undefined)
      out.push({
        path: "install.scriptUrl",
        message: "is for online installs; air-gapped installs use the install.sh among the artifacts",
      });
  } else if (install.artifactsDir !== undefined || install.mirrorUrl !== undefined) {
    out.push({
      path: "install.mode",
      message: "is online but artifactsDir or mirrorUrl is set: set mode airgap, or remove them",
    });
  }
  if (install.mirrorUrl !== undefined && !/^https?:\/\//.test(install.mirrorUrl))
    out.push({ path: "install.mirrorUrl", message: "must be an http(s) URL" });
  return out;
}
