/**
 * The OCI artifacts gitops:publish pushes, built in memory and reproducibly (same files, same
 * digests): the fleet artifact in Flux's format (what `flux push artifact` makes and an
 * OCIRepository pulls) and each Helm chart in Helm's OCI format (what `helm push` makes). Pure
 * functions: files in, blobs and manifests out; no Git, no network (see publishGit.ts, registry.ts).
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import * as semver from "semver";
import { pack } from "tar-stream";
import { parse as parseYaml } from "yaml";

/** Media types, as Flux (RFC-0003) and Helm (HIP-0017) register them. */
export const MEDIA_TYPES = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  fluxConfig: "application/vnd.cncf.flux.config.v1+json",
  fluxContent: "application/vnd.cncf.flux.content.v1.tar+gzip",
  helmConfig: "application/vnd.cncf.helm.config.v1+json",
  helmChart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
} as const;

/** The OCI annotation keys written (image-spec annotations.md). */
export const ANNOTATIONS = {
  created: "org.opencontainers.image.created",
  source: "org.opencontainers.image.source",
  revision: "org.opencontainers.image.revision",
  title: "org.opencontainers.image.title",
  version: "org.opencontainers.image.version",
  description: "org.opencontainers.image.description",
  url: "org.opencontainers.image.url",
  authors: "org.opencontainers.image.authors",
} as const;

/** A user's mistake gitops:publish found (what, where, how to fix): printed without a stack trace. */
export class PublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PublishError";
  }
}

/** A file to package: its path relative to the packaged folder (`/`-separated) and its bytes. */
export interface SourceFile {
  path: string;
  data: Buffer;
  /** Executable in Git (mode 100755): packaged 0755, else 0644. */
  executable?: boolean;
}

export interface Blob {
  mediaType: string;
  /** `sha256:<hex>` */
  digest: string;
  size: number;
  data: Buffer;
}

/** A built artifact, ready to push as `<repository>:<tag>`. */
export interface Artifact {
  kind: "fleet" | "chart";
  /** The repository inside the registry, e.g. `acme/fleet` or `acme/charts/network-function`. */
  repository: string;
  tag: string;
  config: Blob;
  layer: Blob;
  /** The manifest's bytes as pushed (their sha256 is the artifact's digest). */
  manifest: Buffer;
  digest: string;
  annotations: Record<string, string>;
  /** sha256 of the uncompressed tar: the same content compressed by another zlib has the same. */
  contentDigest: string;
  /** The tar's entry names, in order. */
  entries: string[];
  /** For a chart: the folder it came from, relative to the published folder (`charts/x`). */
  origin?: string;
}

export const sha256 = (data: Buffer | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export function blob(mediaType: string, data: Buffer): Blob {
  return { mediaType, digest: sha256(data), size: data.length, data };
}

/** A tag the OCI distribution spec accepts. */
export const OCI_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** A repository path component the OCI distribution spec accepts. */
export const OCI_NAME_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/**
 * A gzipped tar of `files` that depends on their paths and bytes only: entries sorted by path,
 * mtime 0, uid/gid 0 with no names, modes 0644/0755, and a gzip header without a timestamp and with
 * the "unknown" OS byte (zlib writes the build platform's, which would make macOS and Linux differ).
 * `directories`: write an entry for each folder (as Flux's builder does; Helm's package has none).
 */
export async function reproducibleTarGz(
  files: readonly SourceFile[],
  options: { prefix?: string; directories: boolean },
): Promise<{ gz: Buffer; tar: Buffer; entries: string[] }> {
  const prefix = options.prefix ? `${options.prefix}/` : "";
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].path === sorted[i - 1].path) throw new Error(`duplicate file ${sorted[i].path}`);
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on("data", (c) => chunks.push(c as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
  });
  const fixed = { mtime: new Date(0), uid: 0, gid: 0, uname: "", gname: "" };
  const entries: string[] = [];
  const written = new Set<string>();
  for (const f of sorted) {
    if (options.directories) {
      const parts = f.path.split("/").slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const dir = `${prefix}${parts.slice(0, i).join("/")}/`;
        if (written.has(dir)) continue;
        written.add(dir);
        entries.push(dir);
        p.entry({ ...fixed, name: dir, type: "directory", mode: 0o755 });
      }
    }
    const name = `${prefix}${f.path}`;
    entries.push(name);
    p.entry(
      { ...fixed, name, type: "file", mode: f.executable ? 0o755 : 0o644, size: f.data.length },
      f.data,
    );
  }
  p.finalize();
  const tar = await done;
  const gz = gzipSync(tar, { level: 9 });
  gz[9] = 0xff; // RFC 1952 OS field: unknown (what Go's compress/gzip writes)
  return { gz, tar, entries };
}

