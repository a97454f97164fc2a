/**
 * Which files a Flux Kustomization builds from a path. Two builds:
 *
 * - `kustomizeBuildPath` (./kustomizeBuild.ts): kustomize itself (gitops:lint, gitops:diff): every kustomize feature,
 *   each object traced back to its file and line through kustomize's origin annotations.
 * - `buildPath`: a hand-written walk of plain resources and directories, with no tool needed. It
 *   comes first in every build because it points a missing resource or patch at the line of the
 *   kustomization.yaml that names it (kustomize only names the path), and it lists the patch and
 *   generator files the tracing searches. On its own it serves the render's tree picture and
 *   variable pre-check and the slice scaffolder, which run where no Go toolchain is installed; it does
 *   not apply patches, generators or transformers.
 *
 * (An invalid YAML file is reported by the repository-wide parse; kustomize is not run on it either.)
 *
 * A directory with a `kustomization.yaml` contributes its `resources` (files and directories,
 * recursively); a directory without one gets the file kustomize-controller generates, which takes
 * every manifest in the directory and its subdirectories (a subdirectory with its own
 * `kustomization.yaml` is built as such).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { asK8s, type Finding, type ManifestCache, type ManifestDoc } from "./manifests";
import { isRemoteReference, MAX_FILE_BYTES, remoteMessage, tooLargeMessage } from "./sandbox";
import { kustomizationReferences, patchAndGeneratorFiles } from "./kustomizationRefs";

const KUSTOMIZE_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface BuildResult {
  /** The Kubernetes objects built, in order. */
  docs: ManifestDoc[];
  /** Files read (manifests and kustomization files). */
  files: string[];
  /** Patch and generator files the kustomization files name (what a traced variable may come from). */
  sources: string[];
  findings: Finding[];
  /**
   * What the build depends on, repository-relative: every directory it entered (kustomize reads only
   * files in or below them, by its load restrictor) and every path a kustomization names, existing or
   * not. A change to a file at or below one of them may change the build; no other change can.
   */
  inputs: string[];
}

/** Normalise a Flux `spec.path` (`./clusters/x`, `clusters/x/`, `.`) to a repository-relative directory. */
export function normaliseRepoPath(p: string): string {
  return path.posix.normalize(p.replace(/^\.?\/+/, "") || ".").replace(/\/$/, "");
}

/** kustomization fields naming what kustomize loads besides resources, patches and generator files. */
const LOADED_ALSO = new Set([
  "crds",
  "configurations",
  "transformers",
  "generators",
  "validators",
  "replacements",
  "openapi",
]);

/** Rules of findings after which kustomize is not run on a build (the walk's objects stand in). */
export const STOPS_BUILD = new Set([
  "path",
  "yaml",
  "symlink",
  "size",
  "remote",
  "load-restrictor",
  "manifest",
]);

/** The stat of a repository path that resolves inside the repository; undefined otherwise. */
function exists(cache: ManifestCache, rel: string): fs.Stats | undefined {
  const r = cache.resolve(rel);
  return r.ok ? r.stat : undefined;
}

/**
 * Why a path a kustomization names may not be built (it does not exist, leads out through a link,
 * is too large), as a finding; undefined when it may.
 */
function refusal(
  cache: ManifestCache,
  target: string,
  at: { file: string; line: number },
  what: string,
): Finding | undefined {
  if (target === ".." || target.startsWith("../"))
    return { ...at, rule: "path", message: `${what} points outside the repository (${target})` };
  const r = cache.resolve(target);
  if (!r.ok)
    return r.missing
      ? { ...at, rule: "path", message: `${what} does not exist (${target})` }
      : { ...at, rule: "symlink", message: `${what}: ${r.problem}` };
  if (r.stat.isFile() && r.stat.size > MAX_FILE_BYTES)
    return { ...at, rule: "size", message: `${what}: ${tooLargeMessage(target, r.stat.size)}` };
  return undefined;
}

/** A file a kustomization in `dir` reads from outside `dir`: kustomize's default load restrictor refuses it. */
function restrictorFinding(dir: string, target: string, at: { file: string; line: number }, what: string) {
  if (dir === "." || target.startsWith(`${dir}/`)) return undefined;
  return {
    ...at,
    rule: "load-restrictor",
    message: `${what} is outside the kustomization's directory ${dir}/: kustomize's default load restrictor refuses a file there (the Git-side tools build with it, so a kustomization cannot read files of another); move the file into ${dir}/, or make the shared part a kustomize component (a directory with its own kustomization.yaml of kind Component) and list it under components:`,
  };
}

export function kustomizationFile(cache: ManifestCache, dir: string): string | undefined {
  const name = KUSTOMIZE_FILES.find((f) => exists(cache, path.posix.join(dir, f))?.isFile());
  return name ? path.posix.join(dir, name) : undefined;
}

/**
 * Build a directory of the repository. `where` says what asked for it (file and line), for the
 * finding when the path does not exist.
 */
export function buildPath(
  cache: ManifestCache,
  dir: string,
  where: { file: string; line: number; what: string },
): BuildResult {
  const result: BuildResult = { docs: [], files: [], sources: [], findings: [], inputs: [] };
  const rel = normaliseRepoPath(dir);
  result.inputs.push(rel);
  if (rel.startsWith("..")) {
    result.findings.push({
      ...where,
      rule: "path",
      message: `${where.what} "${dir}" points outside the repository`,
    });
    return result;
  }
  const r = cache.resolve(rel);
  if (!r.ok && !r.missing) {
    result.findings.push({ ...where, rule: "symlink", message: `${where.what} "${dir}": ${r.problem}` });
    return result;
  }
  if (!exists(cache, rel)?.isDirectory()) {
    result.findings.push({
      ...where,
      rule: "path",
      message: `${where.what} "${dir}" does not exist in the repository`,
    });
    return result;
  }
  buildDir(cache, rel, result, new Set());
  return result;
}

