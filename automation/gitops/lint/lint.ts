/**
 * `gitops:lint`: a fleet repository checked offline. Repository-wide: YAML, Flux schemas and served
 * API versions, SOPS-only Secrets, string ConfigMap values. Per platform (`clusters/<platform>`):
 * the tree Flux would reconcile, its references, cycles, strict substitution and prod refs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as posix from "node:path/posix";
import { patchAndGeneratorFiles } from "../shared/kustomizationRefs";
import { checkTree } from "./checks";
import { KustomizeBuilder, resolveKustomize, type KustomizeTool } from "../shared/kustomize";
import { assumedContract, treeContextOf, type PlatformContract } from "../shared/contract";
import { stackContracts, startStackContracts, type StartedStackContracts } from "../shared/stackContracts";
import { ManifestCache, type Finding } from "../shared/manifests";
import { notificationFindings } from "./notifications";
import { shardingFindings } from "./sharding";
import { rootSourceKindInTree, walkTree } from "../shared/tree";
import { chartSourceFindings } from "./charts";
import { plaintextSecretGenerator } from "./secrets";
import { badLinks } from "../shared/sandbox";
import { checkDocument, substitutedSchemaFindings, substitutedSourceFindings } from "./documents";
import { changedSince, type ChangedSelection } from "./changed";
import { CacheError, cacheDir } from "../shared/cache";
import { DiffError } from "../shared/git";
import { DirHashes, TreeInputs } from "../shared/treeInputs";
import { firstLink, unvouched, valuesFree } from "../shared/incremental";
import { assumedHint, dedupe } from "./findings";

export { plaintextSecret } from "./secrets";
export { checkDocument } from "./documents";

export interface LintOptions {
  /** Project directory holding `Pulumi.<stack>.yaml` files. @default the parent of the repository */
  projectDir?: string;
  /** Extra cluster-vars keys for platforms without a stack file. */
  vars?: string[];
  /** Platforms without a stack file that are prod. @default names ending in `prod` */
  prodPlatforms?: string[];
  /** Contracts to use instead of reading stack files (tests, the render). */
  contracts?: Map<string, PlatformContract>;
  /** The kustomize to run. @default resolveKustomize() */
  kustomize?: KustomizeTool;
  /** Cache folder for kustomize builds and stack-file renders (../shared/cache.ts); none: no cache. */
  cacheRoot?: string;
  /** Lint only the platforms a change since this ref of the fleet repository reaches (./changed.ts). */
  changedSince?: string;
}

export interface LintResult {
  findings: Finding[];
  /** Platforms checked, with where their cluster-vars came from. */
  platforms: { platform: string; origin: string }[];
  /** What the user should know about how the lint ran (e.g. no stack files found). */
  notes: string[];
  /** The project directory the stack files were looked for in (stack-file findings are relative to it). */
  projectDir: string;
  files: number;
  /** With changedSince: the platforms linted and skipped, each with why. */
  changed?: { since: string; linted: Record<string, string>; skipped: Record<string, string> };
  durationMs: number;
}

/** How many platforms' builds are made ahead at once (KustomizeBuilder.prefetch). */
const PREFETCH = 16;

