/**
 * Policy pack configuration, read and applied as `pulumi preview --policy-pack-config <file>` does:
 * `{"all": <level>, "<policy>": <level> | {"enforcementLevel": <level>, ...properties}}`. A level
 * given for a policy wins over `all`, which wins over the policy's own default. Unlike the engine,
 * unknown policy names and properties are errors here, so a typo in a config file fails CI.
 */
import { promises as fs } from "node:fs";
import type { EnforcementLevel } from "@pulumi/policy";
import type { PlatformPolicy } from "../../policy/rules";
import { parseErrorSummary } from "../../components/parseError";

export type PackConfig = Record<string, unknown>;

/** A config file that cannot be read or does not fit the policies: printed without a stack trace. */
export class PolicyConfigError extends Error {}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const isLevel = (v: unknown): v is EnforcementLevel => LEVELS.includes(v as EnforcementLevel);

/** JSON-schema type check of one property value (the subset the policies' schemas use). */
function fitsType(value: unknown, schema: Record<string, unknown>): boolean {
  switch (schema.type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array": {
      const items = (schema.items ?? {}) as Record<string, unknown>;
      return Array.isArray(value) && value.every((v) => fitsType(v, items));
    }
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    default:
      return true;
  }
}

/** Every problem of a pack config against the policies, each naming the key and the fix. */
export function validatePackConfig(config: PackConfig, policies: PlatformPolicy[]): string[] {
  const problems: string[] = [];
  const levels = LEVELS.join(", ");
  for (const [key, value] of Object.entries(config)) {
    const policy = policies.find((p) => p.name === key);
    if (key === "all") {
      const level =
        typeof value === "string" ? value : (value as { enforcementLevel?: unknown })?.enforcementLevel;
      if (!isLevel(level)) problems.push(`all: must be one of ${levels}`);
      continue;
    }
    if (!policy) {
      problems.push(`${key}: no such policy; the policies are ${policies.map((p) => p.name).join(", ")}`);
      continue;
    }
    if (typeof value === "string") {
      if (!isLevel(value)) problems.push(`${key}: must be one of ${levels}, or an object`);
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${key}: must be an enforcement level or an object of settings`);
      continue;
    }
    for (const [prop, v] of Object.entries(value)) {
      const schema = policy.configSchema.properties[prop] as Record<string, unknown> | undefined;
      if (prop === "enforcementLevel") {
        if (!isLevel(v)) problems.push(`${key}.enforcementLevel: must be one of ${levels}`);
      } else if (!schema) {
        const known = Object.keys(policy.configSchema.properties);
        problems.push(
          `${key}.${prop}: unknown setting; ${known.length ? `known: ${known.join(", ")}` : "this policy has no settings"}`,
        );
      } else if (!fitsType(v, schema)) {
        problems.push(
          `${key}.${prop}: must be of type ${String(schema.type)}${schema.items ? ` of ${String((schema.items as { type?: unknown }).type)}` : ""}`,
        );
      }
    }
  }
  return problems;
}

/** Read and validate a pack config file. */
export async function readPackConfig(file: string, policies: PlatformPolicy[]): Promise<PackConfig> {
  let parsed: unknown;
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    throw new PolicyConfigError(
      `policy config ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // Never the text: the file named may be anything, a credentials file say.
    throw new PolicyConfigError(`policy config ${file}: ${parseErrorSummary(e, "JSON", text)}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new PolicyConfigError(
      `policy config ${file}: must be a JSON object keyed by policy name (and "all")`,
    );
  const problems = validatePackConfig(parsed as PackConfig, policies);
  if (problems.length)
    throw new PolicyConfigError(
      `policy config ${file}, ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return parsed as PackConfig;
}

function levelIn(value: unknown): EnforcementLevel | undefined {
  const level =
    typeof value === "string"
      ? value
      : (value as { enforcementLevel?: unknown } | undefined)?.enforcementLevel;
  return isLevel(level) ? level : undefined;
}

/** The level a policy runs at under `config`; `remediate` counts as mandatory, as in the engine. */
export function enforcementLevelOf(policy: PlatformPolicy, config: PackConfig): EnforcementLevel {
  const level = levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel;
  return level === "remediate" ? "mandatory" : level;
}

/** The settings `getConfig()` returns: schema defaults overlaid with the configured properties. */
export function policySettings(policy: PlatformPolicy, config: PackConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(policy.configSchema.properties))
    if ((schema as { default?: unknown }).default !== undefined)
      out[k] = (schema as { default?: unknown }).default;
  const own = config[policy.name];
  if (own && typeof own === "object")
    for (const [k, v] of Object.entries(own)) if (k !== "enforcementLevel") out[k] = v;
  return out;
}
