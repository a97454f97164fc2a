import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { platformSchema, type PlatformConfig } from "./schema/platform";
import { SecretValue } from "./schema/common";
import { crossCheck } from "./validate";
import type { Problem } from "../components/problems";
import { isConfigSecret } from "./pulumiInternals";
import { providerConfigProblems } from "./providerConfig";
import { stackFileSecurePaths } from "./stackFileSecrets";

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
  /** The config of other namespaces (`aws:region`, …), checked with the platform's; unchecked when absent. */
  providerConfig?: Record<string, string>;
  /** The AWS region the provider falls back to outside the stack file (the real engine's AWS_REGION). */
  regionFallback?: string;
  /**
   * Dotted paths of `secure:` values that hold plain text rather than a ciphertext (key material, a
   * token or a kubeconfig written by hand); the offline stack-file reader finds them.
   */
  plainSecure?: string[];
  /**
   * Dotted paths of every `secure:` value of the stack file (below the namespace), where known: a
   * `secure:` value on a field the schema does not declare secret is refused.
   */
  securePaths?: string[];
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

/** Every SecretValue in the parsed config, with its path. */
function secretPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value instanceof SecretValue) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, [...path, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => secretPaths(v, [...path, k]));
  return [];
}

/** The parts of a zod 4 schema's definition the walk below reads. */
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  getter?: () => z.ZodType;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The paths of the raw (unvalidated) values that the schema takes as secrets, found by walking the
 * schema beside the values: the secret paths of a config that fails validation elsewhere, so plain
 * text secrets are reported with the schema problems instead of after they are fixed.
 */
export function rawSecretPaths(
  schema: z.ZodType,
  value: unknown,
  path: (string | number)[] = [],
): (string | number)[][] {
  if (value === undefined || path.length > 32) return [];
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return rawSecretPaths(def.innerType!, value, path);
    case "lazy":
      return rawSecretPaths(def.getter!(), value, path);
    case "pipe":
      // A secret() field turns a string into a SecretValue.
      if (schema.safeParse("x").data instanceof SecretValue)
        return typeof value === "string" && value !== "" ? [path] : [];
      return rawSecretPaths(def.in!, value, path);
    case "object":
      if (!isRecord(value)) return [];
      return Object.entries(def.shape!).flatMap(([k, s]) =>
        k in value ? rawSecretPaths(s, value[k], [...path, k]) : [],
      );
    case "array":
      return Array.isArray(value)
        ? value.flatMap((v, i) => rawSecretPaths(def.element!, v, [...path, i]))
        : [];
    case "record":
      return isRecord(value)
        ? Object.entries(value).flatMap(([k, v]) => rawSecretPaths(def.valueType!, v, [...path, k]))
        : [];
    case "union": {
      // A discriminated union: the option of the value's kind (none when the kind is unknown).
      const key = def.discriminator;
      const options =
        key === undefined
          ? def.options!
          : def.options!.filter(
              (o) => isRecord(value) && defOf(o).shape?.[key]?.safeParse(value[key]).success === true,
            );
      const seen = new Map<string, (string | number)[]>();
      for (const o of options)
        for (const p of rawSecretPaths(o, value, path)) seen.set(p.map(String).join("\u0000"), p);
      return [...seen.values()];
    }
    default:
      return [];
  }
}

/** A secret at `path` not given as one. */
function plainSecretProblem(source: ConfigSource, path: (string | number)[]): Problem {
  const dotted = path.map(String).join(".");
  return {
    path: dotted,
    message: `is a secret but is stored in plain text: run \`pulumi config set --secret --path '${dotted}' <value>\` so it is encrypted in ${source.file}`,
  };
}

/** The dotted paths of the fields the schema takes as secrets, among the raw values. */
const declaredSecretPaths = (values: Record<string, unknown>) =>
  new Set(rawSecretPaths(platformSchema, values).map((p) => p.map(String).join(".")));

/**
 * `secure:` values on fields that are not secret (owner, name, a variable of cluster-vars, a label):
 * the engine would decrypt them and the program put the plaintext where anyone reads it.
 */
const secureOnPlainFieldProblems = (source: ConfigSource, declared: Set<string>): Problem[] =>
  (source.securePaths ?? [])
    .filter((p) => !declared.has(p))
    .map((p) => ({
      path: p,
      message: `is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (\`pulumi config set --path '${p}' <value>\`); a credential belongs in a field marked secret in docs/configuration.md`,
    }));

/** `secure:` values of the stack file, on secret fields, that hold plain text. */
const plainSecureProblems = (source: ConfigSource, declared: Set<string>): Problem[] =>
  (source.plainSecure ?? [])
    .filter((p) => declared.has(p) || source.securePaths === undefined)
    .map((p) => ({
      path: p,
      message: `the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run \`pulumi config set --secret --path '${p}' < <file with the value>\` so it is encrypted`,
    }));

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
  const declared = declaredSecretPaths(values);
  if (!parsed.success)
    throw new ConfigError(source, [
      ...problemsFromZod(parsed.error),
      ...plainSecureProblems(source, declared),
      ...secureOnPlainFieldProblems(source, declared),
      ...rawSecretPaths(platformSchema, values)
        .filter((p) => !source.isSecret(p))
        .map((p) => plainSecretProblem(source, p)),
    ]);
  const problems = [
    ...crossCheck(parsed.data),
    ...(source.providerConfig
      ? providerConfigProblems(source.providerConfig, parsed.data, source.regionFallback)
      : []),
    ...plainSecureProblems(source, declared),
    ...secureOnPlainFieldProblems(source, declared),
    ...secretPaths(parsed.data)
      .filter((p) => !source.isSecret(p))
      .map((p) => plainSecretProblem(source, p)),
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
