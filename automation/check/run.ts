/**
 * Runs the policy pack's own rule functions over resources the way the engine does: each resource
 * policy on every resource, each stack policy once over all of them, at the level the pack config
 * gives, collecting what they report. No rule logic lives here.
 */
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, Severity } from "@pulumi/policy";
import type { PlatformPolicy } from "../../policy/rules";
import { enforcementLevelOf, policySettings, type PackConfig } from "./config";

export interface Violation {
  policy: string;
  level: Exclude<EnforcementLevel, "disabled" | "remediate">;
  severity: Severity;
  message: string;
  /** The resource in violation; absent for a finding about the stack as a whole. */
  resource?: { type: string; name: string; urn: string };
}

/** Thrown by `notApplicable()`: the rule does not apply to this resource or stack. */
class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason ?? "not applicable");
};

/** A rule that threw: a bug in the rule or data it did not expect; reported, never swallowed. */
export class PolicyRuleError extends Error {}

function resourceRef(r: PolicyResource) {
  return { type: r.type, name: r.name, urn: r.urn };
}

async function guarded(policy: string, where: string, run: () => Promise<void> | void): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (e instanceof NotApplicable) return;
    throw new PolicyRuleError(`policy ${policy} failed on ${where}: ${(e as Error).message}`);
  }
}

/** Evaluate `policies` over `resources` under `config`; violations in the order found. */
export async function runPolicies(
  resources: PolicyResource[],
  policies: PlatformPolicy[],
  config: PackConfig,
  stackTags: ReadonlyMap<string, string> = new Map(),
): Promise<Violation[]> {
  const out: Violation[] = [];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const policy of policies) {
    const level = enforcementLevelOf(policy, config);
    if (level === "disabled" || level === "remediate") continue;
    const settings = policySettings(policy, config);
    const getConfig = <T extends object>() => ({ ...settings }) as T;
    const base = { policy: policy.name, level, severity: policy.severity };
    if ("validateResource" in policy) {
      for (const r of resources) {
        const args: ResourceValidationArgs = {
          type: r.type,
          props: r.props,
          urn: r.urn,
          name: r.name,
          opts: r.opts,
          ...(r.provider ? { provider: r.provider } : {}),
          stackTags,
          isType: r.isType,
          asType: ((cls: Parameters<typeof r.isType>[0]) =>
            r.isType(cls) ? r.props : undefined) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        await guarded(policy.name, `${r.type} ${r.name}`, () =>
          policy.validateResource(args, (message) =>
            out.push({ ...base, message, resource: resourceRef(r) }),
          ),
        );
      }
    } else {
      await guarded(policy.name, "the stack", () =>
        policy.validateStack({ resources, stackTags, getConfig, notApplicable }, (message, urn) => {
          const r = urn ? byUrn.get(urn) : undefined;
          out.push({ ...base, message, ...(r ? { resource: resourceRef(r) } : {}) });
        }),
      );
    }
  }
  return out;
}
