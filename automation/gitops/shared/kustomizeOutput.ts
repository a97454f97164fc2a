/**
 * What `kustomize build` printed, as the gitops commands keep it: the objects, each with where
 * kustomize says it comes from (its `config.kubernetes.io/origin` annotation, removed from the
 * object). Kept two ways: repository-relative, for the directory built (KustomizeOutput), and
 * relative to the directory built (Relocatable), which serves every directory whose inputs have the
 * same contents at the same relative paths (./kustomize.ts).
 */
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { programVersion } from "./cache";
import { MAX_YAML_ALIASES } from "./sandbox";

/** Where kustomize says an object comes from (repository-relative), from `config.kubernetes.io/origin`. */
export interface Origin {
  /** The manifest file, for objects read from one. */
  file?: string;
  /** The kustomization.yaml whose generator made it, for generated objects. */
  configuredIn?: string;
}

export interface KustomizeOutput {
  objects: { object: Record<string, unknown>; origin?: Origin }[];
  /** kustomize's error, with paths relative to the repository. */
  error?: string;
}

/** A successful build with its origins relative to the directory built (`../base/x.yaml`). */
export interface Relocatable {
  objects: { object: Record<string, unknown>; origin?: Origin }[];
}

const ORIGIN = "config.kubernetes.io/origin";

/** What kustomize is asked to build (KustomizeBuilder.build). */
export interface BuildRequest {
  /** The directory, repository-relative. */
  dir: string;
  /** The generated kustomization.yaml's resources (repository-relative); undefined when it has its own. */
  resources?: string[];
  /** Every path the build may read (BuildResult.inputs), repository-relative. */
  inputs?: string[];
}

/**
 * The key of a build by content and relative layout: kustomize's and the program's versions, the
 * generated resources relative to the directory (or none), and every path the build may read
 * relative to the directory, with its content hash (`hashes`, ../cache.ts ContentHashes). Two
 * directories whose inputs hold the same bytes at the same relative paths get the same key: their
 * builds give the same objects, with origins the same relative to each. Undefined when the inputs
 * are unknown, one lies outside the repository, or one has no hash (a symbolic link).
 */
export function layoutKey(
  { dir, resources, inputs }: BuildRequest,
  hashes: { of(rel: string): string | undefined },
  kustomizeVersion: string,
): string | undefined {
  if (!inputs) return undefined;
  const rel = (p: string) => path.posix.relative(dir, p) || ".";
  const read: string[] = [];
  for (const i of new Set(inputs)) {
    if (i === ".." || i.startsWith("../")) return undefined;
    const h = hashes.of(i);
    if (h === undefined) return undefined;
    read.push(`${rel(i)}\0${h}`);
  }
  return [
    `kustomize ${kustomizeVersion}`,
    `platform ${programVersion()}`,
    "origins relative to the directory built",
    resources ? `generated: ${JSON.stringify(resources.map(rel))}` : "its own kustomization",
    ...read.sort(),
  ].join("\n");
}

/**
 * The objects kustomize printed, their origins made relative to `base` (an absolute directory) by
 * `toRelative`: kustomize writes them relative to the wrapper it built (`wrapper`).
 */
export function parseOutput(
  stdout: string,
  wrapper: string,
  toRelative: (abs: string) => string | undefined,
): KustomizeOutput {
  const objects: KustomizeOutput["objects"] = [];
  for (const doc of parseAllDocuments(stdout)) {
    const object = (doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? undefined) as
      Record<string, unknown> | undefined;
    if (!object) continue;
    const metadata = (object.metadata ?? {}) as { annotations?: Record<string, string> };
    const raw = metadata.annotations?.[ORIGIN];
    let origin: Origin | undefined;
    if (raw !== undefined) {
      delete metadata.annotations![ORIGIN];
      if (!Object.keys(metadata.annotations!).length) delete metadata.annotations;
      const o = parse(raw) as { path?: string; configuredIn?: string };
      const to = (p?: string) => (p ? toRelative(path.resolve(wrapper, p)) : undefined);
      origin = { file: to(o.path), configuredIn: to(o.configuredIn) };
    }
    objects.push({ object, origin });
  }
  return { objects };
}

const mapOrigins = (
  objects: KustomizeOutput["objects"],
  map: (p: string) => string | undefined,
): KustomizeOutput["objects"] =>
  objects.map(({ object, origin }) => ({
    object,
    origin: origin && {
      file: origin.file === undefined ? undefined : map(origin.file),
      configuredIn: origin.configuredIn === undefined ? undefined : map(origin.configuredIn),
    },
  }));

/** A build of `dir` (origins repository-relative) with its origins relative to `dir`. */
export function relocatable(result: KustomizeOutput, dir: string): Relocatable {
  return { objects: mapOrigins(result.objects, (p) => path.posix.relative(dir, p) || ".") };
}

/** A relocatable build as the build of `dir`: origins repository-relative (none outside it). */
export function relocated(stored: Relocatable, dir: string): KustomizeOutput {
  return {
    objects: mapOrigins(stored.objects, (p) => {
      const r = path.posix.normalize(path.posix.join(dir, p));
      return r === ".." || r.startsWith("../") ? undefined : r;
    }),
  };
}
