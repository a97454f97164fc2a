// npm run gitops:lint -- [dir] [options]: a fleet repository checked offline (see --help).
import * as path from "node:path";
import { existingDir } from "../automation/cli/args";
import { start, type Cli } from "./common";

const list = (s?: string) =>
  s === undefined
    ? undefined
    : s
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);

/** One line: how many platforms --changed-since linted and skipped, and why. */
export function changedSummary(c: {
  since: string;
  linted: Record<string, string>;
  skipped: Record<string, string>;
}): string {
  const linted = Object.entries(c.linted);
  const reasons = new Map<string, string[]>();
  for (const [p, why] of Object.entries(c.skipped)) reasons.set(why, [...(reasons.get(why) ?? []), p]);
  const total = linted.length + Object.keys(c.skipped).length;
  return [
    `--changed-since ${c.since}: ${linted.length} of ${total} platform${total === 1 ? "" : "s"} linted${linted.length ? ` (${linted.map(([p, why]) => `${p}: ${why}`).join("; ")})` : ""}`,
    ...[...reasons].map(([why, ps]) => `; ${ps.length} skipped as unchanged (${why})`),
  ].join("");
}

export const gitopsLint: Cli = {
  spec: {
    name: "gitops:lint",
    summary:
      "Check a fleet repository offline before merge: YAML, Flux schemas and served APIs, SOPS-only Secrets, references, dependency cycles, strict variable substitution against each platform's cluster-vars, prod refs, and what a merge request must not bring: links out of the repository, remote bases, oversized or alias-bomb YAML, credentials or plain http in source URLs. Reads only files inside the repository and fetches nothing (docs/gitops.md, Trust).",
    positionals: [{ name: "[dir]", description: "the fleet repository", optional: true, default: "gitops" }],
    options: {
      json: { type: "boolean", description: "print the findings as JSON" },
      project: {
        type: "string",
        value: "<dir>",
        description: "folder holding the Pulumi.<stack>.yaml files the platforms' cluster-vars come from",
        default: "the repository's parent folder",
      },
      vars: {
        type: "string",
        value: "<KEY,...>",
        description: "extra cluster-vars keys for platforms without a stack file",
        default: "none",
      },
      prod: {
        type: "string",
        value: "<platform,...>",
        description: "platforms without a stack file that are prod (must follow tags)",
        default: "names ending in prod",
      },
      "changed-since": {
        type: "string",
        value: "<ref>",
        description:
          "lint only the platforms whose trees read a file that changed since this branch, tag or commit of the fleet repository (a merge request's target); the repository-wide checks still read every file",
        default: "every platform",
      },
      "no-cache": {
        type: "boolean",
        description:
          "build everything afresh, without the cache of kustomize builds and stack-file renders (PLATFORM_GITOPS_CACHE=off does the same)",
      },
    },
  },
  async run({ positionals, values }, io) {
    const repoDir = path.resolve(
      existingDir(positionals[0] ?? "gitops", "gitops:lint", "fleet repository folder (e.g. gitops)"),
    );
    const project = values.project as string | undefined;
    const projectDir =
      project === undefined ? undefined : path.resolve(existingDir(project, "--project", "project folder"));
    // The lint room alone: the package index loads the slice tools and the Pulumi SDK.
    const { formatFinding, lintFleet, lintCacheDir } = await import("../automation/gitops/lint");
    const result = await lintFleet(repoDir, {
      projectDir,
      cacheRoot: values["no-cache"] ? undefined : lintCacheDir(repoDir),
      changedSince: values["changed-since"] as string | undefined,
      vars: list(values.vars as string | undefined),
      prodPlatforms: list(values.prod as string | undefined),
    });
    if (values.json) {
      io.out(JSON.stringify({ ok: result.findings.length === 0, ...result }, null, 2));
    } else {
      const label = (dir: string) => `${path.relative(process.cwd(), dir) || "."}/`;
      for (const f of result.findings) io.out(formatFinding(f, label(repoDir), label(result.projectDir)));
      for (const n of result.notes) io.err(`note: ${n}`);
      for (const p of result.platforms) io.err(`platform ${p.platform}: cluster-vars from ${p.origin}`);
      if (result.changed) io.err(changedSummary(result.changed));
      io.err(
        `${result.findings.length} finding${result.findings.length === 1 ? "" : "s"} in ${result.files} files (${result.durationMs} ms)`,
      );
    }
    return result.findings.length ? 1 : 0;
  },
};

if (require.main === module) {
  // The renders behind the platforms' contracts capture a stack trace per resource; source-mapping
  // each one costs more than the lint itself, and no trace of this CLI needs TypeScript positions.
  process.setSourceMapsEnabled(false);
  start(gitopsLint);
}
