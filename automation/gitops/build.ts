/**
 * Which files a Flux Kustomization builds from a path, following kustomize for plain resources and
 * directories: a directory with a `kustomization.yaml` contributes its `resources` (files and
 * directories, recursively); a directory without one gets the file kustomize-controller generates,
 * which takes every manifest in the directory and its subdirectories (a subdirectory with its own
 * `kustomization.yaml` is built as such). Patches, generators and remote resources are not followed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { asK8s, type Finding, type ManifestCache, type ManifestDoc } from "./manifests";

const KUSTOMIZE_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface BuildResult {
  /** The Kubernetes objects built, in order. */
  docs: ManifestDoc[];
  /** Files read (manifests and kustomization files). */
  files: string[];
  findings: Finding[];
}

/** Normalise a Flux `spec.path` (`./clusters/x`, `clusters/x/`, `.`) to a repository-relative directory. */
export function normaliseRepoPath(p: string): string {
  return path.posix.normalize(p.replace(/^\.?\/+/, "") || ".").replace(/\/$/, "");
}

function exists(repoDir: string, rel: string): fs.Stats | undefined {
  try {
    return fs.statSync(path.join(repoDir, rel));
  } catch {
    return undefined;
  }
}

function kustomizationFile(repoDir: string, dir: string): string | undefined {
  const name = KUSTOMIZE_FILES.find((f) => exists(repoDir, path.posix.join(dir, f))?.isFile());
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
  const result: BuildResult = { docs: [], files: [], findings: [] };
  const rel = normaliseRepoPath(dir);
  if (rel.startsWith("..")) {
    result.findings.push({
      ...where,
      rule: "path",
      message: `${where.what} "${dir}" points outside the repository`,
    });
    return result;
  }
  if (!exists(cache.repoDir, rel)?.isDirectory()) {
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
  result.docs.push(...parsed.docs.filter((d) => asK8s(d)));
}

function buildDir(cache: ManifestCache, dir: string, result: BuildResult, visiting: Set<string>) {
  if (visiting.has(dir)) return;
  visiting.add(dir);
  const kfile = kustomizationFile(cache.repoDir, dir);
  if (!kfile) {
    generated(cache, dir, result, visiting);
    return;
  }
  const parsed = cache.read(kfile);
  result.files.push(kfile);
  result.findings.push(...parsed.errors);
  const doc = parsed.docs[0];
  if (!doc) return;
  for (const field of ["resources", "bases", "components"] as const) {
    const list = doc.object[field];
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i) => {
      if (typeof entry !== "string" || /^[a-z]+:\/\/|^github\.com\//.test(entry)) return;
      const target = path.posix.normalize(path.posix.join(dir, entry));
      const line = doc.lineOf([field, i]);
      const st = target.startsWith("..") ? undefined : exists(cache.repoDir, target);
      if (!st) {
        result.findings.push({
          file: kfile,
          line,
          rule: "path",
          message: `${field} entry "${entry}" does not exist (${target})`,
        });
      } else if (st.isDirectory()) {
        if (!kustomizationFile(cache.repoDir, target))
          result.findings.push({
            file: kfile,
            line,
            rule: "path",
            message: `${field} entry "${entry}" is a directory without kustomization.yaml: kustomize cannot build it; add one or list its files`,
          });
        else buildDir(cache, target, result, visiting);
      } else addFile(cache, target, result);
    });
  }
}

/** What kustomize-controller generates for a directory without kustomization.yaml. */
function generated(cache: ManifestCache, dir: string, result: BuildResult, visiting: Set<string>) {
  const entries = fs
    .readdirSync(path.join(cache.repoDir, dir), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const child = dir === "." ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (kustomizationFile(cache.repoDir, child)) buildDir(cache, child, result, visiting);
      else generated(cache, child, result, visiting);
    } else if (/\.ya?ml$/.test(e.name)) addFile(cache, child, result);
  }
}
