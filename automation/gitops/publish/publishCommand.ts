/**
 * gitops:publish: the fleet artifact (and the charts under charts/*) built from the Git checkout and
 * pushed to an OCI registry. Every input is checked and every artifact built before the registry is
 * asked anything; every tag is checked on the registry before anything is pushed; so a refusal
 * leaves the registry as it was.
 */
import { execFileSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import {
  chartArtifact,
  fleetArtifact,
  MEDIA_TYPES,
  OCI_NAME_COMPONENT,
  OCI_TAG,
  PublishError,
  sha256,
  type Artifact,
} from "./publish";
import { chartFolders, fleetFiles, readPublishSource, sourceUrl } from "./publishGit";
import { RegistryClient, type Credentials } from "./registry";

/** `oci://host[:port]/path` split; PublishError naming `option` otherwise. */
export function parseOciUrl(url: string, option: string): { host: string; repository: string } {
  const example = `${option} oci://registry.example.com/acme/${option === "--charts-to" ? "charts" : "fleet"}`;
  if (/^https?:\/\//.test(url))
    throw new PublishError(
      `${option} ${url}: write the registry as oci://host/path (https is used; --insecure-http for a plain-http registry), e.g. ${example}`,
    );
  const m = /^oci:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new PublishError(`${option} ${url}: not an oci://host/path URL, e.g. ${example}`);
  const [, host, repository] = m;
  if (/[@]|:[^/]*$/.test(repository))
    throw new PublishError(
      `${option} ${url}: give the repository without a tag or digest (${option === "--charts-to" ? "each chart is tagged with its version" : "the tag comes from --tag or the Git tag"})`,
    );
  const bad = repository.split("/").filter((c) => !OCI_NAME_COMPONENT.test(c));
  if (bad.length)
    throw new PublishError(
      `${option} ${url}: ${bad.map((c) => `"${c}"`).join(", ")} is not a valid repository path component (lower-case letters, digits, '.', '_', '-')`,
    );
  return { host, repository };
}

export interface PublishOptions {
  /** Where the fleet artifact goes: `oci://host/path`. */
  target: string;
  /** The published folder: absolute, and as the user wrote it. */
  dir: string;
  dirLabel: string;
  tag?: string;
  source?: string;
  chartsTo?: string;
  allowDirty?: boolean;
  dryRun?: boolean;
  insecureHttp?: boolean;
  /** Credentials for every registry (else each host's from the Docker config). */
  credentials?: Credentials;
  credentialsFrom?: string;
  /** Credentials for a host without explicit ones (the Docker config's). */
  credentialsFor?: (host: string) => { credentials?: Credentials; from: string; note?: string };
}

export type PublishState = "pushed" | "unchanged" | "dry-run";

export interface PublishedArtifact {
  kind: "fleet" | "chart";
  /** `oci://host/repository:tag` */
  ref: string;
  digest: string;
  /** Bytes stored: manifest, config and content layer. */
  size: number;
  state: PublishState;
  /** The folder it was built from, as --dir names it (a chart: <dir>/charts/<name>). */
  from: string;
  /** The tar's entries (the files published). */
  files: number;
}

export interface PublishResult {
  commit: string;
  tag: string;
  revision: string;
  source: string;
  created: string;
  artifacts: PublishedArtifact[];
  warnings: string[];
}

/** The tag of the fleet artifact: --tag, or the one Git tag at HEAD. */
function resolveTag(given: string | undefined, tagsAtHead: string[], dir: string, commit: string): string {
  const short = commit.slice(0, 7);
  if (given !== undefined) {
    if (!OCI_TAG.test(given))
      throw new PublishError(
        `--tag ${given}: not a valid OCI tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-'): e.g. --tag v1.2.0`,
      );
    let tagged: string | undefined;
    try {
      tagged = execFileSync("git", ["rev-parse", "--verify", "--quiet", `refs/tags/${given}^{commit}`], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      tagged = undefined;
    }
    if (tagged && tagged !== commit)
      throw new PublishError(
        `--tag ${given}: the Git tag ${given} points at ${tagged.slice(0, 7)}, but HEAD is ${short}: check out ${given} to publish it, or choose another tag`,
      );
    return given;
  }
  if (tagsAtHead.length === 0)
    throw new PublishError(
      `HEAD (${short}) has no Git tag, and the artifact's tag and revision come from it: tag the release (git tag v1.2.0 && git push origin v1.2.0) or pass --tag <tag>`,
    );
  if (tagsAtHead.length > 1)
    throw new PublishError(
      `HEAD (${short}) has several Git tags (${tagsAtHead.join(", ")}): choose one with --tag`,
    );
  const [tag] = tagsAtHead;
  if (!OCI_TAG.test(tag))
    throw new PublishError(
      `the Git tag ${tag} at HEAD is not a valid OCI tag: pass one with --tag, e.g. --tag v1.2.0`,
    );
  return tag;
}

/** The committer date of the last commit that changed `rel` (relative to `dir`), or undefined. */
function lastChange(dir: string, rel: string): string | undefined {
  const out = execFileSync("git", ["log", "-1", "--format=%cI", "--", rel], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  return out || undefined;
}

/** Build everything from the checkout (no network). */
export async function buildArtifacts(
  opts: PublishOptions,
): Promise<{ fleet: Artifact; charts: Artifact[]; result: Omit<PublishResult, "artifacts"> }> {
  const target = parseOciUrl(opts.target, "the target");
  const charts = opts.chartsTo === undefined ? undefined : parseOciUrl(opts.chartsTo, "--charts-to");
  const src = readPublishSource(opts.dir, opts.dirLabel);
  const warnings: string[] = src.skipped.map((s) => `left out ${s}`);
  if (src.dirty.length) {
    const listed = src.dirty.slice(0, 10).map((l) => `  ${l}`);
    if (src.dirty.length > 10) listed.push(`  … and ${src.dirty.length - 10} more`);
    if (!opts.allowDirty)
      throw new PublishError(
        `${opts.dirLabel} has uncommitted changes, so the artifact would not be commit ${src.commit.slice(0, 7)} its revision names:\n${listed.join("\n")}\ncommit (and tag) them first, or pass --allow-dirty to publish the working tree anyway`,
      );
    warnings.push(
      `--allow-dirty: publishing ${src.dirty.length} uncommitted change(s) in ${opts.dirLabel}: the revision names commit ${src.commit.slice(0, 7)}, which does not hold them`,
    );
  }
  const tag = resolveTag(opts.tag, src.tagsAtHead, src.dir, src.commit);
  const source = sourceUrl(opts.source, src.origin);
  const fleet = await fleetArtifact({
    repository: target.repository,
    tag,
    commit: src.commit,
    committed: src.committed,
    source,
    files: fleetFiles(src.files),
  });
  const chartArtifacts: Artifact[] = [];
  if (charts) {
    for (const c of chartFolders(src.files))
      chartArtifacts.push(
        await chartArtifact({
          repositoryBase: charts.repository,
          origin: c.origin,
          files: c.files,
          // The chart's own last change: an unchanged chart keeps its digest from release to release
          // (in a shallow clone this may be HEAD's date: sameContent then ignores created for charts).
          committed: lastChange(src.dir, c.origin) ?? src.committed,
        }),
      );
    const seen = new Map<string, string>();
    for (const a of chartArtifacts) {
      const other = seen.get(a.repository);
      if (other)
        throw new PublishError(
          `${other}/Chart.yaml and ${a.origin}/Chart.yaml have the same name: they would push to the same repository ${a.repository}; rename one`,
        );
      seen.set(a.repository, a.origin!);
    }
    if (chartArtifacts.length === 0)
      warnings.push(
        `--charts-to: no chart in ${opts.dirLabel}/charts/ (a folder with Chart.yaml): nothing to push there`,
      );
  }
  return {
    fleet,
    charts: chartArtifacts,
    result: {
      commit: src.commit,
      tag,
      revision: fleet.annotations["org.opencontainers.image.revision"],
      source,
      created: fleet.annotations["org.opencontainers.image.created"],
      warnings,
    },
  };
}

interface Placed {
  artifact: Artifact;
  host: string;
  client: RegistryClient;
}

const refOf = (p: { host: string; artifact: Artifact }) =>
  `oci://${p.host}/${p.artifact.repository}:${p.artifact.tag}`;

/**
 * Whether the manifest already under the tag holds what we built, byte for byte or compressed by
 * another zlib: same config, same layer type, the same uncompressed tar, the same annotations (a
 * chart's `created` aside, which is only when its folder last changed).
 */
async function sameContent(p: Placed, remote: Buffer): Promise<boolean> {
  let m: {
    config?: { digest?: string };
    layers?: { mediaType?: string; digest?: string }[];
    annotations?: Record<string, string>;
  };
  try {
    m = JSON.parse(remote.toString("utf8")) as typeof m;
  } catch {
    return false;
  }
  const a = p.artifact;
  const comparable = (r: Record<string, string> | undefined) =>
    JSON.stringify(
      Object.entries(r ?? {})
        .filter(([k]) => !(a.kind === "chart" && k === "org.opencontainers.image.created"))
        .sort(([x], [y]) => (x < y ? -1 : 1)),
    );
  if (m.config?.digest !== a.config.digest || m.layers?.length !== 1) return false;
  if (m.layers[0].mediaType !== a.layer.mediaType || !m.layers[0].digest) return false;
  if (comparable(m.annotations) !== comparable(a.annotations)) return false;
  if (m.layers[0].digest === a.layer.digest) return true;
  const layer = await p.client.blob(a.repository, m.layers[0].digest);
  try {
    return sha256(gunzipSync(layer)) === a.contentDigest;
  } catch {
    return false;
  }
}

/** What is under the tag that is not what we built, for the refusal. */
function conflict(p: Placed, remoteDigest: string, remote: Buffer): string {
  const a = p.artifact;
  let revision: string | undefined;
  try {
    revision = (JSON.parse(remote.toString("utf8")) as { annotations?: Record<string, string> })
      .annotations?.["org.opencontainers.image.revision"];
  } catch {
    revision = undefined;
  }
  const held = `${refOf(p)} already holds ${remoteDigest}${revision ? ` (revision ${revision})` : ""}, not this build (${a.digest})`;
  return a.kind === "chart"
    ? `${held}: ${a.origin} changed without a new version: bump version in ${a.origin}/Chart.yaml`
    : `${held}: a published tag is never overwritten (registries like ECR keep tags immutable, and platforms pinned to it must keep getting what they got): publish under a new tag`;
}

/** Build, check and push; `log` gets progress (stderr). */
export async function publish(opts: PublishOptions, log: (line: string) => void): Promise<PublishResult> {
  const built = await buildArtifacts(opts);
  const target = parseOciUrl(opts.target, "the target");
  const chartsHost = opts.chartsTo === undefined ? undefined : parseOciUrl(opts.chartsTo, "--charts-to").host;
  const clients = new Map<string, RegistryClient>();
  const clientFor = (host: string) => {
    let c = clients.get(host);
    if (!c) {
      const fromConfig = opts.credentials ? undefined : opts.credentialsFor?.(host);
      if (fromConfig?.note) built.result.warnings.push(fromConfig.note);
      const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
      if (opts.insecureHttp && !loopback && (opts.credentials ?? fromConfig?.credentials))
        built.result.warnings.push(
          `--insecure-http: the credentials for ${host} travel unencrypted, readable by anyone on the path`,
        );
      c = new RegistryClient(host, {
        insecureHttp: opts.insecureHttp,
        credentials: opts.credentials ?? fromConfig?.credentials,
        credentialsFrom: opts.credentials ? opts.credentialsFrom : fromConfig?.from,
      });
      clients.set(host, c);
    }
    return c;
  };
  const placed: Placed[] = [
    { artifact: built.fleet, host: target.host, client: clientFor(target.host) },
    ...built.charts.map((artifact) => ({ artifact, host: chartsHost!, client: clientFor(chartsHost!) })),
  ];
  const report = (p: Placed, state: PublishState, digest = p.artifact.digest): PublishedArtifact => ({
    kind: p.artifact.kind,
    ref: refOf(p),
    digest,
    size: p.artifact.manifest.length + p.artifact.config.size + p.artifact.layer.size,
    state,
    from: p.artifact.origin ? `${opts.dirLabel}/${p.artifact.origin}` : opts.dirLabel,
    files: p.artifact.entries.filter((e) => !e.endsWith("/")).length,
  });
  if (opts.dryRun) return { ...built.result, artifacts: placed.map((p) => report(p, "dry-run")) };

  // Every tag checked before anything is pushed.
  const unchanged = new Map<Placed, string>();
  const conflicts: string[] = [];
  for (const p of placed) {
    const remote = await p.client.manifest(p.artifact.repository, p.artifact.tag);
    if (!remote) continue;
    if (remote.digest === p.artifact.digest || (await sameContent(p, remote.data)))
      unchanged.set(p, remote.digest);
    else conflicts.push(conflict(p, remote.digest, remote.data));
  }
  if (conflicts.length)
    throw new PublishError(`nothing was pushed:\n${conflicts.map((c) => `  - ${c}`).join("\n")}`);

  const artifacts: PublishedArtifact[] = [];
  for (const p of placed) {
    const kept = unchanged.get(p);
    if (kept) {
      artifacts.push(report(p, "unchanged", kept));
      continue;
    }
    const { repository, tag } = p.artifact;
    for (const b of [p.artifact.config, p.artifact.layer])
      if (!(await p.client.blobExists(repository, b.digest))) {
        log(`uploading ${b.digest.slice(0, 19)}… (${b.size} bytes) to ${p.host}/${repository}`);
        await p.client.uploadBlob(repository, b);
      }
    await p.client.putManifest(repository, tag, p.artifact.manifest, MEDIA_TYPES.manifest);
    artifacts.push(report(p, "pushed"));
  }
  return { ...built.result, artifacts };
}