function addFile(cache: ManifestCache, file: string, result: BuildResult) {
  const parsed = cache.read(file);
  result.files.push(file);
  result.findings.push(...parsed.errors);
  // kustomize would fail on it, quoting it: said here without its content.
  for (const d of parsed.docs)
    if (!asK8s(d))
      result.findings.push({
        file,
        line: d.line,
        rule: "manifest",
        message: `${file}: the document at line ${d.line} is not a Kubernetes object (a mapping with apiVersion and kind), so kustomize cannot build it: remove it, or list the file under a generator if it is data`,
      });
  result.docs.push(...parsed.docs.filter((d) => asK8s(d)));
}

function buildDir(cache: ManifestCache, dir: string, result: BuildResult, visiting: Set<string>) {
  // Keyed by where the directory really is: a link to a directory of the tree is the same directory.
  const real = cache.resolve(dir);
  const key = real.ok ? real.real : dir;
  if (visiting.has(key)) return;
  visiting.add(key);
  if (!result.inputs.includes(dir)) result.inputs.push(dir);
  const kfile = kustomizationFile(cache, dir);
  if (!kfile) {
    generated(cache, dir, result, visiting);
    return;
  }
  const parsed = cache.read(kfile);
  result.files.push(kfile);
  result.findings.push(...parsed.errors);
  const doc = parsed.docs[0];
  if (!doc) return;
  // Nothing a kustomization names is fetched: remote bases, resources, components, patches.
  let remote = false;
  for (const [entry, at] of kustomizationReferences(doc.object))
    if (isRemoteReference(entry)) {
      remote = true;
      result.findings.push({
        file: kfile,
        line: doc.lineOf(at),
        rule: "remote",
        message: remoteMessage(at.filter((p) => typeof p === "string").join("."), entry),
      });
    }
  if (remote) return;
  for (const field of ["resources", "bases", "components"] as const) {
    const list = doc.object[field];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i) => {
      if (typeof entry !== "string") return;
      const target = path.posix.normalize(path.posix.join(dir, entry));
      const at = { file: kfile, line: doc.lineOf([field, i]) };
      result.inputs.push(target);
      const refused = refusal(cache, target, at, `${field} entry "${entry}"`);
      if (refused) {
        if (refused.rule === "path" && !refused.message.includes("points outside"))
          refused.message = `${field} entry "${entry}" does not exist (${target})`;
        result.findings.push(refused);
        return;
      }
      const st = exists(cache, target) as fs.Stats;
      if (st.isDirectory()) {
        if (!kustomizationFile(cache, target))
          result.findings.push({
            ...at,
            rule: "path",
            message: `${field} entry "${entry}" is a directory without kustomization.yaml: kustomize cannot build it; add one or list its files`,
          });
        else buildDir(cache, target, result, visiting);
      } else {
        const restricted = restrictorFinding(dir, target, at, `${field} entry "${entry}"`);
        if (restricted) result.findings.push(restricted);
        else addFile(cache, target, result);
      }
    });
  }
  for (const [entry, at] of patchAndGeneratorFiles(doc.object)) {
    const target = path.posix.normalize(path.posix.join(dir, entry));
    const where = { file: kfile, line: doc.lineOf(at) };
    result.inputs.push(target);
    const what = `${at.filter((p) => typeof p === "string").join(".")} file "${entry}"`;
    const refused =
      refusal(cache, target, where, what) ??
      (exists(cache, target)?.isFile()
        ? restrictorFinding(dir, target, where, what)
        : { ...where, rule: "path", message: `${what} does not exist (${target})` });
    if (refused) result.findings.push(refused);
    else if (!result.sources.includes(target)) result.sources.push(target);
  }
  // What else kustomize loads (a transformer's or generator's folder may lie outside this one): the
  // walk does not build it, but a change to it may change the build, so it is an input too.
  for (const [entry, at] of kustomizationReferences(doc.object))
    if (LOADED_ALSO.has(String(at[0]))) result.inputs.push(path.posix.normalize(path.posix.join(dir, entry)));
}

/**
 * The resources of the kustomization.yaml kustomize-controller generates for a directory without
 * one: every manifest below it, and each subdirectory with its own kustomization.yaml as a whole.
 */
export function generatedResources(cache: ManifestCache, dir: string): { path: string; isDir: boolean }[] {
  const out: { path: string; isDir: boolean }[] = [];
  const entries = fs
    .readdirSync(path.join(cache.repoDir, dir), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const child = dir === "." ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (kustomizationFile(cache, child)) out.push({ path: child, isDir: true });
      else out.push(...generatedResources(cache, child));
    } else if (/\.ya?ml$/.test(e.name)) out.push({ path: child, isDir: false });
  }
  return out;
}

function generated(cache: ManifestCache, dir: string, result: BuildResult, visiting: Set<string>) {
  for (const r of generatedResources(cache, dir))
    if (r.isDir) buildDir(cache, r.path, result, visiting);
    else addFile(cache, r.path, result);
}
