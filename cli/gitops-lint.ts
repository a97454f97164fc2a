// npm run gitops:lint -- [dir] [--json] [--project <dir>] [--vars KEY,...] [--prod a,b]
import * as path from "node:path";
import { formatFinding, KustomizeMissing, lintFleet, LintError } from "../automation/gitops";
import { parseCliArgs, runCli, UsageError } from "./common";

const USAGE =
  "usage: npm run gitops:lint -- [gitops] [--json] [--project <dir with Pulumi.<stack>.yaml>] [--vars KEY,...] [--prod platform,...]";

// The renders behind the platforms' contracts capture a stack trace per resource; source-mapping
// each one costs more than the lint itself, and no trace of this CLI needs TypeScript positions.
process.setSourceMapsEnabled(false);

void runCli(
  async (argv) => {
    const { positionals, flags } = parseCliArgs(argv, {
      json: "boolean",
      project: "string",
      vars: "string",
      prod: "string",
      help: "boolean",
    });
    if (flags.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(USAGE);
    const repoDir = path.resolve(positionals[0] ?? "gitops");
    const list = (s?: string) =>
      s === undefined
        ? undefined
        : s
            .split(",")
            .map((v) => v.trim())
            .filter(Boolean);
    const result = await lintFleet(repoDir, {
      projectDir: flags.project ? path.resolve(flags.project) : undefined,
      vars: list(flags.vars),
      prodPlatforms: list(flags.prod),
    });
    if (flags.json) {
      console.log(JSON.stringify({ ok: result.findings.length === 0, ...result }, null, 2));
    } else {
      const label = (dir: string) => `${path.relative(process.cwd(), dir) || "."}/`;
      for (const f of result.findings)
        console.log(formatFinding(f, label(repoDir), label(result.projectDir)));
      for (const n of result.notes) console.error(`note: ${n}`);
      for (const p of result.platforms)
        console.error(`platform ${p.platform}: cluster-vars from ${p.origin}`);
      console.error(
        `${result.findings.length} finding${result.findings.length === 1 ? "" : "s"} in ${result.files} files (${result.durationMs} ms)`,
      );
    }
    return result.findings.length ? 1 : 0;
  },
  [LintError, KustomizeMissing],
);
