/**
 * gitops:publish: the fleet artifact (and the charts under charts/*) built from the Git checkout and
 * pushed to an OCI registry. Every input is checked and every artifact built before the registry is
 * asked anything; every tag is checked on the registry before anything is pushed; so a refusal
 * leaves the registry as it was.
 */
import { gunzipSync } from "node:zlib";
import { MEDIA_TYPES, PublishError, sha256, type Artifact } from "./publish";
import { RegistryClient } from "./registry";

import {
  buildArtifacts,
  parseOciUrl,
  type PublishOptions,
  type PublishResult,
  type PublishedArtifact,
  type PublishState,
} from "./build";

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
