/**
 * The offline policy check: render a stack (no cloud, no cluster, no Pulumi CLI), then run the
 * policy pack's rules over the rendered resources with a per-environment policy config.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { policies as allPolicies, type PlatformPolicy } from "../../policy/rules";
import { renderStack, type RenderResult } from "../render";
import { toPolicyResources } from "./adapter";
import { readPackConfig, type PackConfig } from "./config";
import { runPolicies } from "./run";
import type { CheckResult } from "./result";

export { toPolicyResources } from "./adapter";
export {
  PolicyConfigError,
  readPackConfig,
  validatePackConfig,
  enforcementLevelOf,
  policySettings,
} from "./config";
export { runPolicies, PolicyRuleError, type Violation } from "./run";
export { formatReport } from "./report";
export type { CheckResult } from "./result";

/** Where the per-environment policy configs live: `policy/config/<environment>.json`. */
export const POLICY_CONFIG_DIR = path.resolve(__dirname, "../../policy/config");

export interface CheckOptions {
  /** Policy config file; default `policy/config/<environment>.json` when it exists, else the policies' defaults. */
  policyConfig?: string;
  policies?: PlatformPolicy[];
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Render `stack` of the project in `projectDir` and check it. Throws ConfigError, StackFileError, PolicyConfigError. */
export async function checkStack(
  projectDir: string,
  stack: string,
  opts: CheckOptions = {},
): Promise<CheckResult> {
  // A config given explicitly is checked before the render, so a typo fails fast.
  if (opts.policyConfig) await readPackConfig(opts.policyConfig, opts.policies ?? allPolicies);
  return checkRender(await renderStack(projectDir, stack), opts);
}

/** Check a stack already rendered. */
export async function checkRender(render: RenderResult, opts: CheckOptions = {}): Promise<CheckResult> {
  const policies = opts.policies ?? allPolicies;
  const environment = render.config.environment;
  const envFile = path.join(POLICY_CONFIG_DIR, `${environment}.json`);
  const file = opts.policyConfig ?? ((await exists(envFile)) ? envFile : undefined);
  const config: PackConfig = file ? await readPackConfig(file, policies) : {};
  const violations = await runPolicies(toPolicyResources(render.resources), policies, config);
  return {
    stack: render.stack,
    environment,
    policyConfig: file,
    resources: render.resources.length,
    policies: policies.length,
    violations,
    passed: !violations.some((v) => v.level === "mandatory"),
  };
}
