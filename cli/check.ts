// npm run check -- <stack> [--policy-config policy/config/<env>.json] [--project <dir>] [--json]
import * as path from "node:path";
import { checkStack, formatReport, PolicyConfigError, PolicyRuleError } from "../automation/check";
import { StackFileError } from "../automation/render";
import { ConfigError } from "../program/config";
import { parseCliArgs, runCli, UsageError } from "./common";

/** Render and check one stack; prints the report (or JSON) and returns the exit code: 1 on any mandatory violation. */
export async function main(argv: string[]): Promise<number> {
  const { positionals, flags } = parseCliArgs(argv, {
    "policy-config": "string",
    project: "string",
    json: "boolean",
  });
  if (positionals.length !== 1)
    throw new UsageError(
      "usage: npm run check -- <stack> [--policy-config policy/config/<env>.json] [--project .] [--json]",
    );
  const policyConfig = flags["policy-config"];
  const result = await checkStack(path.resolve(flags.project ?? "."), positionals[0], {
    policyConfig: policyConfig === undefined ? undefined : path.resolve(policyConfig),
  });
  console.log(flags.json ? JSON.stringify(result, null, 2) : formatReport(result));
  return result.passed ? 0 : 1;
}

if (require.main === module)
  void runCli(main, [ConfigError, StackFileError, PolicyConfigError, PolicyRuleError]);
