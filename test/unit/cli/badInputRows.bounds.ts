/**
 * Bad-input rows (same shape and rules as ./badInputRows.ts) for issue 24, items 5 and 7: stack
 * names that are paths, output folders that are not provably ours, stack-file paths, numbers without
 * bounds, and values Kubernetes, Git or Flux would reject. Each row: refused with the exit code, the
 * exact message, no stack trace, and nothing written or deleted in the row's folder.
 */
import * as os from "node:os";
import { check } from "../../../cli/check";
import { fleet } from "../../../cli/fleet";
import { render } from "../../../cli/render";
import { OUTPUT_MARKER } from "../../../automation/render/output";
import { editedStack, FLEET, renderBad, type BadInputRow } from "./badInputRows";

const NOT_A_STACK = (name: string) =>
  `${JSON.stringify(name)} is not a stack name: Pulumi's rule is letters, digits, '-', '_' and '.' (at most 100, not starting with '.', no ".."), so no path, space or slash`;

/** A render of the shipped stack `from` with one line of its text replaced (must match). */
const edit = (from: string, find: string | RegExp, replace: string) =>
  editedStack(from, (t) => t.replace(find, replace));

/** The local stack with these lines added under `platform:flux:` → `install:`. */
const localInstall = (lines: string) =>
  edit("local", "      mode: manifests\n", `      mode: manifests\n${lines}`);
const manifestsFile = (file: string, more: Record<string, string> = {}) => ({
  ...localInstall(`      manifests:\n        file: ${file}\n`),
  ...more,
});
/** The local stack following this ref instead of branch main. */
const localRef = (ref: string) => edit("local", "        branch: main\n", `        ${ref}\n`);
/** The prod stack with its first server's taint (key line and effect) replaced. */
const prodTaint = (lines: string) =>
  edit(
    "prod",
    "          - key: node-role.kubernetes.io/control-plane\n            effect: NoSchedule\n      - host: 10.20.0.12",
    `${lines}      - host: 10.20.0.12`,
  );
const fleetProject = (wave: string) => edit("local", "    wave: 1\n", `    wave: ${wave}\n`);
const invalid = (n = 1) => `Invalid configuration for stack "bad" (Pulumi.bad.yaml), ${n} problem`;

