/**
 * gitops:publish, first half: every input checked and every artifact built from the Git checkout
 * (no network); options and result types. The push is publishCommand.ts.
 */
import { execFileSync } from "node:child_process";
import { redactUrl, urlProblems } from "../../../components/url";
import { hasControlCharacter } from "../shared/sandbox";
import { fleetArtifact, OCI_NAME_COMPONENT, OCI_TAG, PublishError, type Artifact } from "./publish";
import { chartArtifact } from "./chart";
import { chartFolders, fleetFiles, readPublishSource, sourceUrl } from "./publishGit";
import { type Credentials } from "./registry";

/** Where registry credentials go instead of a URL (the message of a URL that carries them). */
export const REGISTRY_CREDENTIALS_IN =
  "the registry's auths entry of ~/.docker/config.json ($DOCKER_CONFIG), or --username with PLATFORM_REGISTRY_PASSWORD or --password-stdin";

/** `oci://host[:port]/path` split; PublishError naming `option` otherwise (the URL shown without credentials). */
export function parseOciUrl(url: string, option: string): { host: string; repository: string } {
  const example = `${option} oci://registry.example.com/acme/${option === "--charts-to" ? "charts" : "fleet"}`;
  if (hasControlCharacter(url))
    throw new PublishError(
      `${option}: the URL holds a newline or another control character: give it on one line`,
    );
  const shown = redactUrl(url);
  // Credentials and control characters first: nothing after would be safe to print or use.
  const unsafe = urlProblems(url, {
    schemes: ["oci", "https", "http"],
    credentialsIn: REGISTRY_CREDENTIALS_IN,
  });
  const refused = unsafe.filter((p) => !p.startsWith("must use https") && !p.startsWith("must name a host"));
  if (refused.length) throw new PublishError(`${option} ${shown}: ${refused.join("; ")}`);
  if (/^https?:\/\//.test(url))
    throw new PublishError(
      `${option} ${shown}: write the registry as oci://host/path (https is used; --insecure-http for a plain-http registry), e.g. ${example}`,
    );
  const m = /^oci:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new PublishError(`${option} ${shown}: not an oci://host/path URL, e.g. ${example}`);
  const [, host, repository] = m;
  if (/[@]|:[^/]*$/.test(repository))
    throw new PublishError(
      `${option} ${shown}: give the repository without a tag or digest (${option === "--charts-to" ? "each chart is tagged with its version" : "the tag comes from --tag or the Git tag"})`,
    );
  const bad = repository.split("/").filter((c) => !OCI_NAME_COMPONENT.test(c));
  if (bad.length)
    throw new PublishError(
      `${option} ${shown}: ${bad.map((c) => `"${c}"`).join(", ")} is not a valid repository path component (lower-case letters, digits, '.', '_', '-')`,
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
