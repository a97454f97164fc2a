/**
 * A Helm chart as an OCI artifact, as `helm package` + `helm push` make it: Chart.yaml parsed and
 * checked, the config blob in Helm's field order, the annotations Helm writes, the chart's tarball.
 */
import * as semver from "semver";
import { parse as parseYaml } from "yaml";
import {
  assemble,
  rfc3339,
  blob,
  MEDIA_TYPES,
  PublishError,
  reproducibleTarGz,
  sortedRecord,
  type Artifact,
  type SourceFile,
  ANNOTATIONS,
  OCI_NAME_COMPONENT,
} from "./publish";

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
