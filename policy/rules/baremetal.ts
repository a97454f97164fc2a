/** Bare-metal guardrails: what a node fetches and runs as root comes over https only. */
import type { PlatformResourcePolicy } from "./common";

const REMOTE_COMMAND = "command:remote:Command";

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
    if (args.type !== REMOTE_COMMAND) return;
    for (const key of ["create", "update"]) {
      const script = args.props[key];
      if (typeof script !== "string") continue;
      const urls = plainHttpDownloads(script);
      if (urls.length)
        report(
          `Nodes must fetch what they run as root over https: command ${args.name} (${key}) downloads ${urls.join(", ")} over plain http; serve the mirror over https and remove cluster.install.insecure.`,
        );
    }
  },
};

export const bareMetalPolicies = [bareMetalInstallHttps];
