/**
 * A directory built with kustomize, as kustomize-controller does, after the hand-written walk
 * (./build.ts) has checked what it names; and what kustomize is asked to build for it, which the
 * walk alone can tell (KustomizeBuilder.prefetch runs those ahead, on every core).
 */
import type { KustomizeBuilder } from "./kustomize";
import type { ManifestCache } from "./manifests";
import {
  buildPath,
  generatedResources,
  kustomizationFile,
  normaliseRepoPath,
  STOPS_BUILD,
  type BuildResult,
} from "./build";
import { tracedDoc } from "./trace";

export interface KustomizeRequest {
  dir: string;
  resources?: string[];
  inputs: string[];
}

/**
 * What kustomize is asked to build for a directory the hand-written walk built (`walked`): the
 * directory, the generated resources when it has no kustomization.yaml, and what it may read;
 * undefined when the walk found what stops a build.
 */
export function kustomizeRequest(
  cache: ManifestCache,
  dir: string,
  walked: BuildResult,
): KustomizeRequest | undefined {
  if (walked.findings.some((f) => STOPS_BUILD.has(f.rule))) return undefined;
  const rel = normaliseRepoPath(dir);
  const resources = kustomizationFile(cache, rel)
    ? undefined
    : generatedResources(cache, rel).map((r) => r.path);
  return { dir: rel, resources, inputs: walked.inputs };
}

/**
 * Build a directory with kustomize, as kustomize-controller does. The hand-written walk runs first:
 * a missing resource, patch or generator file is reported at its line (kustomize is not run, and the
 * walk's objects stand in); a kustomize failure is reported at the Kustomization's path.
 */
export function kustomizeBuildPath(
  cache: ManifestCache,
  builder: KustomizeBuilder,
  dir: string,
  where: { file: string; line: number; what: string },
): BuildResult {
  const walked = buildPath(cache, dir, where);
  const request = kustomizeRequest(cache, dir, walked);
  if (!request) return walked;
  const out = builder.build(request.dir, request.resources, request.inputs);
  if (out.error)
    return {
      ...walked,
      findings: [
        ...walked.findings,
        {
          ...where,
          rule: "kustomize",
          message: `${where.what} "${dir}": kustomize build fails: ${out.error}`,
        },
      ],
    };
  // Where a reference the object's own file lacks may be written: kustomization files (generators,
  // inline patches), patch files, then the build's other manifests (kustomize replacements copy values).
  const isKustomization = (f: string) => /(^|\/)kustomization\.ya?ml$|\/Kustomization$/.test(f);
  const traceFiles = [
    ...walked.files.filter(isKustomization),
    ...walked.sources,
    ...walked.files.filter((f) => !isKustomization(f)),
  ];
  return {
    ...walked,
    docs: out.objects.map((o) => tracedDoc(cache, o, traceFiles, where)),
  };
}
