import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { platformSchema, type PlatformConfig } from "./schema/platform";
import { SecretValue } from "./schema/common";
import { crossCheck } from "./validate";
import type { Problem } from "../components/problems";
import { isConfigSecret } from "./pulumiInternals";

export { SecretValue } from "./schema/common";
export { platformSchema, type ClusterConfig, type PlatformConfig } from "./schema/platform";

/** Pulumi config namespace of every key (the project name). */
export const CONFIG_NAMESPACE = "platform";
/** Top-level keys that hold YAML objects (the others are scalars declared in Pulumi.yaml). */
export const OBJECT_KEYS = ["tags", "cluster", "dns", "secrets", "flux", "fleet"] as const;
/** Scalars declared in Pulumi.yaml with default "", which means unset. */
const OPTIONAL_SCALARS = ["country", "site"];

/**
 * Where config values come from: the Pulumi engine (`pulumiConfigSource`) or a stack file read
 * offline (the render engine). `values` has keys without the `platform:` namespace.
 */
export interface ConfigSource {
  stack: string;
  /** File the values are from, for messages (`Pulumi.<stack>.yaml`). */
  file: string;
  values: Record<string, unknown>;
  /** Whether the value at this path (first element is the top-level key) was given as a secret. */
  isSecret(path: readonly (string | number)[]): boolean;
}

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
            ? "unknown key: check its spelling against the configuration reference in docs/configuration.md, or remove it"
            : `unknown config key ${CONFIG_NAMESPACE}:${key}: check its spelling against the configuration reference in docs/configuration.md, or remove it`,
        });
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      out.push({ path, message: issue.message.startsWith("Invalid input") ? "is required" : issue.message });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** Every SecretValue in the parsed config, with its path. */
function secretPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value instanceof SecretValue) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, [...path, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => secretPaths(v, [...path, k]));
  return [];
}

/**
 * Parse and validate the whole platform configuration. Throws one ConfigError listing every problem
 * (schema, cross-field rules, secrets given in plain text) before anything is created.
 */
export function parsePlatformConfig(source: ConfigSource): PlatformConfig {
  const values = Object.fromEntries(
    Object.entries(source.values).filter(([k, v]) => !(OPTIONAL_SCALARS.includes(k) && v === "")),
  );
  const parsed = platformSchema.safeParse(values);
  if (!parsed.success) throw new ConfigError(source, problemsFromZod(parsed.error));
  const problems = crossCheck(parsed.data);
  for (const p of secretPaths(parsed.data)) {
    if (!source.isSecret(p)) {
      const dotted = p.map(String).join(".");
      problems.push({
        path: dotted,
        message: `is a secret but is stored in plain text: run \`pulumi config set --secret --path '${dotted}' <value>\` so it is encrypted in ${source.file}`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
}

/** The configuration of the running Pulumi stack. */
export function loadPlatformConfig(): PlatformConfig {
  const all = pulumi.runtime.allConfig();
  const values: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [fullKey, raw] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = (OBJECT_KEYS as readonly string[]).includes(key) ? parseJson(raw) : raw;
  }
  const stack = pulumi.getStack();
  return parsePlatformConfig({
    stack,
    file: `Pulumi.${stack}.yaml`,
    values,
    // The engine says which top-level keys hold a secret, not which paths inside them.
    isSecret: (path) => isConfigSecret(`${prefix}${String(path[0])}`),
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // the schema reports that an object was expected
  }
}
