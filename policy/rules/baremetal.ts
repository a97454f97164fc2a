/**
 * Bare-metal guardrails: what a node fetches and runs as root comes over https only, and is pinned
 * by sha256 (the install script, and the release's checksum file of an air-gapped install).
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import type { PlatformResourcePolicy } from "./common";

const REMOTE_COMMAND = "command:remote:Command";

/** The shell scripts of a remote command (its `create` and `update`), by property name. */
function remoteScripts(args: ResourceValidationArgs): [string, string][] {
  if (args.type !== REMOTE_COMMAND) return [];
  return ["create", "update"].flatMap((key) => {
    const script: unknown = args.props[key];
    return typeof script === "string" ? [[key, script] as [string, string]] : [];
  });
}

/** The plain-http URLs a node's shell script downloads (curl or wget). */
export function plainHttpDownloads(script: string): string[] {
  const urls = new Set<string>();
  for (const line of script.split("\n"))
    if (/\b(curl|wget)\b/.test(line)) for (const m of line.matchAll(/http:\/\/[^\s'"]+/g)) urls.add(m[0]);
  return [...urls];
}

export const bareMetalInstallHttps: PlatformResourcePolicy = {
  name: "baremetal-install-https",
  description:
    "Bare-metal nodes download their install script and artifacts over https only (they run them as root).",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    for (const [key, script] of remoteScripts(args)) {
      const urls = plainHttpDownloads(script);
      if (urls.length)
        report(
          `Nodes must fetch what they run as root over https: command ${args.name} (${key}) downloads ${urls.join(", ")} over plain http; serve the mirror over https and remove cluster.install.insecure.`,
        );
    }
  },
};

// The digest argument, single-quoted; `'\''` around it when the script runs through `sudo -n bash -c`.
const DIGEST = "\\S*\\b[0-9a-f]{64}\\b\\S*";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What a node's install script runs as root without checking it against a pinned sha256: the
 * installer it runs (`… sh "<file>"` with the distribution's INSTALL_ variables) unless a
 * `verify_sha256 <file> '<digest>'` comes before, and for an air-gapped install the release's
 * checksum file (`verify_sha256 "$sums" '<digest>'`), against which the artifacts are checked.
 */
export function unpinnedInstalls(script: string): string[] {
  const out: string[] = [];
  const lines = script.split("\n");
  lines.forEach((line, i) => {
    const run = /\bINSTALL_(RKE2|K3S)_[A-Z_]+=.*\bsh ("[^"]+"|'[^']+')\s*$/.exec(line);
    if (!run) return;
    const before = lines.slice(0, i);
    const verified = (file: string) =>
      before.some((l) => new RegExp(`^\\s*verify_sha256 ${escape(file)} ${DIGEST} `).test(l));
    if (!verified(run[2])) out.push(`the install script (${run[2]})`);
    if (/INSTALL_RKE2_ARTIFACT_PATH=|INSTALL_K3S_SKIP_DOWNLOAD=true/.test(line) && !verified('"$sums"'))
      out.push("the release's checksum file");
  });
  return out;
}

/** The settings that pin what `unpinnedInstalls` found. */
const settings = (unpinned: string[]) =>
  unpinned
    .map((u) =>
      u.startsWith("the install script") ? "cluster.install.scriptSha256" : "cluster.install.checksumsSha256",
    )
    .join(" and ");

export const bareMetalInstallPinned: PlatformResourcePolicy = {
  name: "baremetal-install-pinned",
  description:
    "Bare-metal nodes check the install script and the release's checksums against sha256 pins before running them.",
  severity: "high",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    for (const [key, script] of remoteScripts(args)) {
      const unpinned = unpinnedInstalls(script);
      if (unpinned.length)
        report(
          `Nodes must check what they run as root against a pinned sha256: command ${args.name} (${key}) installs without checking ${unpinned.join(" and ")}; set ${settings(unpinned)} (docs/bare-metal.md says how to get the digests).`,
        );
    }
  },
};

export const bareMetalPolicies = [bareMetalInstallHttps, bareMetalInstallPinned];
