// npm run render -- <stack> [--out render/<stack>] [--project .] [--gitops <project>/gitops]
import * as path from "node:path";
import { renderStack, StackFileError } from "../automation/render";
import { checkFleetRepo } from "../automation/render/fleetRepo";
import { writeRender } from "../automation/render/write";
import { ConfigError } from "../program/config";
import { parseCliArgs, runCli, UsageError } from "./common";

/** Errors a user causes: printed without a stack trace, exit 1. */
export const RENDER_USER_ERRORS = [ConfigError, StackFileError];

/** Render one stack and write render/<stack>/; returns the exit code (1 when cluster-vars leave a gap). */
export async function main(argv: string[]): Promise<number> {
  const { positionals, flags } = parseCliArgs(argv, { out: "string", project: "string", gitops: "string" });
  if (positionals.length !== 1)
    throw new UsageError(
      "usage: npm run render -- <stack> [--out render/<stack>] [--project .] [--gitops <project>/gitops]",
    );
  const stack = positionals[0];
  const projectDir = path.resolve(flags.project ?? ".");
  const outDir = path.resolve(flags.out ?? path.join(projectDir, "render", stack));
  const result = await renderStack(projectDir, stack);
  const fleet = await checkFleetRepo(result, path.resolve(flags.gitops ?? path.join(projectDir, "gitops")));
  console.log(await writeRender(result, path.relative(process.cwd(), outDir) || ".", fleet));
  // Files are written either way (they show what would be applied); a gap in cluster-vars fails the run.
  return fleet && fleet.missing.length > 0 ? 1 : 0;
}

if (require.main === module) void runCli(main, RENDER_USER_ERRORS);
