// What the scenarios feed the program: a copy of the project, and versions of the fleet repository
// made from the project's gitops/ tree.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { pulumiCli, type PulumiCli } from "./pulumi";
import { REPO_ROOT, type Tools } from "./tools";

/** Every file of the project's gitops/ tree (path relative to it -> content). */
export function gitopsTree(): Record<string, string> {
  const root = path.join(REPO_ROOT, "gitops");
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(root);
  return out;
}

/**
 * The template's HelmRelease with Helm's readiness wait off (install, upgrade, rollback): no kubelet
 * runs the chart's pods here, so a wait could never succeed. Everything else is the template's.
 */
export function withoutHelmWait(text: string): string {
  const hr = parse(text) as { spec: Record<string, Record<string, unknown> | undefined> };
  for (const action of ["install", "upgrade", "rollback"])
    hr.spec[action] = { ...(hr.spec[action] ?? {}), disableWait: true };
  return stringify(hr);
}

/**
 * A fleet tree for a root OCIRepository: its Flux Kustomizations name the root source by kind
 * (OCIRepository flux-system instead of GitRepository flux-system), and the network-functions layer
 * is left out, because a HelmChart cannot take its chart from an OCIRepository (Flux serves OCI
 * charts through an OCIRepository of the chart itself, which this template does not publish).
 */
export function ociFleetTree(tree: Record<string, string>, platformDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(tree)) {
    if (file.startsWith(`${platformDir}/network-functions`)) continue;
    out[file] = text.replace(/kind: GitRepository(\s+name: flux-system)/g, "kind: OCIRepository$1");
  }
  const k = `${platformDir}/kustomization.yaml`;
  out[k] = out[k].replace("  - network-functions.yaml\n", "");
  return out;
}

/** The project's gitops/ tree as the e2e serves it: the HelmRelease without Helm's wait. */
export function e2eFleetTree(): Record<string, string> {
  const tree = gitopsTree();
  tree["apps/network-functions/upf.yaml"] = withoutHelmWait(tree["apps/network-functions/upf.yaml"]);
  return tree;
}

/** A copy of the project (its own files only; node_modules linked) so nothing is written to the repo. */
export function copyProject(dest: string): void {
  const skip = new Set(["node_modules", ".git", ".tools", "render", "test", "gitops", "coverage"]);
  fs.mkdirSync(dest, { recursive: true });
  for (const e of fs.readdirSync(REPO_ROOT, { withFileTypes: true })) {
    if (skip.has(e.name) || /^Pulumi\..+\.yaml$/.test(e.name)) continue;
    fs.cpSync(path.join(REPO_ROOT, e.name), path.join(dest, e.name), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dest, "node_modules"));
}

/**
 * The program as an e2e runs it: a copy of the project in `workDir/project`, the built Pulumi CLI
 * on a file backend (TypeScript transpiled only), and Flux's own install.yaml from build-tools.sh.
 */
export function e2eProject(
  tools: Tools,
  workDir: string,
  logDir: string,
): { project: string; pulumi: PulumiCli; installFile: string } {
  const project = path.join(workDir, "project");
  copyProject(project);
  const pulumi = pulumiCli(tools, workDir, logDir, project);
  pulumi.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
  return { project, pulumi, installFile: tools.fluxInstall };
}
