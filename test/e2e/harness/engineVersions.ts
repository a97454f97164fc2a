// Which Pulumi engine parts ran, asserted rather than printed: the language host's version as the
// engine reports it (`pulumi about --json`, which asks the running host), and the Kubernetes
// provider's version as the API server saw it (the user agent of every request the provider made,
// from the audit log). Each must be the version build-tools.sh recorded for the binary it built, so
// a plugin found elsewhere on PATH, or downloaded, fails the step.
import * as fs from "node:fs";
import { readAudit, type AuditEvent } from "./audit";

/** `KEY=value` lines of a shell env file (scripts/e2e/versions.env), comments and blanks skipped. */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=("?)(.*)\2$/.exec(line.trim());
    if (m) out[m[1]] = m[3];
  }
  return out;
}

/** The language host's version from `pulumi about --json`, or a problem. */
export function languageHostProblem(aboutJson: string, want: string): string | undefined {
  let about: { plugins?: { name: string; kind: string; version?: string }[] };
  try {
    about = JSON.parse(aboutJson) as typeof about;
  } catch {
    return "pulumi about --json printed no JSON";
  }
  const hosts = (about.plugins ?? []).filter((p) => p.kind === "language" && p.name === "nodejs");
  if (hosts.length !== 1) return `pulumi about lists ${hosts.length} nodejs language hosts, want 1`;
  const got = hosts[0].version ?? "";
  return got === want
    ? undefined
    : `the nodejs language host that ran reports ${got || "no version"}, built ${want}`;
}

/**
 * The versions in the user agents of the requests the Kubernetes provider made
 * (`pulumi-kubernetes/<version> …`), and a problem unless there was at least one and every one is
 * `want`.
 */
export function providerVersionProblem(
  events: AuditEvent[],
  want: string,
): { versions: Record<string, number>; problem?: string } {
  const versions: Record<string, number> = {};
  for (const e of events) {
    const m = /^pulumi-kubernetes\/(\S+)/.exec(e.userAgent ?? "");
    if (m) versions[m[1]] = (versions[m[1]] ?? 0) + 1;
  }
  const seen = Object.keys(versions);
  if (seen.length === 0) return { versions, problem: "the audit log has no request from pulumi-kubernetes" };
  const wrong = seen.filter((v) => v !== want);
  return wrong.length === 0
    ? { versions }
    : {
        versions,
        problem: `the Kubernetes provider that ran reports ${wrong.join(", ")} (${wrong.map((v) => versions[v]).join(", ")} requests), built ${want}`,
      };
}

/**
 * The version the built provider reports: versions.env's PULUMI_KUBERNETES_PROVIDER_REPORTS, which
 * must name the commit of the module build-tools.sh recorded (`module=v4.0.0-<date>-<commit>`).
 */
export function builtProviderVersion(env: Record<string, string>, builtModule: string | undefined): string {
  const reports = env.PULUMI_KUBERNETES_PROVIDER_REPORTS;
  if (!reports) throw new Error("scripts/e2e/versions.env has no PULUMI_KUBERNETES_PROVIDER_REPORTS");
  if (!builtModule) throw new Error("build-tools.sh recorded no module for pulumi-resource-kubernetes");
  const commit = builtModule.split("-").pop() ?? "";
  if (!reports.endsWith(`+${commit}`))
    throw new Error(
      `versions.env says the provider reports ${reports}, but the module built is ${builtModule} (commit ${commit})`,
    );
  return reports;
}

/**
 * Asserts the language host and the Kubernetes provider that ran are the ones build-tools.sh built
 * (after a `pulumi up` against the harness API server, whose audit log is `auditLog`); returns what
 * ran, for the figures.
 */
export async function assertEngineVersions(o: {
  pulumi: { run(args: string[]): Promise<{ stdout: string }> };
  builtFrom: Record<string, Record<string, string>>;
  auditLog: string;
  repoRoot: string;
}): Promise<{ languageHost: string; provider: string; providerRequests: number }> {
  const host = o.builtFrom["pulumi-language-nodejs"]?.deps?.replace(/^v/, "");
  if (!host)
    throw new Error("build-tools.sh recorded no version for pulumi-language-nodejs (built-from.txt)");
  const hostProblem = languageHostProblem((await o.pulumi.run(["about", "--json"])).stdout, host);
  if (hostProblem) throw new Error(hostProblem);
  const want = builtProviderVersion(
    readEnvFile(`${o.repoRoot}/scripts/e2e/versions.env`),
    o.builtFrom["pulumi-resource-kubernetes"]?.module,
  );
  const seen = providerVersionProblem(readAudit(o.auditLog), want);
  if (seen.problem) throw new Error(seen.problem);
  return { languageHost: host, provider: want, providerRequests: seen.versions[want] };
}
