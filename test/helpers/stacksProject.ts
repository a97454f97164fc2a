/**
 * The project of test/unit/gitops/stacks.test.ts (in-process) and test/integration/gitops/stacks.test.ts
 * (the CLIs as processes): the shipped fleet repository with the project's stack files, a second stack
 * of platform local and a prod stack whose render fails, committed; and what both expect of it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SHIPPED } from "../unit/gitops/helpers";

const ROOT = path.resolve(__dirname, "../..");

/** A new temporary project folder (the caller removes it). */
export function stacksProject(): string {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "lint-project-"));
  fs.cpSync(SHIPPED, path.join(project, "gitops"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.local.yaml"), path.join(project, "Pulumi.local.yaml"));
  // A second stack of platform local.
  fs.copyFileSync(path.join(ROOT, "Pulumi.local.yaml"), path.join(project, "Pulumi.local2.yaml"));
  // A prod stack whose install manifests file does not exist: its render fails.
  const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
  const broken = prod.replace(
    "    install:\n      mode: manifests\n",
    "    install:\n      mode: manifests\n      manifests:\n        file: nope/install.yaml\n",
  );
  if (broken === prod) throw new Error("test setup: Pulumi.prod.yaml has no flux install block");
  fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), broken);
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "-A"],
    ["commit", "-q", "-m", "fleet"],
  ])
    spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: project });
  return project;
}

/** The line of the broken file entry in the project's Pulumi.prod.yaml. */
export const prodLine = (project: string) =>
  fs
    .readFileSync(path.join(project, "Pulumi.prod.yaml"), "utf8")
    .split("\n")
    .indexOf("        file: nope/install.yaml") + 1;

/** gitops:lint's stack findings, formatted with the labels gitops/ and ./ (the CLI's, run in the project). */
export const lintStackFindings = (project: string) => [
  "./Pulumi.local2.yaml:6: [stack] stack local2 defines platform local, and so does Pulumi.local.yaml: clusters/local is checked against Pulumi.local.yaml only; give each stack its own platform:name",
  `./Pulumi.prod.yaml:${prodLine(project)}: [stack] stack prod does not render: flux.install.manifests.file: cannot read nope/install.yaml: ENOENT; platform de-prod is checked with the cluster-vars keys of the contract table`,
];

/** gitops:lint's platforms and where their cluster-vars came from. */
export const PLATFORMS = [
  { platform: "de-dev", origin: "the contract's always-present keys and --vars" },
  { platform: "de-prod", origin: "Pulumi.prod.yaml (contract table; the render failed)" },
  { platform: "local", origin: "Pulumi.local.yaml (render)" },
];

/** gitops:diff's problems, line numbers replaced by <line>. */
export const DIFF_PROBLEMS = [
  "Pulumi.local2.yaml:<line>: stack local2 defines platform local, and so does Pulumi.local.yaml: clusters/local is checked against Pulumi.local.yaml only; give each stack its own platform:name",
  "Pulumi.prod.yaml:<line>: stack prod does not render: flux.install.manifests.file: cannot read nope/install.yaml: ENOENT; platform de-prod is checked with the cluster-vars keys of the contract table",
];

/** gitops:diff's platforms and what each follows. */
export const DIFF_FOLLOWS = ["de-dev: the refs (no stack file)", "de-prod: tag v1.0.0", "local: branch main"];
