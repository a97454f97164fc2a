/**
 * The rows of the bad-input table (badInput.test.ts): one row = a CLI, its arguments, the files it
 * finds, and what the user must see. Every row asserts: refused with the exit code (2: usage,
 * 1: input), the option or path named and the fix in the message, no stack trace, and nothing
 * written or deleted in the row's folder.
 *
 * To add a row: `{ cli, argv, files?, code, says }`. In `argv` and `files` keys, `{tmp}` is the row's
 * own empty folder (its files are created there first) and `{root}` the project. For a broken stack
 * file, `files: badStack("<config YAML>")` with `--project {tmp}`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { check } from "../../../cli/check";
import type { Cli } from "../../../cli/common";
import { fleet } from "../../../cli/fleet";
import { gitopsLint } from "../../../cli/gitops-lint";
import { gitopsNewSlice } from "../../../cli/gitops-new-slice";
import { render } from "../../../cli/render";
import { OUTPUT_MARKER } from "../../../automation/render/output";

/**
 * Where the shipped stack files the rows edit come from: this checkout, or the one the report runs
 * against (badInputReport.ts --against sets BAD_INPUT_ROOT).
 */
const ROOT = process.env.BAD_INPUT_ROOT ?? path.join(__dirname, "..", "..", "..");
/** A file name in a row's `files` that marks it as not applicable to the checkout (its edit changes nothing there). */
export const NOT_APPLICABLE = "(not applicable)";

export interface BadInputRow {
  cli: Cli;
  argv: string[];
  /** Files in the row's folder before the run (path under `{tmp}` → content). */
  files?: Record<string, string>;
  code: 1 | 2;
  /** Substrings of what is printed: the option or path named, and the fix. */
  says: string[];
  /** Symbolic links in the row's folder before the run (path under `{tmp}` → target, `{tmp}` filled in). */
  links?: Record<string, string>;
  /** A folder under `{tmp}` made a Git repository (branch main) with its files and links committed. */
  git?: string;
  /** Substrings that must never be printed (a secret, the content of a file outside the repository). */
  never?: string[];
}

const markerOf = (...files: string[]) => JSON.stringify({ writtenBy: "npm run render", files });
export const FLEET = "{root}/test/fixtures/fleet/project";
const GITOPS = "{root}/gitops";
const slice = (...more: string[]) => ["--cluster", "local", "--model", "embb", "--repo", GITOPS, ...more];

/**
 * The files of a project in `{tmp}` whose stack `bad` has this config (YAML under `config:`): for
 * rows about stack files, run with `--project {tmp}` (render and check also need `--out {tmp}/o`).
 */
export const badStack = (config: string): Record<string, string> => ({
  "Pulumi.yaml": readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
  "Pulumi.bad.yaml": `config:\n${config.replace(/^/gm, "  ")}\n`,
});

