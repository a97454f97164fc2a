import {
  dnsSubdomainProblem,
  ipCidrsOverlap,
  ipInCidr,
  labelKeyProblem,
  labelValueProblem,
  parseIpCidr,
  taintProblems,
  type IpCidr,
} from "../../k8sNames";
import type { Problem } from "../../problems";
import { DEFAULTS, DISTRIBUTIONS, type BareMetalClusterArgs } from "./types";
import { resolveSsh } from "./ssh";
import { urlProblems } from "../../url";
import { secretProblems } from "../../secretGuard";

/** A key given both as contents and as a path (SSH settings or a bastion). */
const keyTwice = (s: { privateKey?: unknown; privateKeyPath?: string }, path: string): Problem[] =>
  s.privateKey !== undefined && s.privateKeyPath !== undefined
    ? [{ path, message: "give privateKey or privateKeyPath, not both" }]
    : [];

/** A sha256 digest as `sha256sum` prints it (either case). */
export const SHA256 = /^[0-9a-fA-F]{64}$/;

/** Problems of node labels, by Kubernetes' own rules. */
export function labelProblems(labels: Record<string, string> | undefined, path: string): Problem[] {
  return Object.entries(labels ?? {}).flatMap(([k, v]) =>
    [labelKeyProblem(k), labelValueProblem(v)]
      .filter((m): m is string => m !== undefined)
      .map((message) => ({ path: `${path}.${k}`, message })),
  );
}

/**
 * The pod and service networks: each a valid CIDR of either family, the two apart, and neither
 * holding a node's address (the nodes' own network).
 */
function networkProblems(args: BareMetalClusterArgs): Problem[] {
  const out: Problem[] = [];
  const nets: { path: "clusterCidr" | "serviceCidr"; what: string; text: string; cidr?: IpCidr }[] = [
    { path: "clusterCidr", what: "pod", text: args.clusterCidr ?? DEFAULTS.clusterCidr },
    { path: "serviceCidr", what: "service", text: args.serviceCidr ?? DEFAULTS.serviceCidr },
  ];
  for (const n of nets) {
    const parsed = parseIpCidr(n.text);
    if ("problem" in parsed) out.push({ path: n.path, message: parsed.problem });
    else n.cidr = parsed.cidr;
  }
  const [pods, services] = nets;
  if (pods.cidr && services.cidr && ipCidrsOverlap(pods.cidr, services.cidr))
    out.push({
      path: "serviceCidr",
      message: `${services.text} overlaps clusterCidr ${pods.text}: pods and services need separate ranges (defaults 10.42.0.0/16 and 10.43.0.0/16)`,
    });
  const nodes = [...(args.servers ?? []), ...(args.agents ?? [])];
  for (const n of nets)
    for (const node of nodes) {
      const ip = node.address ?? node.host;
      if (n.cidr && ipInCidr(ip, n.cidr)) {
        out.push({
          path: n.path,
          message: `${n.text} holds the node address ${ip}: the ${n.what} network must not overlap the nodes' network, or traffic to the nodes is routed into the cluster; choose a range the machines do not use`,
        });
        break;
      }
    }
  return out;
}

/** Why a credential never belongs in a node label. */
const LABEL_FIX =
  "node labels are public metadata, readable by anyone who may list the nodes: remove it, and keep the credential in a Secret";

/** The longest a node may take to become Ready, or a drain to finish, in seconds (one day). */
export const MAX_WAIT_SECONDS = 86_400;

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
    if (node.name === undefined && dnsSubdomainProblem(name))
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
    out.push(...labelProblems(node.labels, `${at}.labels`));
    out.push(...secretProblems(node.labels, `${at}.labels`, LABEL_FIX));
    (node.taints ?? []).forEach((t, j) =>
      out.push(
        ...taintProblems(t).map((p) => ({ path: `${at}.taints.${j}.${p.field}`, message: p.message })),
      ),
    );
  }
  if (args.ssh) out.push(...keyTwice(args.ssh, "ssh"));
  if (args.ssh?.bastion) out.push(...keyTwice(args.ssh.bastion, "ssh.bastion"));

  out.push(...networkProblems(args));
  for (const key of ["readyTimeout", "drainTimeout"] as const) {
    const v = args[key];
    if (v !== undefined && v > MAX_WAIT_SECONDS)
      out.push({ path: key, message: `${v} seconds is more than a day: give at most ${MAX_WAIT_SECONDS}` });
  }

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
  for (const key of ["scriptSha256", "checksumsSha256"] as const) {
    const digest = install[key];
    if (digest !== undefined && !SHA256.test(digest))
      out.push({
        path: `install.${key}`,
        message: `is not a sha256 digest: give the 64 hex digits \`sha256sum <file>\` prints (docs/bare-metal.md says how to get them)`,
      });
  }
  if (install.checksumsSha256 !== undefined && (install.mode ?? "online") !== "airgap")
    out.push({
      path: "install.checksumsSha256",
      message:
        "is for air-gapped installs: online, the install script checks the release against its own checksum file; pin install.scriptSha256, or set mode airgap",
    });
  for (const key of ["mirrorUrl", "scriptUrl"] as const) {
    const url = install[key];
    if (url === undefined) continue;
    const problems = urlProblems(url, {
      schemes: ["https", "http"],
      credentialsIn:
        "a mirror the nodes reach without credentials (the URL lands in the node commands, their logs and the state)",
      tlsRequired: !install.insecure,
      tlsFix:
        "the nodes fetch and run it as root; or set install.insecure: true for a lab mirror (the baremetal-install-https policy flags it)",
    });
    out.push(...problems.map((message) => ({ path: `install.${key}`, message })));
  }
  return out;
}
