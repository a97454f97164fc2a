// npm run check -- <stack> [options]: render a stack offline and run the policy pack over it (see --help).
import { existsSync } from "node:fs";
import * as path from "node:path";
import { existingDir, InputError } from "../automation/cli/args";
import { start, usageIfBadStackName, type Cli } from "./common";

export const check: Cli = {
  spec: {
    name: "check",
    summary:
      "Render a stack offline and run the CrossGuard policy pack's rules over it, at the levels of the environment's policy config; exits 1 on any mandatory violation.",
    positionals: [{ name: "<stack>", description: "the stack: Pulumi.<stack>.yaml in the project folder" }],
    options: {
      "policy-config": {
        type: "string",
        value: "<file>",
        description: "policy pack config (enforcement levels and settings)",
        default: "policy/config/<environment>.json if it exists, else the policies' own levels",
      },
      project: {
        type: "string",
        value: "<dir>",
        description: "folder holding Pulumi.yaml and the stack files",
        default: ".",
      },
      json: { type: "boolean", description: "print the result as JSON instead of the report" },
    },
  },
  async run({ positionals: [stack], values }, io) {
    usageIfBadStackName(stack);
    const projectDir = path.resolve(
      existingDir((values.project as string) ?? ".", "--project", "project folder"),
    );
    const policyConfig = values["policy-config"] as string | undefined;
    if (policyConfig !== undefined && !existsSync(policyConfig))
      throw new InputError(
        `--policy-config ${policyConfig}: no such file: give a policy config such as policy/config/dev.json`,
      );
    const { checkStack, formatReport } = await import("../automation/check");
    const result = await checkStack(projectDir, stack, {
      policyConfig: policyConfig === undefined ? undefined : path.resolve(policyConfig),
    });
    io.out(values.json ? JSON.stringify(result, null, 2) : formatReport(result));
    return result.passed ? 0 : 1;
  },
};

if (require.main === module) start(check);
