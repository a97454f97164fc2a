/**
 * Secrets in the stack file: where the schema takes them (walked beside the raw values, so they are
 * found even when the schema refuses the config), and the problems of secrets given wrongly.
 */
import { z } from "zod";
import type { Problem } from "../components/problems";
import type { ConfigSource } from "./configSource";
import { SecretValue } from "./schema/common";
import { platformSchema, type PlatformConfig } from "./schema/platform";

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
 * Every problem with how the stack file gives secrets: `secure:` values that hold plain text,
 * `secure:` on fields that are not secret, and secrets given in plain text. `parsed` is the
 * validated config when the schema took it; otherwise the secrets are found beside the raw values.
 */
export function secretProblems(
  source: ConfigSource,
  values: Record<string, unknown>,
  parsed: PlatformConfig | undefined,
): Problem[] {
  const raw = rawSecretPaths(platformSchema, values);
  const declared = new Set(raw.map((p) => p.map(String).join(".")));
  return [
    ...plainSecureProblems(source, declared),
    ...secureOnPlainFieldProblems(source, declared),
    ...(parsed ? secretPaths(parsed) : raw)
      .filter((p) => !source.isSecret(p))
      .map((p) => plainSecretProblem(source, p)),
  ];
}
