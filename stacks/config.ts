import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { platformSchema, type PlatformConfig } from "./schema/platform";
import { crossCheck } from "./validate";
import type { Problem } from "../components/problems";
import { isConfigSecret } from "./pulumiInternals";
import { providerConfigProblems } from "./providerConfig";
import { stackFileSecurePaths } from "./stackFileSecrets";
import { CONFIG_NAMESPACE, type ConfigSource } from "./configSource";
import { secretProblems } from "./secretProblems";

export { SecretValue } from "./schema/common";
export type { ConfigSource } from "./configSource";
export { rawSecretPaths } from "./secretProblems";
export { platformSchema, type ClusterConfig, type PlatformConfig } from "./schema/platform";

/** Pulumi config namespace of every key (the project name). */
export { CONFIG_NAMESPACE } from "./configSource";
/** Top-level keys that hold YAML objects (the others are scalars declared in Pulumi.yaml). */
export const OBJECT_KEYS = ["tags", "cluster", "dns", "secrets", "flux", "fleet"] as const;
/** Scalars declared in Pulumi.yaml with default "", which means unset. */
const OPTIONAL_SCALARS = ["country", "site"];

/** A user error in the stack configuration: every problem at once, each with its path and fix. */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly source: Pick<ConfigSource, "stack" | "file">,
    readonly problems: Problem[],
  ) {
    super(
      `Invalid configuration for stack "${source.stack}" (${source.file}), ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p.path || "(top level)"}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function problemsFromZod(error: z.ZodError): Problem[] {
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        out.push({
          path: path ? `${path}.${key}` : key,
          message: path
            ? "unknown key: check its spelling against the configuration reference (docs/configuration.md), or remove it"
            : `unknown config key ${CONFIG_NAMESPACE}:${key}: check its spelling against the configuration reference (docs/configuration.md), or remove it`,
        });
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      const custom = !issue.message.startsWith("Invalid input");
      out.push({
        path,
        message: !custom
          ? "is required"
          : issue.message.startsWith("is required")
            ? issue.message
            : `is required (${issue.message})`,
      });
    } else if (
      issue.code === "invalid_type" &&
      (issue.message.startsWith("Invalid input") || issue.message.startsWith("is required"))
    ) {
      // A value of the wrong type is not a missing one. Its type only, never the value: it may be a
      // secret given in the wrong shape.
      out.push({ path, message: `must be ${article(issue.expected)}, not ${typeName(issue.input)}` });
    } else if (issue.code === "too_small" && issue.message.startsWith("Too small")) {
      const unit = sizeUnit(issue.origin);
      out.push({
        path,
        message:
          issue.origin === "string" && Number(issue.minimum) === 1
            ? "must not be empty: give a value, or remove the key"
            : `must be at least ${String(issue.minimum)}${unit}`,
      });
    } else if (issue.code === "too_big" && issue.message.startsWith("Too big")) {
      out.push({ path, message: `must be at most ${String(issue.maximum)}${sizeUnit(issue.origin)}` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** What a size limit counts, for messages. */
const sizeUnit = (origin: string) =>
  origin === "string" ? " characters" : origin === "array" ? " entries" : "";

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** The YAML-level type of a value, for messages. */
function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  if (typeof v === "string") return `a string (${v.length === 0 ? "empty" : "quoted"})`;
  return article(typeof v);
}

/**
 * Parse and validate the whole platform configuration. Throws one ConfigError listing every problem
 * (schema, cross-field rules, secrets given in plain text) before anything is created. When the
 * schema refuses the config, the secrets in plain text are still reported with its problems; the
 * cross-field rules, which need a valid config, wait until the schema problems are fixed.
 */
export function parsePlatformConfig(source: ConfigSource): PlatformConfig {
  const values = Object.fromEntries(
    Object.entries(source.values).filter(([k, v]) => !(OPTIONAL_SCALARS.includes(k) && v === "")),
  );
  // reportInput: an issue then says whether a value was missing or of the wrong type.
  const parsed = platformSchema.safeParse(values, { reportInput: true });
  if (!parsed.success)
    throw new ConfigError(source, [
      ...problemsFromZod(parsed.error),
      ...secretProblems(source, values, undefined),
    ]);
  const problems = [
    ...crossCheck(parsed.data),
    ...(source.providerConfig
      ? providerConfigProblems(source.providerConfig, parsed.data, source.regionFallback)
      : []),
    ...secretProblems(source, values, parsed.data),
  ];
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
}

/** The configuration of the running Pulumi stack. */
export function loadPlatformConfig(): PlatformConfig {
  const all = pulumi.runtime.allConfig();
  const values: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  const providerConfig: Record<string, string> = {};
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) {
      providerConfig[fullKey] = raw;
      continue;
    }
    const key = fullKey.slice(prefix.length);
    values[key] = (OBJECT_KEYS as readonly string[]).includes(key) ? parseJson(raw) : raw;
  }
  const stack = pulumi.getStack();
  const secure = stackFileSecurePaths(process.cwd(), stack, CONFIG_NAMESPACE);
  return parsePlatformConfig({
    stack,
    file: `Pulumi.${stack}.yaml`,
    values,
    // The engine says which top-level keys hold a secret, not which paths inside them: the stack
    // file, where there is one, says which paths are secure.
    isSecret: (path) =>
      isConfigSecret(`${prefix}${String(path[0])}`) &&
      (secure === undefined || secure.has(path.map(String).join("."))),
    providerConfig,
    ...(secure ? { securePaths: [...secure] } : {}),
    regionFallback: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined,
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // the schema reports that an object was expected
  }
}
