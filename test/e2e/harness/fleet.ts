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
 * A fleet tree for a platform whose root is an OCIRepository, made the way de-dev's is in the
 * template: the platform's Kustomizations name OCIRepository flux-system, and its network functions
 * add the component apps/network-functions/oci (the chart from the charts registry, chartRef).
 */
export function ociFleetTree(tree: Record<string, string>, platformDir: string): Record<string, string> {
  const out: Record<string, string> = { ...tree };
  for (const [file, text] of Object.entries(tree))
    if (file.startsWith(`${platformDir}/`))
      out[file] = text.replace(/kind: GitRepository(\s+name: flux-system)/g, "kind: OCIRepository$1");
  const nf = `${platformDir}/network-functions/kustomization.yaml`;
  const depth = platformDir.split("/").length + 1;
  const component = `${"../".repeat(depth)}apps/network-functions/oci`;
  out[nf] = out[nf].replace(/^resources:\n( {2}- .*\n)+/m, (m) => `${m}components:\n  - ${component}\n`);
  if (!out[nf].includes(component)) throw new Error(`could not add the OCI charts component to ${nf}`);
  return out;
}

/**
 * The template's notifications layer added to a platform the way docs/gitops.md says to: de-dev's
 * `notifications.yaml` copied into the platform's directory and listed in its kustomization.yaml,
 * with the early-secrets path (./notifications/base) and no dependsOn on infra-configs (a platform
 * without the infrastructure layer).
 */
export function withNotifications(tree: Record<string, string>, platformDir: string): Record<string, string> {
  const ks = parse(tree["clusters/de-dev/notifications.yaml"]) as {
    spec: { path: string; dependsOn?: unknown; sourceRef: { kind: string } };
  };
  ks.spec.path = "./notifications/base";
  delete ks.spec.dependsOn;
  ks.spec.sourceRef.kind = "GitRepository";
  const k = `${platformDir}/kustomization.yaml`;
  const list = tree[k].replace("resources:\n", "resources:\n  - notifications.yaml\n");
  if (list === tree[k]) throw new Error(`could not list notifications.yaml in ${k}`);
  return { ...tree, [`${platformDir}/notifications.yaml`]: stringify(ks), [k]: list };
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
  // manifests.file is a path inside the project (the program refuses one outside it).
  fs.copyFileSync(tools.fluxInstall, path.join(project, "flux-install.yaml"));
  return { project, pulumi, installFile: "flux-install.yaml" };
}

/**
 * A good release of a platform's tree: a ConfigMap `fleet-release` in flux-system whose `version` is
 * the release, listed in the platform's kustomization.yaml, so each cluster shows which release its
 * root applied, read from the cluster rather than from the driver.
 */
export function withReleaseMarker(
  tree: Record<string, string>,
  platformDir: string,
  version: string,
): Record<string, string> {
  const k = `${platformDir}/kustomization.yaml`;
  const list = tree[k].includes("  - fleet-release.yaml\n")
    ? tree[k]
    : tree[k].replace("resources:\n", "resources:\n  - fleet-release.yaml\n");
  if (!list.includes("  - fleet-release.yaml\n"))
    throw new Error(`could not list fleet-release.yaml in ${k}`);
  const marker = stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "fleet-release", namespace: "flux-system" },
    data: { version },
  });
  return { ...tree, [k]: list, [`${platformDir}/fleet-release.yaml`]: marker };
}

// ---------------------------------------------------------------- the fleet driver's JSON report

/** The fields of `npm run fleet -- … --json` the fleet e2e reads. */
export interface FleetStackReport {
  stack: string;
  wave: number;
  result: string;
  error?: string;
  flux?: { revision?: string; ready: string; reason?: string; message?: string; since?: string };
}
export interface FleetWaveReport {
  wave: number;
  state: string;
  startedAt?: string;
  gateStartedAt?: string;
  finishedAt?: string;
}
export interface FleetReport {
  kind: string;
  exitCode: number;
  haltedBecause?: string;
  stacks: FleetStackReport[];
  waves?: FleetWaveReport[];
}

/** A stack's line of the report; throws when the report has none. */
export function byStack(r: FleetReport, stack: string): FleetStackReport {
  const s = r.stacks.find((x) => x.stack === stack);
  if (!s) throw new Error(`the report has no stack ${stack}: ${JSON.stringify(r.stacks)}`);
  return s;
}

/** A wave's times from the driver's report, in ms since the epoch; throws when one is missing. */
export function waveTimes(r: FleetReport, wave: number) {
  const w = r.waves?.find((x) => x.wave === wave);
  const ms = (t: string | undefined, what: string) => {
    const v = t === undefined ? NaN : Date.parse(t);
    if (Number.isNaN(v)) throw new Error(`the report's wave ${wave} has no ${what}: ${JSON.stringify(w)}`);
    return v;
  };
  return {
    state: w?.state,
    started: ms(w?.startedAt, "startedAt"),
    gateStarted: ms(w?.gateStartedAt, "gateStartedAt"),
    finished: ms(w?.finishedAt, "finishedAt"),
  };
}
