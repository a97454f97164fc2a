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

const ROOT = path.join(__dirname, "..", "..", "..");

export interface BadInputRow {
  cli: Cli;
  argv: string[];
  /** Files in the row's folder before the run (path under `{tmp}` → content). */
  files?: Record<string, string>;
  code: 1 | 2;
  /** Substrings of what is printed: the option or path named, and the fix. */
  says: string[];
}

const markerOf = (...files: string[]) => JSON.stringify({ writtenBy: "npm run render", files });
const FLEET = "{root}/test/fixtures/fleet/project";
const GITOPS = "{root}/gitops";
const slice = (...more: string[]) => ["--cluster", "local", "--model", "embb", "--repo", GITOPS, ...more];

/**
 * The files of a project in `{tmp}` whose stack `bad` has this config (YAML under `config:`): for
 * rows about stack files, run with `--project {tmp}` (render and check also need `--out {tmp}/o`).
 */
const badStack = (config: string): Record<string, string> => ({
  "Pulumi.yaml": readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
  "Pulumi.bad.yaml": `config:\n${config.replace(/^/gm, "  ")}\n`,
});

export const rows: BadInputRow[] = [
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
];
