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

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An IPv4 CIDR as [network address, prefix length], or undefined when it is not one. */
function ipv4Cidr(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return [addr - (addr % size), prefix];
}

/** A sha256 digest as `sha256sum` prints it (either case). */
export const SHA256 = /^[0-9a-fA-F]{64}$/;

const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

/** Problems of one CIDR setting: a valid IPv4 (or IPv6) range. */
function cidrProblems(cidr: string, path: string): Problem[] {
  const v6 = IPV6_CIDR.exec(cidr);
  if (ipv4Cidr(cidr) || (v6 && cidr.includes(":") && Number(v6[1]) <= 128)) return [];
  return [
    {
      path,
      message: `${cidr} is not a valid CIDR: write a network such as 10.42.0.0/16 (octets up to 255, prefix up to /32)`,
    },
  ];
}

/** Whether two IPv4 ranges share addresses. */
function overlaps(a: string, b: string): boolean {
  const x = ipv4Cidr(a);
  const y = ipv4Cidr(b);
  if (!x || !y) return false;
  const end = ([n, p]: [number, number]) => n + 2 ** (32 - p);
  return x[0] < end(y) && y[0] < end(x);
}

// Kubernetes label syntax: an optional DNS-subdomain prefix and a name of up to 63 characters; values
// up to 63 characters of the same alphabet (or empty).
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems of node labels, by Kubernetes' own rules. */
export function labelProblems(labels: Record<string, string> | undefined, path: string): Problem[] {
  const out: Problem[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const slash = k.lastIndexOf("/");
    const [prefix, name] = slash === -1 ? [undefined, k] : [k.slice(0, slash), k.slice(slash + 1)];
    if (
      !LABEL_NAME.test(name) ||
      (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))
    )
      out.push({
        path: `${path}.${k}`,
        message:
          "is not a valid label key: [prefix/]name, the name up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric",
      });
    if (v !== "" && !LABEL_NAME.test(v))
      out.push({
        path: `${path}.${k}`,
        message:
          "is not a valid label value: up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric (no spaces or newlines)",
      });
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
    out.push(...labelProblems(node.labels, `${at}.labels`));
    out.push(...secretProblems(node.labels, `${at}.labels`, LABEL_FIX));
    for (const t of node.taints ?? [])
      if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(t.key))
        out.push({
          path: `${at}.taints`,
          message: `"${t.key}" is not a valid taint key (prefix/name, e.g. node-role.kubernetes.io/control-plane)`,
        });
  }
  if (args.ssh) out.push(...keyTwice(args.ssh, "ssh"));
  if (args.ssh?.bastion) out.push(...keyTwice(args.ssh.bastion, "ssh.bastion"));

  const clusterCidr = args.clusterCidr ?? DEFAULTS.clusterCidr;
  const serviceCidr = args.serviceCidr ?? DEFAULTS.serviceCidr;
  out.push(...cidrProblems(clusterCidr, "clusterCidr"), ...cidrProblems(serviceCidr, "serviceCidr"));
  if (overlaps(clusterCidr, serviceCidr))
    out.push({
      path: "serviceCidr",
      message: `${serviceCidr} overlaps clusterCidr ${clusterCidr}: pods and services need separate ranges (defaults 10.42.0.0/16 and 10.43.0.0/16)`,
    });
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