/** A project in `{tmp}` whose stack `bad` is the shipped stack `from`, edited (the whole file's text). */
export const editedStack = (from: string, edit: (text: string) => string): Record<string, string> => {
  const text = readFileSync(path.join(ROOT, `Pulumi.${from}.yaml`), "utf8");
  const edited = edit(text);
  if (edited === text) {
    // Against another checkout a row may be about what that checkout's stack files do not have yet.
    if (process.env.BAD_INPUT_ROOT !== undefined) return { [NOT_APPLICABLE]: "" };
    throw new Error(`the edit of Pulumi.${from}.yaml changed nothing`);
  }
  return { "Pulumi.yaml": readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"), "Pulumi.bad.yaml": edited };
};
export const renderBad = ["bad", "--project", "{tmp}", "--out", "{tmp}/o"];

export const rows: BadInputRow[] = [
  // stack files: what the schema alone cannot see
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) => t.replace("  platform:tags:", "  platfrom:tags:")),
    code: 1,
    says: ["platfrom:tags: unknown config namespace platfrom: did you mean platform:tags?"],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("dev", (t) => t.replace("aws:region:", "aws:regoin:")),
    code: 1,
    says: [
      "aws:regoin: unknown AWS provider setting: did you mean aws:region?",
      "aws:region: is not set, and this platform uses AWS",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("dev", (t) => t.replace(/aws:region: .*/, "aws:region: us-east-1")),
    code: 1,
    says: [
      "cluster.network.availabilityZones.0: eu-central-1a is not a zone of the region us-east-1 (aws:region): use zones such as us-east-1a",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) => t.replace("branch: main", 'semver: "not a semver range!!"')),
    code: 1,
    says: ['flux.source.ref.semver: "not a semver range!!" is not a semver range Flux accepts'],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) => t.replace("cost-center: platform", "aws:cost-center: platform")),
    code: 1,
    says: ["tags.aws:cost-center: tag keys starting with aws: are reserved by AWS: choose another key"],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) =>
      t.replace(
        "    vars:\n",
        '    secretVars:\n      TOKEN:\n        secure: "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaA=="\n    vars:\n',
      ),
    ),
    code: 1,
    says: [
      'Invalid configuration for stack "bad" (Pulumi.bad.yaml), 1 problem:',
      "flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>`",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t.replace(/ {6}privateKey:\n {8}secure: .*\n/, "      privateKeyPath: /nonexistent/de-prod-key\n"),
    ),
    code: 1,
    says: [
      'Invalid configuration for stack "bad" (Pulumi.bad.yaml), 1 problem:',
      "cluster.ssh.privateKeyPath: cannot read the SSH private key /nonexistent/de-prod-key (ENOENT): fix the path, or set the key as a secret instead",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) =>
      t.replace(
        "      mode: manifests\n",
        "      mode: manifests\n      manifests:\n        file: /nonexistent/install.yaml\n",
      ),
    ),
    code: 1,
    says: ["flux.install.manifests.file: /nonexistent/install.yaml is outside the project folder"],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t
        .replace("clusterCidr: 10.42.0.0/16", "clusterCidr: 999.42.0.0/99")
        .replace("readyTimeout: 900", "readyTimeout: 1e15"),
    ),
    code: 1,
    says: [
      'cluster.clusterCidr: "999.42.0.0/99" is not a valid CIDR: write a network such as 10.42.0.0/16',
      "cluster.readyTimeout: 1000000000000000 seconds is more than a day: give at most 86400",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) => t.replace("serviceCidr: 10.43.0.0/16", "serviceCidr: 10.42.128.0/17")),
    code: 1,
    says: [
      "cluster.serviceCidr: 10.42.128.0/17 overlaps clusterCidr 10.42.0.0/16: pods and services need separate ranges",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) => t.replace("acme.net/pool: cnf", 'acme.net/pool: "cnf\\nbad"')),
    code: 1,
    says: [
      `cluster.agents.0.labels.acme.net/pool: "cnf\\nbad" is not a valid label value: up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric (no spaces or newlines)`,
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("dev", (t) => t.replace("maxSize: 4", "maxSize: 100000000")),
    code: 1,
    says: [
      "cluster.nodeGroups.0.maxSize: 100000000 is more than a managed node group can hold (1000): split the nodes into several groups",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t.replace(
        "mirrorUrl: https://artifacts.fra1.acme-telco.net",
        "mirrorUrl: http://artifacts.fra1.acme-telco.net",
      ),
    ),
    code: 1,
    says: [
      "cluster.install.mirrorUrl: must use https://: what is fetched from it is run or trusted, so it must come over TLS; the nodes fetch and run it as root; or set install.insecure: true for a lab mirror",
    ],
  },
  {
    cli: check,
    argv: ["bad", "--project", "{tmp}", "--policy-config", "{root}/policy/config/prod.json"],
    files: editedStack("prod", (t) =>
      t.replace(
        "      mirrorUrl: https://artifacts.fra1.acme-telco.net",
        "      insecure: true\n      mirrorUrl: http://artifacts.fra1.acme-telco.net",
      ),
    ),
    code: 1,
    says: [
      "[baremetal-install-https, high]",
      "over plain http; serve the mirror over https and remove cluster.install.insecure.",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) =>
      t.replace(
        "      mode: manifests\n",
        "      mode: manifests\n      manifests:\n        url: file:///etc/passwd\n",
      ),
    ),
    code: 1,
    says: [
      "flux.install.manifests.url: must be an https:// or http:// URL, not file://: for a local copy use install.manifests.file",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: {
      ...editedStack("local", (t) =>
        t.replace(
          "      mode: manifests\n",
          "      mode: manifests\n      manifests:\n        file: passwd.yaml\n",
        ),
      ),
      "passwd.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-flux\n",
    },
    code: 1,
    says: [
      "flux.install.manifests.file: is not a Flux install of the selected controllers: it has no Deployment source-controller, kustomize-controller, helm-controller, notification-controller",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) => t.replace("context: kind-platform", 'context: ""')),
    code: 1,
    says: ["cluster.context: must not be empty: give a value, or remove the key"],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) => t.replace("owner: platform-team", "owner: 42")),
    code: 1,
    says: ["owner: must be a string, not a number"],
  },

  // render
  { cli: render, argv: [], code: 2, says: ["missing <stack>", "usage: npm run render -- <stack>"] },
  {
    cli: render,
    argv: ["local", "--ouy", "{tmp}/o"],
    code: 2,
    says: ["unknown option --ouy: did you mean --out?"],
  },
  { cli: render, argv: ["local", "--out"], code: 2, says: ["--out needs a value: --out <dir>"] },
  { cli: render, argv: ["local", "--out="], code: 2, says: ["--out is empty: --out <dir>"] },
  {
    cli: render,
    argv: ["local", "extra"],
    code: 2,
    says: ['unexpected argument "extra": render takes <stack>'],
  },
  {
    cli: render,
    argv: ["local", "--out", "{tmp}/a", "--out", "{tmp}/b"],
    code: 2,
    says: ["--out is given twice"],
  },
  {
    cli: render,
    argv: ["local", "--json"],
    code: 2,
    says: ["unknown option --json (render takes --out, --project"],
  },
  {
    cli: render,
    argv: ["nope", "--project", "{root}", "--out", "{tmp}/o"],
    code: 1,
    says: ["Pulumi.nope.yaml not found in", "pick one of the stacks there"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{tmp}/nope"],
    code: 1,
    says: ["--project", "nope: no such folder"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{tmp}/Pulumi.yaml"],
    files: { "Pulumi.yaml": "name: x\n" },
    code: 1,
    says: ["Pulumi.yaml is a file: give the project folder"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/sub/.."],
    files: { "sub/keep.txt": "mine\n", "notes.md": "mine\n" },
    code: 1,
    says: [
      "is not empty and was not written by this tool",
      `no ${OUTPUT_MARKER}`,
      "choose a new or empty folder",
    ],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/foreign"],
    files: { "foreign/a.txt": "mine\n" },
    code: 1,
    says: ["foreign is not empty", "move what it holds (a.txt) away yourself"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/r"],
    files: {
      [`r/${OUTPUT_MARKER}`]: markerOf("summary.txt"),
      "r/summary.txt": "render local\n",
      "r/k8s/mine.yaml": "kind: Mine\n",
    },
    code: 1,
    says: ["holds files this tool did not write: k8s/mine.yaml", "move them out of the folder"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/out.txt"],
    files: { "out.txt": "mine\n" },
    code: 1,
    says: ["out.txt is a file, not a folder"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--out", "{tmp}/no/such/out"],
    code: 1,
    says: ["no/such does not exist: create it first, or choose another --out"],
  },
  {
    cli: render,
    argv: ["local", "--project", "{root}", "--gitops", "{tmp}/nogit", "--out", "{tmp}/o"],
    code: 1,
    says: ["--gitops", "nogit: no such folder: give the fleet repository folder"],
  },
  {
    cli: render,
    argv: ["plain", "--project", "{root}/test/fixtures/project", "--out", "{tmp}/o"],
    code: 1,
    says: ['Invalid configuration for stack "plain" (Pulumi.plain.yaml)'],
  },
  {
    cli: render,
    argv: ["broken", "--project", "{tmp}", "--out", "{tmp}/o"],
    files: {
      "Pulumi.yaml": "name: platform\nruntime: nodejs\n",
      "Pulumi.broken.yaml": "config: [unclosed\n",
    },
    code: 1,
    says: ["Pulumi.broken.yaml: invalid YAML"],
  },

  {
    cli: render,
    argv: ["bad", "--project", "{tmp}", "--out", "{tmp}/o"],
    files: badStack("platform:name: 123"),
    code: 1,
    says: ['Invalid configuration for stack "bad" (Pulumi.bad.yaml)', "name:"],
  },

  // check
  {
    cli: check,
    argv: ["bad", "--project", "{tmp}"],
    files: badStack("platform:name: 123"),
    code: 1,
    says: ['Invalid configuration for stack "bad" (Pulumi.bad.yaml)', "name:"],
  },
  { cli: check, argv: [], code: 2, says: ["missing <stack>", "usage: npm run check -- <stack>"] },
  { cli: check, argv: ["local", "--policy-confg", "x"], code: 2, says: ["did you mean --policy-config?"] },
  { cli: check, argv: ["local", "--json=yes"], code: 2, says: ["--json takes no value: write --json alone"] },
  { cli: check, argv: ["local", "--project"], code: 2, says: ["--project needs a value: --project <dir>"] },
  {
    cli: check,
    argv: ["local", "--project", "{root}", "--policy-config", "{tmp}/none.json"],
    code: 1,
    says: ["--policy-config", "none.json: no such file", "policy/config/dev.json"],
  },
  {
    cli: check,
    argv: ["local", "--project", "{root}", "--policy-config", "{tmp}/bad.json"],
    files: { "bad.json": "{" },
    code: 1,
    says: ["policy config", "bad.json"],
  },
  {
    cli: check,
    argv: ["local", "--project", "{root}", "--policy-config", "{tmp}/levels.json"],
    files: { "levels.json": '{"nosuch-policy": "mandatory"}' },
    code: 1,
    says: ["nosuch-policy: no such policy; the policies are"],
  },
  { cli: check, argv: ["nope", "--project", "{root}"], code: 1, says: ["Pulumi.nope.yaml not found"] },
  { cli: check, argv: ["local", "--project", "{tmp}/nope"], code: 1, says: ["--project", "no such folder"] },

  // gitops:lint
  {
    cli: gitopsLint,
    argv: ["{tmp}/nope"],
    code: 1,
    says: ["gitops:lint", "nope: no such folder", "(e.g. gitops)"],
  },
  {
    cli: gitopsLint,
    argv: ["{tmp}/f.yaml"],
    files: { "f.yaml": "a: 1\n" },
    code: 1,
    says: ["f.yaml is a file"],
  },
  { cli: gitopsLint, argv: ["--jsn"], code: 2, says: ["unknown option --jsn: did you mean --json?"] },
  { cli: gitopsLint, argv: ["a", "b"], code: 2, says: ['unexpected argument "b": gitops:lint takes [dir]'] },
  {
    cli: gitopsLint,
    argv: [GITOPS, "--project", "{tmp}/nope"],
    code: 1,
    says: ["--project", "no such folder"],
  },
  { cli: gitopsLint, argv: ["--vars"], code: 2, says: ["--vars needs a value: --vars <KEY,...>"] },
  { cli: gitopsLint, argv: ["--prod", "a", "--prod", "b"], code: 2, says: ["--prod is given twice"] },
  {
    cli: gitopsLint,
    argv: ["--changed-since"],
    code: 2,
    says: ["--changed-since needs a value: --changed-since <ref>"],
  },
  {
    cli: gitopsLint,
    argv: [GITOPS, "--changed-since", "nosuch-ref"],
    code: 1,
    says: ['--changed-since nosuch-ref: "nosuch-ref" is not a branch, tag or commit of the Git repository'],
  },
  {
    cli: gitopsLint,
    argv: ["{tmp}", "--changed-since", "main"],
    code: 1,
    says: ["--changed-since main:", "is not in a Git repository"],
  },
  { cli: gitopsLint, argv: ["--no-cache=yes"], code: 2, says: ["--no-cache"] },

  // gitops:new-slice
  {
    cli: gitopsNewSlice,
    argv: [],
    code: 2,
    says: ["missing --cluster and --model", "usage: npm run gitops:new-slice"],
  },
  { cli: gitopsNewSlice, argv: slice().slice(2), code: 2, says: ["missing --cluster"] },
  {
    cli: gitopsNewSlice,
    argv: ["--cluster", "local", "--model", "embb", "--repo", "{tmp}/nope"],
    code: 1,
    says: ["--repo", "no such folder"],
  },
  {
    cli: gitopsNewSlice,
    argv: ["--cluster", "nosuch", "--model", "embb", "--repo", GITOPS],
    code: 1,
    says: ["--cluster nosuch: no clusters/nosuch/", "the platform's tree must exist first"],
  },
  {
    cli: gitopsNewSlice,
    argv: ["--cluster", "local", "--model", "nosuch", "--repo", GITOPS],
    code: 1,
    says: ['unknown slice model "nosuch"', "embb"],
  },
  {
    cli: gitopsNewSlice,
    argv: slice("--sts", "1", "--sd", "aa0001"),
    code: 2,
    says: ["unknown option --sts: did you mean --sst?"],
  },
  {
    cli: gitopsNewSlice,
    argv: slice("--clustr", "x"),
    code: 2,
    says: ["unknown option --clustr: did you mean --cluster?"],
  },
  {
    cli: gitopsNewSlice,
    argv: slice(
      "--sst",
      "1",
      "--sd",
      "def922",
      "--dnn",
      "internet",
      "--mcc",
      "262",
      "--mnc",
      "01",
      "--nsiid",
      "1",
    ),
    code: 1,
    says: ["clusters/local/slices/1-def922/slice.yaml exists: pass --force to overwrite it"],
  },
  {
    cli: gitopsNewSlice,
    argv: slice(
      "--sst",
      "1",
      "--sd",
      "aa0009",
      "--dnn",
      "internet",
      "--mcc",
      "262",
      "--mnc",
      "01",
      "--nsiid",
      "n1",
    ),
    code: 1,
    says: ['--nsiid n1: spec.nsiID is "n1", and must be integer in the Slice CRD (catalog/crds/slice.yaml)'],
  },
  { cli: gitopsNewSlice, argv: slice("stray"), code: 1, says: ['unexpected argument "stray"'] },
  { cli: gitopsNewSlice, argv: slice("--sst"), code: 1, says: ["--sst needs a value"] },

  // fleet
  {
    cli: fleet,
    argv: [],
    code: 2,
    says: ["missing subcommand: one of preview, up", "usage: npm run fleet --"],
  },
  { cli: fleet, argv: ["deploy"], code: 2, says: ['unknown subcommand "deploy"', "one of preview, up"] },
  { cli: fleet, argv: ["rendr"], code: 2, says: ['unknown subcommand "rendr": did you mean render?'] },
  {
    cli: fleet,
    argv: ["render", "--wrokers", "2"],
    code: 2,
    says: ["unknown option --wrokers: did you mean --workers?"],
  },
  {
    cli: fleet,
    argv: ["preview", "--out", "x"],
    code: 2,
    says: ["--out does not apply to preview (only to render)"],
  },
  {
    cli: fleet,
    argv: ["status", "--concurrency", "0"],
    code: 2,
    says: ['--concurrency "0": expected a whole number from 1'],
  },
  {
    cli: fleet,
    argv: ["preview", "--shard", "5/4"],
    code: 2,
    says: ['--shard "5/4": the shard index must be between 1 and 4'],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--json", "{tmp}/nope/x.json"],
    code: 1,
    says: ["--json", "nope/x.json: the folder", "does not exist: create it first"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--markdown", "{tmp}/notes.md", "--out", "{tmp}/r"],
    files: { "notes.md": "# my notes\n" },
    code: 1,
    says: ["--markdown", "notes.md exists and is not a report written by this tool"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--json", "{tmp}/dir", "--out", "{tmp}/r"],
    files: { "dir/x": "" },
    code: 1,
    says: ["--json", "dir is a folder: give a file name"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--out", "{tmp}"],
    files: { "canary/mine.txt": "mine\n" },
    code: 1,
    says: ["--out", "canary is not empty and was not written by this tool"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--out", "{tmp}/no/such"],
    code: 1,
    says: ["--out", "no/such: the folder", "does not exist: create it first"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--out", "{tmp}/r", "--gitops", "{tmp}/nope"],
    code: 1,
    says: ["--gitops", "nope: no such folder"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", "{tmp}/nope"],
    code: 1,
    says: ["--project", "nope: no such folder"],
  },
  {
    cli: fleet,
    argv: ["render", "--project", FLEET, "--stack", "nosuch", "--out", "{tmp}/r"],
    code: 2,
    says: ["nosuch"],
  },
  // every problem at once: schema problems and secrets in plain text in one error
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t
        .replace("platform:owner: network-integration", "platform:owner: 42")
        .replace(
          / {6}privateKey:\n {8}secure: .*\n/,
          "      privateKey: |\n        -----BEGIN OPENSSH PRIVATE KEY-----\n",
        ),
    ),
    code: 1,
    says: [
      'Invalid configuration for stack "bad" (Pulumi.bad.yaml), 2 problems:',
      "  - owner: must be a string, not a number",
      "  - cluster.ssh.privateKey: is a secret but is stored in plain text: run `pulumi config set --secret --path 'cluster.ssh.privateKey' <value>` so it is encrypted in Pulumi.bad.yaml",
    ],
  },
  {
    cli: check,
    argv: ["bad", "--project", "{tmp}"],
    files: editedStack("local", (t) =>
      t
        .replace("    kind: existing\n", "    kind: existing\n    nodes: 3\n")
        .replace(
          "    vars:\n",
          '    secretVars:\n      TOKEN:\n        secure: "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaA=="\n    vars:\n',
        ),
    ),
    code: 1,
    says: [
      'Invalid configuration for stack "bad" (Pulumi.bad.yaml), 2 problems:',
      "  - cluster.nodes: unknown key: check its spelling against the configuration reference (docs/configuration.md), or remove it",
      "  - flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext",
    ],
  },
  // bare metal: what a node runs as root is pinned by sha256
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) => t.replace(/scriptSha256: [0-9a-f]+/, "scriptSha256: 0123abcd")),
    code: 1,
    says: [
      "cluster.install.scriptSha256: is not a sha256 digest: give the 64 hex digits `sha256sum <file>` prints (docs/bare-metal.md says how to get them)",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t
        .replace("      mode: airgap\n", "      mode: online\n")
        .replace(/ {6}mirrorUrl: .*\n/, "")
        .replace(/ {6}scriptSha256: .*\n/, ""),
    ),
    code: 1,
    says: [
      "cluster.install.checksumsSha256: is for air-gapped installs: online, the install script checks the release against its own checksum file; pin install.scriptSha256, or set mode airgap",
    ],
  },
  {
    cli: check,
    argv: ["bad", "--project", "{tmp}", "--policy-config", "{root}/policy/config/prod.json"],
    files: editedStack("prod", (t) => t.replace(/ {6}checksumsSha256: .*\n/, "")),
    code: 1,
    says: [
      "[baremetal-install-pinned, high]",
      "installs without checking the release's checksum file; set cluster.install.checksumsSha256 (docs/bare-metal.md says how to get the digests).",
    ],
  },
];
