/** The gitops:diff command behind cli/gitops-diff.ts: arguments in, report out, exit code back. */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { diffFleet, DiffError } from "./diff";
import { diffMarkdown, incomplete } from "./diffReport";
import { KustomizeMissing } from "../shared/kustomize";
import { CacheError, cacheDir } from "../shared/cache";

const DIFF_USAGE =
  "usage: npm run gitops:diff -- [<from-ref> [<to-ref>]] [--repo <fleet repo dir>] [--project <dir with Pulumi.<stack>.yaml>] [--tag <tag>] [--json] [--all] [--no-cache]\n" +
  "  refs of the fleet repository (branches, tags, commits); from defaults to the merge base with main, to to the working tree\n" +
  "  --tag <tag>: platforms pinned to a tag get <tag> on the to side (preview moving their pin)\n" +
  "  --all: build every platform, also those no changed file reaches (a tree that fails the same way at both sides is then reported too)\n" +
  "  --no-cache: build afresh, without the cache of kustomize builds and stack-file renders (docs/gitops.md)\n" +
  "  exit code: 0 no platform changes, 1 some platform changes, 2 the diff could not be made (or not completely: a tree that does not build)";

/**
 * The gitops:diff command: parses argv, prints Markdown (or JSON with --json) and returns the exit
 * code: 0 nothing changes, 1 something changes, 2 a user error (printed without a stack trace) or a
 * tree that could not be built completely (the report says what, and is printed all the same).
 */
export async function runGitopsDiff(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void },
  cwd = process.cwd(),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: "string" },
        project: { type: "string" },
        tag: { type: "string" },
        json: { type: "boolean" },
        "no-cache": { type: "boolean" },
        all: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${DIFF_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(DIFF_USAGE);
    return 0;
  }
  if (positionals.length > 2) {
    io.err(`too many refs (${positionals.join(" ")}): give at most <from-ref> <to-ref>\n${DIFF_USAGE}`);
    return 2;
  }
  try {
    const diff = await diffFleet({
      repoDir: path.resolve(cwd, values.repo ?? "gitops"),
      from: positionals[0],
      to: positionals[1],
      projectDir: values.project ? path.resolve(cwd, values.project) : undefined,
      moveTagsTo: values.tag,
      full: values.all,
      cacheRoot: values["no-cache"] ? undefined : cacheDir(path.resolve(cwd, values.repo ?? "gitops")),
    });
    io.out(values.json ? JSON.stringify(diff, null, 2) : diffMarkdown(diff));
    const broken = diff.platforms.filter((p) => p.problems.length).length;
    io.err(
      `gitops:diff: ${diff.platforms.length} platforms, ${diff.platforms.filter((p) => p.added.length + p.removed.length + p.renamed.length + p.changed.length).length} with changes, ${diff.platforms.filter((p) => p.skipped).length} skipped as unchanged (${diff.durationMs} ms)`,
    );
    if (incomplete(diff)) {
      io.err(
        `gitops:diff: incomplete: ${broken} platform${broken === 1 ? "" : "s"} could not be built completely; fix what the report lists (npm run gitops:lint names the file and line)`,
      );
      return 2;
    }
    return diff.changed ? 1 : 0;
  } catch (e) {
    if (e instanceof DiffError || e instanceof KustomizeMissing || e instanceof CacheError) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}
