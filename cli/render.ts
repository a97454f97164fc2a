// npm run render -- <stack> [--out <dir>] [--project <dir>]
import * as path from "node:path";
import { renderStack, StackFileError } from "../automation/render";
import { writeRender } from "../automation/render/write";
import { ConfigError } from "../stacks/config";
import { parseCliArgs, runCli, UsageError } from "./common";

runCli(
  async (argv) => {
    const { positionals, flags } = parseCliArgs(argv, { out: "string", project: "string" });
    if (positionals.length !== 1)
      throw new UsageError("usage: npm run render -- <stack> [--out render/<stack>] [--project .]");
    const stack = positionals[0];
    const projectDir = path.resolve(flags.project ?? ".");
    const outDir = path.resolve(flags.out ?? path.join(projectDir, "render", stack));
    const result = await renderStack(projectDir, stack);
    console.log(await writeRender(result, path.relative(process.cwd(), outDir) || "."));
    return 0;
  },
  [ConfigError, StackFileError],
);