export const boundsRows: BadInputRow[] = [
  // --- stack names: one rule (Pulumi's), never a path -----------------------------------------
  ...["../x", "../../etc/passwd", "a b", "a/b", "..", ".hidden", "x".repeat(101), "dev\nprod"].map(
    (name): BadInputRow => ({
      cli: render,
      argv: [name, "--project", "{tmp}"],
      code: 2,
      says: [`<stack> ${NOT_A_STACK(name)}`, "usage: npm run render -- <stack>"],
    }),
  ),
  ...["../x", "a b", "a/b"].map((name): BadInputRow => ({
    cli: check,
    argv: [name, "--project", "{tmp}"],
    code: 2,
    says: [`<stack> ${NOT_A_STACK(name)}`, "usage: npm run check -- <stack>"],
  })),
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--stack", "canary,../x", "--out", "{tmp}/o"],
    code: 2,
    says: [`--stack: ${NOT_A_STACK("../x")}`],
  },
  {
    cli: fleet,
    argv: ["render", "--project", "{tmp}", "--out", "{tmp}/o"],
    files: {
      ...edit("local", "cost-center: platform", "cost-center: lab"),
      "Pulumi.a b.yaml": "config: {}\n",
    },
    code: 1,
    says: [`Pulumi.a b.yaml: stack ${NOT_A_STACK("a b")}`, ": rename the file"],
  },

  // --- render --out: only a folder provably ours, never /, home, the project or above it --------
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "/"],
    code: 1,
    says: [
      "--out / is the root of the file system: an output folder is replaced whole, so it must be a folder of its own: choose a new folder such as render/<stack> with --out",
    ],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", os.homedir()],
    code: 1,
    says: [`--out ${os.homedir()} is your home folder`],
  },
  {
    cli: render,
    argv: ["bad", "--project", "{tmp}", "--out", "{tmp}"],
    files: edit("local", "cost-center: platform", "cost-center: lab"),
    code: 1,
    says: ["is the project folder: an output folder is replaced whole"],
  },
  {
    cli: render,
    argv: ["bad", "--project", "{tmp}/p", "--out", "{tmp}"],
    files: Object.fromEntries(
      Object.entries(edit("local", "cost-center: platform", "cost-center: lab")).map(([f, t]) => [
        `p/${f}`,
        t,
      ]),
    ),
    code: 1,
    says: ["holds the project folder", "choose a new folder such as render/<stack> with --out"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/r"],
    files: {
      [`r/${OUTPUT_MARKER}`]: JSON.stringify({ writtenBy: "npm run render", files: ["notes.md"] }),
      "r/notes.md": "my notes\n",
    },
    code: 1,
    says: [
      "r: its content is not exactly what this tool wrote there (a file was changed or removed since, or its .platform-output.json was not written by this tool), so nothing in it is replaced: move what you want to keep out of it and delete the folder yourself, or choose another --out",
    ],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/r"],
    files: {
      [`r/${OUTPUT_MARKER}`]: JSON.stringify({
        writtenBy: "npm run render",
        files: ["summary.txt"],
        listing: "0".repeat(64),
      }),
      "r/summary.txt": "render local: 8 resources, 4 Kubernetes objects\n",
    },
    code: 1,
    says: ["its content is not exactly what this tool wrote there"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/r"],
    files: {
      "r/summary.txt": "render local: 8 resources, 4 Kubernetes objects\n",
      "r/resources.json": "[]\n",
      "r/k8s/flux-system/ConfigMap.mine.yaml": "kind: ConfigMap\n",
    },
    code: 1,
    says: ["r is not empty and was not written by this tool (no .platform-output.json in it)"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--out", "/"],
    code: 1,
    says: ["--out / is the root of the file system: fleet render writes a folder per stack into it"],
  },

  // --- paths in the stack file: inside the project, the right kind of file ----------------------
  {
    cli: render,
    argv: renderBad,
    files: manifestsFile("/etc/passwd"),
    code: 1,
    says: [
      invalid(),
      'flux.install.manifests.file: /etc/passwd is outside the project folder: give a path relative to the project (no "..", no absolute path), e.g. flux/install.yaml, and copy the file there',
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: manifestsFile("../install.yaml"),
    code: 1,
    says: ["flux.install.manifests.file: ../install.yaml is outside the project folder"],
  },
  {
    cli: render,
    argv: renderBad,
    files: manifestsFile("vendor/../../install.yaml"),
    code: 1,
    says: ["flux.install.manifests.file: vendor/../../install.yaml is outside the project folder"],
  },
  {
    cli: render,
    argv: renderBad,
    files: manifestsFile("~/install.yaml"),
    code: 1,
    says: ["flux.install.manifests.file: ~/install.yaml is outside the project folder"],
  },
  {
    cli: render,
    argv: renderBad,
    files: manifestsFile("vendor", { "vendor/install.yaml": "" }),
    code: 1,
    says: ["flux.install.manifests.file: vendor is a folder, not a file: point it at the install.yaml file"],
  },
  ...[
    ["list.yaml", "- a\n- b\n", "document 1 is not a Kubernetes object"],
    ["scalar.yaml", "hello\n", "document 1 is not a Kubernetes object"],
    ["package.json", '{"name": "x"}\n', "document 1 is not a Kubernetes object"],
    [
      "two.yaml",
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n42\n",
      "document 2 is not a Kubernetes object",
    ],
    ["notes.md", "| a |\n|---|\n", "invalid YAML"],
  ].map(([file, text, what]): BadInputRow => ({
    cli: render,
    argv: renderBad,
    files: manifestsFile(file, { [file]: text }),
    code: 1,
    says: [
      `flux.install.manifests.file: ${file}: ${what}`,
      "it must be Flux's install.yaml (the release asset, or `flux install --export`)",
    ],
  })),
  {
    cli: render,
    argv: renderBad,
    files: edit("prod", / {6}privateKey:\n {8}secure: .*\n/, "      privateKeyPath: /tmp\n"),
    code: 1,
    says: [
      invalid(),
      "cluster.ssh.privateKeyPath: /tmp is a folder, not a file: point it at your SSH private key, e.g. ~/.ssh/id_ed25519",
    ],
  },

  // --- numbers with bounds ------------------------------------------------------------------
  {
    cli: fleet,
    argv: ["render", "--project", "{tmp}", "--out", "{tmp}/o"],
    files: fleetProject("1000000000"),
    code: 1,
    says: [
      "Pulumi.bad.yaml: platform:fleet.wave: must be at most 100: waves run one after another, each gated on the one before, so a fleet uses a few",
    ],
  },
  {
    cli: fleet,
    argv: ["render", "--project", "{tmp}", "--out", "{tmp}/o"],
    files: fleetProject("1e308"),
    code: 1,
    says: ["platform:fleet.wave: must be at most 100"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--wave", "99999999999", "--out", "{tmp}/o"],
    code: 2,
    says: ['--wave "99999999999": waves go from 1 to at most 100'],
  },
  {
    cli: fleet,
    argv: ["preview", "--shard", "1/1000000"],
    code: 2,
    says: ['--shard "1/1000000": at most 1000 shards: each shard is a CI job of its own'],
  },
  {
    cli: fleet,
    argv: ["status", "--concurrency", "100000"],
    code: 2,
    says: [
      '--concurrency "100000": at most 64: each stack runs its own Pulumi engine; more at once only exhausts the machine',
    ],
  },
  {
    cli: fleet,
    argv: ["render", "--workers", "9999", "--project", FLEET, "--out", "{tmp}/o"],
    code: 2,
    says: ['--workers "9999": at most 64'],
  },
  {
    cli: fleet,
    argv: ["up", "--yes", "--gate-timeout", "9999h"],
    code: 2,
    says: [
      '--gate-timeout "9999h": at most 24h: a wait longer than a day is a stuck platform, not a slow one',
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("local", "      interval: 5m\n", "      interval: 48h\n"),
    code: 1,
    says: [
      "flux.sync.interval: must be at most 24h: Flux would take more than a day to notice a change or a failure; intervals are minutes, timeouts at most hours",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("local", "      interval: 1m\n", "      interval: 100000000h\n"),
    code: 1,
    says: ["flux.source.interval: must be at most 24h"],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit(
      "prod",
      "          operator: Exists\n",
      "          operator: Exists\n          tolerationSeconds: 99999999999\n",
    ),
    code: 1,
    says: [
      "flux.install.tolerations.0.tolerationSeconds: must be at most 86400 (a day): for longer, leave it out, which tolerates the taint for ever",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("dev", "        diskSize: 100\n", "        diskSize: 100000\n"),
    code: 1,
    says: ["cluster.nodeGroups.1.diskSize: must be at most 16384 GiB (16 TiB), the largest EBS volume"],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("dev", "        maxUnavailablePercentage: 33\n", "        maxUnavailable: 500\n"),
    code: 1,
    says: ["cluster.nodeGroups.1.maxUnavailable: must be at most 100, the most nodes EKS replaces at once"],
  },

  // --- networks: CIDRs of both families, apart, not the nodes' own -------------------------
  ...[
    [
      "10.20.0.0/16",
      "10.43.0.0/16",
      "cluster.clusterCidr: 10.20.0.0/16 holds the node address 10.20.0.11: the pod network must not overlap the nodes' network",
    ],
    [
      "10.42.0.0/16",
      "10.42.0.0/16",
      "cluster.serviceCidr: 10.42.0.0/16 overlaps clusterCidr 10.42.0.0/16: pods and services need separate ranges",
    ],
    [
      "10.42.0.0/16",
      "10.42.128.0/17",
      "cluster.serviceCidr: 10.42.128.0/17 overlaps clusterCidr 10.42.0.0/16",
    ],
    [
      "10.42.0.0/16",
      "10.0.0.0/8",
      "cluster.serviceCidr: 10.0.0.0/8 holds the node address 10.20.0.11: the service network must not overlap the nodes' network",
    ],
    ["10.42.0.0/16", "fd00:10:42::/56", ""],
    [
      "10.42.0.1/16",
      "10.43.0.0/16",
      "cluster.clusterCidr: 10.42.0.1/16 has host bits set: write the network itself, 10.42.0.0/16",
    ],
    [
      "10.42.0.0/33",
      "10.43.0.0/16",
      'cluster.clusterCidr: "10.42.0.0/33" is not a valid CIDR: write a network such as 10.42.0.0/16',
    ],
    ["10.42.0.0/16", "fd00:10:42::/129", 'cluster.serviceCidr: "fd00:10:42::/129" is not a valid CIDR'],
    ["10.42.0.0/16", "fd00::1::/64", 'cluster.serviceCidr: "fd00::1::/64" is not a valid CIDR'],
    [
      "fd00:10:42::/48",
      "fd00:10:42:1::/112",
      "cluster.serviceCidr: fd00:10:42:1::/112 overlaps clusterCidr fd00:10:42::/48",
    ],
    [
      "fd00:10:42::1/56",
      "10.43.0.0/16",
      "cluster.clusterCidr: fd00:10:42::1/56 has host bits set: write the network itself, fd00:10:42::/56",
    ],
  ]
    .filter(([, , says]) => says !== "")
    .map(([pods, services, says]): BadInputRow => ({
      cli: render,
      argv: renderBad,
      files: edit(
        "prod",
        "    clusterCidr: 10.42.0.0/16\n    serviceCidr: 10.43.0.0/16\n",
        `    clusterCidr: ${pods}\n    serviceCidr: ${services}\n`,
      ),
      code: 1,
      says: [says],
    })),

  // --- refs and ranges Git and Flux accept ------------------------------------------------------
  ...[
    [
      'branch: "main branch"',
      "branch",
      '"main branch"',
      "contains a space, newline or control character",
      "main",
    ],
    [
      'branch: "main\\nprod"',
      "branch",
      '"main\\nprod"',
      "contains a space, newline or control character",
      "main",
    ],
    ["branch: feature..x", "branch", '"feature..x"', 'contains ".."', "main"],
    ["branch: -main", "branch", '"-main"', 'starts with "-"', "main"],
    [
      "branch: main.lock",
      "branch",
      '"main.lock"',
      'has a part starting with "." or ending with ".lock"',
      "main",
    ],
    ['branch: "main@{1}"', "branch", '"main@{1}"', 'contains "@{" or is "@"', "main"],
    ['branch: "feat/"', "branch", '"feat/"', 'starts or ends with "/" or contains "//"', "main"],
    ['tag: "v1.0~1"', "tag", '"v1.0~1"', "contains one of ~ ^ : ? * [ \\", "v1.4.0"],
    ['tag: "v1.0:x"', "tag", '"v1.0:x"', "contains one of ~ ^ : ? * [ \\", "v1.4.0"],
    [
      "name: refs/heads/.hidden",
      "name",
      '"refs/heads/.hidden"',
      'has a part starting with "." or ending with ".lock"',
      "refs/heads/main",
    ],
  ].map(([ref, key, shown, why, example]): BadInputRow => ({
    cli: render,
    argv: renderBad,
    files: localRef(ref),
    code: 1,
    says: [
      `flux.source.ref.${key}: ${shown} is not a ref Git accepts (git check-ref-format): it ${why}: write one such as ${example}`,
    ],
  })),
  ...[">2.0.0 <1.0.0", ">=1.0.0, <1.0.0", "<0.0.0"].map((range): BadInputRow => ({
    cli: render,
    argv: renderBad,
    files: localRef(`semver: "${range}"`),
    code: 1,
    says: [
      `flux.source.ref.semver: "${range}" matches no version at all (its bounds exclude each other): Flux would never find a tag; write e.g. ">=1.0.0 <2.0.0"`,
    ],
  })),

  // --- install values: registry over TLS through the URL check, cluster domain a DNS name -------
  {
    cli: render,
    argv: renderBad,
    files: localInstall("      registry: http://registry.example.com/fluxcd\n"),
    code: 1,
    says: [
      "flux.install.registry: must be a registry host and path such as ghcr.io/fluxcd, without a scheme",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: localInstall("      registry: https://registry.example.com/fluxcd\n"),
    code: 1,
    says: [
      "flux.install.registry: must be a registry host and path such as ghcr.io/fluxcd, without a scheme",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: localInstall("      registry: robot:s3cret@registry.example.com/fluxcd\n"),
    code: 1,
    says: [
      "flux.install.registry: must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in install.imagePullSecret",
    ],
    never: ["s3cret"],
  },
  {
    cli: render,
    argv: renderBad,
    files: localInstall("      registry: Registry.Example.com/Flux CD\n"),
    code: 1,
    says: ["flux.install.registry:", "must not contain spaces or control characters"],
  },
  {
    cli: render,
    argv: renderBad,
    files: localInstall('      clusterDomain: "cluster.local\\nevil"\n'),
    code: 1,
    says: [
      'flux.install.clusterDomain: "cluster.local\\nevil" must not contain spaces, newlines or control characters: write the cluster\'s DNS domain, e.g. cluster.local',
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: localInstall(`      clusterDomain: ${"a".repeat(64)}.local\n`),
    code: 1,
    says: [
      "flux.install.clusterDomain:",
      "has a part of 64 characters: each part between dots is a DNS label of at most 63",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: localInstall("      clusterDomain: Cluster_Local\n"),
    code: 1,
    says: ["must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are"],
  },

  // --- Kubernetes names, labels and taints by their real rules --------------------------------
  {
    cli: render,
    argv: renderBad,
    files: prodTaint(
      "          - key: node-role.kubernetes.io/control-plane\n            value: not allowed\n            effect: NoSchedule\n",
    ),
    code: 1,
    says: [
      `cluster.servers.0.taints.0.value: "not allowed" is not a valid taint value: up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric (no spaces or newlines)`,
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: prodTaint(
      `          - key: dedicated\n            value: ${"x".repeat(64)}\n            effect: NoSchedule\n`,
    ),
    code: 1,
    says: ["cluster.servers.0.taints.0.value:", "is not a valid taint value: up to 63 letters"],
  },
  {
    cli: render,
    argv: renderBad,
    files: prodTaint("          - key: a/b/c\n            effect: NoSchedule\n"),
    code: 1,
    says: ['cluster.servers.0.taints.0.key: "a/b/c" is not a valid taint key'],
  },
  {
    cli: render,
    argv: renderBad,
    files: prodTaint("          - key: dedicated\n            effect: NoPlease\n"),
    code: 1,
    says: ["cluster.servers.0.taints.0.effect: must be NoSchedule, PreferNoSchedule or NoExecute"],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("dev", '            value: "true"\n', '            value: "yes please"\n'),
    code: 1,
    says: ['cluster.nodeGroups.0.taints.0.value: "yes please" is not a valid taint value'],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("prod", "          acme.net/pool: general\n", "          acme.net/pool: general purpose\n"),
    code: 1,
    says: ['cluster.agents.2.labels.acme.net/pool: "general purpose" is not a valid label value'],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("prod", "        name: de-prod-worker-3\n", `        name: ${"w".repeat(64)}.fra1\n`),
    code: 1,
    says: [
      "cluster.agents.2.name: has a part of 64 characters: each part between dots is a DNS label of at most 63",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit("dev", "      - name: workloads\n", `      - name: ${"w".repeat(64)}\n`),
    code: 1,
    says: ["cluster.nodeGroups.1.name: must be at most 63 characters (a DNS label)"],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit(
      "local",
      "    vars:\n",
      `    extraSecrets:\n      - namespace: ${"n".repeat(64)}\n        name: x\n        data:\n          k:\n            secure: v1:AAAA:QUJD\n    vars:\n`,
    ),
    code: 1,
    says: ["flux.extraSecrets.0.namespace: must be at most 63 characters (a DNS label)"],
  },
  {
    cli: render,
    argv: renderBad,
    files: edit(
      "prod",
      "          operator: Exists\n",
      '          operator: Equal\n          value: "two words"\n',
    ),
    code: 1,
    says: ['flux.install.tolerations.0.value: "two words" is not a valid label value'],
  },
  // --- fleet cluster reads: bounded and timed, with the reason for each bound ------------------------
  {
    cli: fleet,
    argv: ["status", "--read-concurrency", "5000"],
    code: 2,
    says: [
      '--read-concurrency "5000": at most 1000: each read holds a connection to a cluster; beyond that the machine runs out of sockets before the clusters answer faster',
    ],
  },
  {
    cli: fleet,
    argv: ["status", "--read-concurrency", "0"],
    code: 2,
    says: ['--read-concurrency "0": expected a whole number from 1'],
  },
  {
    cli: fleet,
    argv: ["status", "--read-timeout", "0s"],
    code: 2,
    says: [
      '--read-timeout "0s": at least 1s: a cluster API server needs round trips of its own, so less reports healthy clusters as not answering',
    ],
  },
  {
    cli: fleet,
    argv: ["up", "--yes", "--read-timeout", "2h"],
    code: 2,
    says: [
      '--read-timeout "2h": at most 10m: one read of a cluster is a few requests; a cluster that takes longer is hung, and --gate-timeout bounds the wait for Flux',
    ],
  },
  {
    cli: fleet,
    argv: ["status", "--read-timeout", "fast"],
    code: 2,
    says: ['--read-timeout "fast": expected a duration such as 90s, 10m or 1h30m'],
  },
  {
    cli: fleet,
    argv: ["preview", "--read-concurrency", "10"],
    code: 2,
    says: ["--read-concurrency does not apply to preview (only to up, status)"],
  },
  {
    cli: fleet,
    argv: ["render", "--workers", "0", "--project", FLEET, "--out", "{tmp}/o"],
    code: 2,
    says: ['--workers "0": expected a whole number from 1'],
  },
];