/** JSON.stringify with annotation keys sorted (as Go's encoder writes maps). */
function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** An artifact of one config and one layer: its OCI image manifest (annotation keys sorted) and digest. */
function assemble(
  parts: Omit<Artifact, "manifest" | "digest" | "contentDigest" | "entries">,
  packed: { tar: Buffer; entries: string[] },
): Artifact {
  const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const annotations = sortedRecord(parts.annotations);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: descriptor(parts.config),
      layers: [descriptor(parts.layer)],
      annotations,
    }),
  );
  return {
    ...parts,
    annotations,
    manifest,
    digest: sha256(manifest),
    contentDigest: sha256(packed.tar),
    entries: packed.entries,
  };
}

/** RFC 3339 in UTC, seconds precision (`2026-11-28T17:04:05Z`), from a Git ISO 8601 date. */
export function rfc3339(date: string): string {
  const d = new Date(date);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${date}`);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface FleetArtifactInput {
  repository: string;
  tag: string;
  /** The full commit sha the files come from. */
  commit: string;
  /** The commit's date (any form `Date` parses; Git's `%cI`). */
  committed: string;
  /** The Git repository, https form. */
  source: string;
  files: readonly SourceFile[];
}

/** The fleet artifact: one Flux content layer of the folder's files, config `{}`, the three annotations. */
export async function fleetArtifact(input: FleetArtifactInput): Promise<Artifact> {
  if (!/^[0-9a-f]{40}$/.test(input.commit)) throw new Error(`not a full commit sha: ${input.commit}`);
  const packed = await reproducibleTarGz(input.files, { directories: true });
  return assemble(
    {
      kind: "fleet",
      repository: input.repository,
      tag: input.tag,
      config: blob(MEDIA_TYPES.fluxConfig, Buffer.from("{}")),
      layer: blob(MEDIA_TYPES.fluxContent, packed.gz),
      annotations: {
        [ANNOTATIONS.created]: rfc3339(input.committed),
        [ANNOTATIONS.source]: input.source,
        [ANNOTATIONS.revision]: `${input.tag}@sha1:${input.commit}`,
      },
    },
    packed,
  );
}

// ---------------------------------------------------------------------------------------------------
// Helm charts

interface Maintainer {
  name?: string;
  email?: string;
  url?: string;
}

/** Chart.yaml's fields, as Helm's chart.Metadata holds them. */
export interface ChartMetadata {
  name: string;
  version: string;
  apiVersion: string;
  home?: string;
  sources?: string[];
  description?: string;
  keywords?: string[];
  maintainers?: Maintainer[];
  icon?: string;
  condition?: string;
  tags?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  kubeVersion?: string;
  dependencies?: Record<string, unknown>[];
  type?: string;
}

/** Helm's chart.Metadata field order (its JSON is the config blob), each omitted when empty. */
const METADATA_KEYS = [
  "name", "home", "sources", "version", "description", "keywords", "maintainers", "icon", "apiVersion",
  "condition", "tags", "appVersion", "deprecated", "annotations", "kubeVersion", "dependencies", "type",
] as const; // prettier-ignore
const MAINTAINER_KEYS = ["name", "email", "url"] as const;
const DEPENDENCY_KEYS = [
  "name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias",
] as const; // prettier-ignore

const empty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === "" ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);

function ordered(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (!empty(obj[k])) out[k] = obj[k];
  return out;
}

/** JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The config blob of a chart: Chart.yaml as JSON, in Helm's field order, annotation keys sorted. */
export function chartConfigJson(meta: ChartMetadata): string {
  const m = meta as unknown as Record<string, unknown>;
  const value = ordered(
    {
      ...m,
      maintainers: meta.maintainers?.map((x) => ordered(x as Record<string, unknown>, MAINTAINER_KEYS)),
      annotations: meta.annotations && sortedRecord(meta.annotations),
      dependencies: meta.dependencies?.map((d) => ordered(d, DEPENDENCY_KEYS)),
    },
    METADATA_KEYS,
  );
  return goJson(value);
}

/**
 * Chart.yaml parsed and checked as `helm package` and `helm push` would: apiVersion v1/v2, a name
 * usable as an OCI repository name, a SemVer version, a known type. `where` names the file.
 */
export function parseChartYaml(text: string, where: string): ChartMetadata {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new PublishError(`${where}: not valid YAML (${(e as Error).message.split("\n")[0]}): fix the file`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new PublishError(`${where}: not a mapping: a Chart.yaml holds apiVersion, name, version, …`);
  const m = doc as Record<string, unknown>;
  const problems: string[] = [];
  const str = (k: string) => (typeof m[k] === "string" ? (m[k] as string) : undefined);
  if (!["v1", "v2"].includes(str("apiVersion") ?? ""))
    problems.push(`apiVersion is ${JSON.stringify(m.apiVersion)}: write apiVersion: v2`);
  const name = str("name");
  if (!name) problems.push("name is missing: write name: <chart name>");
  else if (!OCI_NAME_COMPONENT.test(name))
    problems.push(
      `name "${name}" is not a valid OCI repository name (lower-case letters, digits, '.', '_', '-'): rename the chart`,
    );
  const version = typeof m.version === "number" ? String(m.version) : str("version");
  if (!version) problems.push("version is missing: write version: <SemVer, e.g. 0.1.0>");
  else if (!semver.valid(version))
    problems.push(`version "${version}" is not SemVer 2 (helm push tags by it): write e.g. 0.1.0`);
  if (m.type !== undefined && !["application", "library"].includes(String(m.type)))
    problems.push(`type is "${String(m.type)}": application or library`);
  for (const k of ["sources", "keywords"] as const)
    if (
      m[k] !== undefined &&
      !(Array.isArray(m[k]) && (m[k] as unknown[]).every((s) => typeof s === "string"))
    )
      problems.push(`${k} must be a list of strings`);
  if (
    m.annotations !== undefined &&
    (typeof m.annotations !== "object" ||
      m.annotations === null ||
      Object.values(m.annotations).some((v) => typeof v !== "string"))
  )
    problems.push("annotations must map names to strings (quote numbers and booleans)");
  if (problems.length) throw new PublishError(`${where}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const appVersion = m.appVersion === undefined ? undefined : String(m.appVersion as string | number);
  return { ...(m as object), name: name!, version: version!, appVersion } as ChartMetadata;
}

