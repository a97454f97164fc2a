/**
 * The render's view of the fleet repository, when it is available locally: the picture of the tree
 * the root Kustomization applies, and the variables that tree needs which cluster-vars lacks (Flux
 * 2.9 fails the reconcile on them). Shares the lint's contract and tree walk (automation/gitops).
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fleetTreeMermaid, missingClusterVars, type MissingVariable } from "../gitops";
import { normaliseRepoPath } from "../gitops/shared/build";
import { ManifestCache, type ManifestFile } from "../gitops/shared/manifests";
import { describeRef } from "../../components/flux/render";
import type { RenderResult } from "./index";

export interface FleetRepoReport {
  repoDir: string;
  rootPath: string;
  /** Mermaid markdown for tree.md; undefined when the repository has no such path. */
  tree?: string;
  /** Variables without a value, with the file and line that uses them. */
  missing: MissingVariable[];
}

/**
 * The files of a fleet repository that a run checking many stacks against it (a fleet render) reads
 * once: everything outside the platforms' own folders (bases, catalog, infrastructure), which every
 * platform's tree reads. A platform's own folder is read for its own check only, so the memory held
 * does not grow with the number of platforms. The run assumes the files do not change while it runs
 * (as gitops:lint does).
 */
export class FleetRepoCache {
  private readonly shared: ManifestCache;
  constructor(readonly repoDir: string) {
    this.shared = new ManifestCache(repoDir);
  }
  /** The manifests for the checks of the platform whose root Kustomization builds `rootPath`. */
  forRoot(rootPath: string): ManifestCache {
    return new PlatformManifests(this.shared, rootPath);
  }
}

/** Files under the platform's root path read afresh (and kept for its own walks), the others shared. */
class PlatformManifests extends ManifestCache {
  private readonly own: string;
  constructor(
    private readonly shared: ManifestCache,
    rootPath: string,
  ) {
    super(shared.repoDir);
    this.own = `${normaliseRepoPath(rootPath)}/`;
  }
  override read(file: string): ManifestFile {
    return file.startsWith(this.own) ? super.read(file) : this.shared.read(file);
  }
}

/**
 * Check a render against the fleet repository at `repoDir`; undefined when there is none. `run`: the
 * repository's shared files as an earlier check of the same run read them (a fleet render: parsed
 * once, not twice per stack); without it every file is read afresh. The report is the same either way.
 */
export async function checkFleetRepo(
  r: RenderResult,
  repoDir: string,
  run?: FleetRepoCache,
): Promise<FleetRepoReport | undefined> {
  if (!existsSync(repoDir)) return undefined;
  if (run && run.repoDir !== repoDir)
    throw new Error(`checkFleetRepo: the cache given is that of ${run.repoDir}, not ${repoDir}`);
  const rootPath = String(r.outputs.rootPath);
  const cache = run ? run.forRoot(rootPath) : new ManifestCache(repoDir);
  if (!existsSync(path.join(repoDir, rootPath))) return { repoDir, rootPath, missing: [] };
  const src = r.config.flux.source;
  const rootSourceKind = src.kind === "git" ? "GitRepository" : "OCIRepository";
  const label = `${rootSourceKind} flux-system (${describeRef(src.ref)})`;
  const clusterVars = (r.outputs.clusterVars ?? {}) as Record<string, string>;
  return {
    repoDir,
    rootPath,
    tree: await fleetTreeMermaid(repoDir, r.config.name, rootPath, label, rootSourceKind, cache),
    missing: await missingClusterVars(repoDir, rootPath, clusterVars, {
      secretVars: Object.keys(r.config.flux.secretVars),
      rootSourceKind,
      cache,
    }),
  };
}

/** Whether the fleet repository shows a problem Flux would fail on: no root path, or variables without a value. */
export function fleetRepoFails(report: FleetRepoReport | undefined): boolean {
  return report !== undefined && (report.tree === undefined || report.missing.length > 0);
}

/** Summary lines for the report (summary.txt): the same from any working directory. */
export function describeFleetRepo(report: FleetRepoReport): string[] {
  const where = path.posix.join(path.basename(report.repoDir), report.rootPath);
  if (report.tree === undefined)
    return [
      `fleet repository: ${where} does not exist, so Flux would fail the root Kustomization: set flux.sync.path to the platform's folder, or add ${report.rootPath} to the repository`,
    ];
  if (report.missing.length === 0)
    return [`fleet repository: cluster-vars cover every variable ${where} needs; tree.md written`];
  return [
    `fleet repository: ${report.missing.length} variable(s) ${where} needs have no value (Flux 2.9 fails the reconcile):`,
    ...report.missing.map(
      (m) =>
        `  ${m.file}:${m.line}: \${${m.variable}}: add it to flux.vars (or flux.secretVars), or give it a default \${${m.variable}:=…}`,
    ),
  ];
}