/** Lint the fleet repository in `repoDir`. */
export async function lintFleet(repoDir: string, options: LintOptions = {}): Promise<LintResult> {
  const started = Date.now();
  if (!fs.existsSync(repoDir) || !fs.statSync(repoDir).isDirectory())
    throw new LintError(
      `${repoDir} is not a directory: pass the fleet repository's directory (npm run gitops:lint -- <dir>, default gitops)`,
    );
  const tool = options.kustomize ?? resolveKustomize();
  const cache = new ManifestCache(repoDir);
  const projectDir = path.resolve(options.projectDir ?? path.dirname(path.resolve(repoDir)));
  // Without --changed-since every stack file is rendered: the renders start first (in worker
  // processes when there are many) and run while the repository is read and its platforms walked.
  const early =
    options.contracts || options.changedSince
      ? undefined
      : startStackContracts(projectDir, { cacheRoot: options.cacheRoot });
  early?.catch(() => undefined);
  // Links that lead out of the repository (or into .git/, or nowhere): never followed, always reported.
  const findings: Finding[] = badLinks(repoDir).map((l) => ({
    file: l.file,
    line: 1,
    rule: "symlink",
    message: l.problem,
  }));
  const files = cache.allFiles();
  const kustomizationFiles = new Set(files.filter((f) => /(^|\/)kustomization\.ya?ml$/.test(f)));
  // Patches are partial objects and generator inputs are not manifests: kustomize checks them.
  const notManifests = new Set(
    [...kustomizationFiles].flatMap((k) =>
      (cache.read(k).docs[0] ? patchAndGeneratorFiles(cache.read(k).docs[0].object) : []).map(([f]) =>
        posix.normalize(posix.join(posix.dirname(k), f)),
      ),
    ),
  );
  for (const file of files) {
    const parsed = cache.read(file);
    findings.push(...parsed.errors);
    if (kustomizationFiles.has(file))
      findings.push(...(parsed.docs[0] ? plaintextSecretGenerator(cache, parsed.docs[0]) : []));
    else if (!notManifests.has(file)) for (const doc of parsed.docs) findings.push(...checkDocument(doc));
  }
  const clustersDir = path.join(repoDir, "clusters");
  const platformDirs = fs.existsSync(clustersDir)
    ? fs
        .readdirSync(clustersDir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  let contracts = options.contracts;
  const contractOf = (platform: string) => {
    const prod = options.prodPlatforms
      ? options.prodPlatforms.includes(platform)
      : /(^|-)prod$/.test(platform);
    return (
      contracts?.get(platform) ??
      assumedContract(platform, options.vars ?? [], prod, rootSourceKindInTree(repoDir, platform))
    );
  };
  const notes: string[] = [];
  let selection: ChangedSelection | undefined;
  const select = (all: Map<string, PlatformContract>) => {
    selection = changedSince(
      options.changedSince as string,
      repoDir,
      projectDir,
      cache,
      platformDirs.map((p) => all.get(p) ?? contractOf(p)),
      (p) => all.get(p)?.origin.split(" ")[0],
      new TreeInputs(options.cacheRoot),
    );
    notes.push(...selection.notes);
  };
  try {
    if (options.changedSince && contracts) select(contracts);
    // With --changed-since, only the platforms the change reaches are rendered.
    else if (options.changedSince)
      select(
        (await stackContracts(projectDir, { cacheRoot: options.cacheRoot, only: () => false })).contracts,
      );
  } catch (e) {
    if (e instanceof DiffError) throw new LintError(`--changed-since ${options.changedSince}: ${e.message}`);
    throw e;
  }
  // Each platform's walk waits for its own contract only.
  let read: StartedStackContracts | undefined;
  if (!contracts) {
    read = await (early ??
      startStackContracts(projectDir, {
        cacheRoot: options.cacheRoot,
        only: selection ? (p) => selection!.linted.has(p) : undefined,
      }));
    contracts = read.unrendered;
    if (!read.stacks.length)
      notes.push(
        `no Pulumi.<stack>.yaml in ${projectDir}: every platform's cluster-vars are assumed (the keys every platform has, plus --vars); pass --project <dir with the stack files> to check against the real ones`,
      );
  }
  if (!platformDirs.length)
    findings.push({
      file: "clusters/",
      line: 1,
      rule: "layout",
      message:
        "no clusters/<platform>/ directory: the root Kustomization of a platform points at ./clusters/<platform>",
    });
  for (const c of contracts.values())
    if (!platformDirs.includes(c.platform) && c.rootPath === `./clusters/${c.platform}`)
      findings.push({
        file: "clusters/",
        line: 1,
        rule: "layout",
        platform: c.platform,
        message: `platform ${c.platform} (${c.origin}) has no clusters/${c.platform}/: its root Kustomization would fail`,
      });
  const unknownProd = (options.prodPlatforms ?? []).filter((p) => !platformDirs.includes(p));
  if (unknownProd.length)
    throw new LintError(
      `--prod ${unknownProd.join(",")}: no such platform in ${repoDir} (its platforms: ${platformDirs.join(", ") || "none"}); name platforms that have a clusters/<platform>/ directory`,
    );
  const contractFor = async (platform: string) => (await read?.contract(platform)) ?? contractOf(platform);
  const platforms: LintResult["platforms"] = [];
  const builder = new KustomizeBuilder(repoDir, tool, options.cacheRoot);
  const todo = platformDirs.filter((p) => !selection || selection.linted.has(p));
  // What each tree reads, kept for the next diff or --changed-since lint (../shared/treeInputs.ts).
  const inputs = new TreeInputs(options.cacheRoot);
  const hashes = options.cacheRoot && !selection && !firstLink(repoDir) ? new DirHashes(repoDir) : undefined;
  // kustomize runs on every core: the builds of the next platforms are made ahead, in parallel, while
  // this process walks the platforms whose builds are made (their results are read between two).
  const prefetch = async (from: number): Promise<void> => {
    const next = await Promise.all(todo.slice(from, from + PREFETCH).map(contractFor));
    await builder.prefetch(
      next.flatMap((contract) => {
        const context = treeContextOf(contract);
        const walked = walkTree(cache, context);
        if (hashes && !unvouched(walked)) inputs.put(context, hashes, walked.inputs, valuesFree(walked));
        return walked.requests;
      }),
    );
  };
  let ahead: Promise<void> = Promise.resolve();
  try {
    ahead = prefetch(0);
    for (const [i, platform] of todo.entries()) {
      if (i % PREFETCH === 0) {
        await ahead;
        ahead = prefetch(i + PREFETCH);
      } else await new Promise((resolve) => setImmediate(resolve));
      const contract = await contractFor(platform);
      platforms.push({ platform, origin: contract.origin });
      const tree = walkTree(cache, treeContextOf(contract), builder);
      const found = [
        ...checkTree(tree, contract),
        ...substitutedSchemaFindings(tree),
        ...substitutedSourceFindings(tree),
        ...notificationFindings(tree, contract),
        ...shardingFindings(tree, contract.shards),
        ...chartSourceFindings(tree, repoDir),
      ];
      findings.push(
        ...(contracts.has(platform) ? found : found.map((f) => assumedHint(f, platform, projectDir))),
      );
    }
  } finally {
    // A walk that failed leaves the builds ahead running: they end before the builder goes.
    await ahead.catch(() => undefined);
    builder.dispose();
    // Renders still running end before the lint returns or throws.
    if (read) findings.push(...(await read.done).findings);
  }
  const sorted = dedupe(findings).sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.message.localeCompare(b.message),
  );
  return {
    findings: sorted,
    platforms,
    notes,
    projectDir,
    files: files.length,
    ...(selection
      ? {
          changed: {
            since: options.changedSince as string,
            linted: Object.fromEntries(selection.linted),
            skipped: Object.fromEntries(selection.skipped),
          },
        }
      : {}),
    durationMs: Date.now() - started,
  };
}

/**
 * One line per finding: `file:line: [rule] message (platform)`, the file prefixed with the
 * repository's label, or the project's for stack files.
 */
export function formatFinding(f: Finding, repoLabel = "", projectLabel = ""): string {
  const label = f.base === "project" ? projectLabel : repoLabel;
  return `${label}${f.file}:${f.line}: [${f.rule}] ${f.message}${f.platform ? ` (${f.platform})` : ""}`;
}

/** A user error of the lint (a directory that does not exist, an unknown --prod platform). */
export class LintError extends Error {}

/** The cache folder for a lint of `repoDir` (../shared/cache.ts); LintError when it is inside the repository. */
export function lintCacheDir(repoDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return cacheDir(repoDir, env);
  } catch (e) {
    if (e instanceof CacheError) throw new LintError(e.message);
    throw e;
  }
}