/** The OCI tag of a chart version: `+` is not allowed in tags, so Helm writes `_`. */
export const chartTag = (version: string) => version.replace(/\+/g, "_");

/** The manifest annotations `helm push` writes for a chart (Helm's pkg/registry, same rules). */
export function chartAnnotations(meta: ChartMetadata, created: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (k: string, v: string | undefined) => {
    if (v !== undefined && v.trim() !== "") out[k] = v;
  };
  add(ANNOTATIONS.description, meta.description);
  add(ANNOTATIONS.title, meta.name);
  add(ANNOTATIONS.version, meta.version);
  add(ANNOTATIONS.url, meta.home);
  add(ANNOTATIONS.created, created);
  add(ANNOTATIONS.source, meta.sources?.[0]);
  if (meta.maintainers?.length)
    add(
      ANNOTATIONS.authors,
      meta.maintainers.map((x) => `${x.name ?? ""}${x.email ? ` (${x.email})` : ""}`).join(", "),
    );
  // The chart's own annotations, except those that would contradict its name and version.
  for (const [k, v] of Object.entries(meta.annotations ?? {}))
    if (k !== ANNOTATIONS.title && k !== ANNOTATIONS.version) out[k] = v;
  return sortedRecord(out);
}

export interface ChartArtifactInput {
  /** The repository the charts go to (`--charts-to`'s path); the chart's name is appended. */
  repositoryBase: string;
  /** The chart's folder relative to the published folder, e.g. `charts/network-function`. */
  origin: string;
  /** The chart's files, relative to its folder (Chart.yaml among them), .helmignore applied. */
  files: readonly SourceFile[];
  /** The commit's date: `org.opencontainers.image.created`. */
  committed: string;
}

/** A chart as `helm package` + `helm push` make it: entries under `<name>/`, pushed as `<base>/<name>:<version>`. */
export async function chartArtifact(input: ChartArtifactInput): Promise<Artifact> {
  const chartYaml = input.files.find((f) => f.path === "Chart.yaml");
  if (!chartYaml) throw new PublishError(`${input.origin}: no Chart.yaml`);
  const meta = parseChartYaml(chartYaml.data.toString("utf8"), `${input.origin}/Chart.yaml`);
  checkDependencies(meta, input);
  const packed = await reproducibleTarGz(input.files, { prefix: meta.name, directories: false });
  return assemble(
    {
      kind: "chart",
      repository: input.repositoryBase ? `${input.repositoryBase}/${meta.name}` : meta.name,
      tag: chartTag(meta.version),
      config: blob(MEDIA_TYPES.helmConfig, Buffer.from(chartConfigJson(meta))),
      layer: blob(MEDIA_TYPES.helmChart, packed.gz),
      annotations: chartAnnotations(meta, rfc3339(input.committed)),
      origin: input.origin,
    },
    packed,
  );
}

/** Dependencies Chart.yaml declares must be vendored (charts/<name>/ or charts/<name>-<version>.tgz), as `helm package` ships them. */
function checkDependencies(meta: ChartMetadata, input: ChartArtifactInput): void {
  const missing = (meta.dependencies ?? []).filter((d) => {
    const name = String(d.name ?? "");
    return !input.files.some(
      (f) =>
        f.path.startsWith(`charts/${name}/`) ||
        (f.path.startsWith(`charts/${name}-`) && f.path.endsWith(".tgz") && !f.path.slice(7).includes("/")),
    );
  });
  if (missing.length)
    throw new PublishError(
      `${input.origin}/Chart.yaml: dependencies ${missing.map((d) => String(d.name)).join(", ")} are not in ${input.origin}/charts/: run helm dependency build ${input.origin} and commit the result`,
    );
}
