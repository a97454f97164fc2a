/**
 * The OCI artifacts gitops:publish pushes, built in memory and reproducibly (same files, same
 * digests): the fleet artifact in Flux's format (what `flux push artifact` makes and an
 * OCIRepository pulls) and each Helm chart in Helm's OCI format (what `helm push` makes). Pure
 * functions: files in, blobs and manifests out; no Git, no network (see publishGit.ts, registry.ts).
 * Helm charts: chart.ts.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

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
export function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** An artifact of one config and one layer: its OCI image manifest (annotation keys sorted) and digest. */
export function assemble(
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
