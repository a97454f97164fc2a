/**
 * Flux objects checked against the Flux CRD schemas shipped in `@kubernetes-models/flux-cd`.
 *
 * That package ships its validators as precompiled (Ajv standalone) ES modules behind an
 * `import`-only `exports` map, which neither `require` nor Jest (without `--experimental-vm-modules`)
 * can load. The validator files only use three statement shapes (`import{validate as vN}from"…"`,
 * `import fN from"…"`, `export const validate=…`), so they are loaded here by rewriting those into a
 * function body: one code path for the CLI (tsx) and the tests (Jest), no loader flags.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** An Ajv error as the standalone validators report it. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}
type Validate = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
type ModuleExports = Record<string, unknown>;

/** API versions Flux 2.9 serves, by group. Every other version of a `*.toolkit.fluxcd.io` group was removed. */
export const SERVED_FLUX_APIS: Record<string, Record<string, string[]>> = {
  "source.toolkit.fluxcd.io": {
    v1: ["GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket", "ExternalArtifact"],
  },
  "kustomize.toolkit.fluxcd.io": { v1: ["Kustomization"] },
  "helm.toolkit.fluxcd.io": { v2: ["HelmRelease"] },
  "notification.toolkit.fluxcd.io": { v1: ["Receiver"], v1beta3: ["Alert", "Provider"] },
  "image.toolkit.fluxcd.io": { v1: ["ImageRepository", "ImagePolicy", "ImageUpdateAutomation"] },
};

/** Controller part of the schema file names, by group. */
const CONTROLLER: Record<string, string[]> = {
  "source.toolkit.fluxcd.io": ["Source"],
  "kustomize.toolkit.fluxcd.io": ["Kustomize"],
  "helm.toolkit.fluxcd.io": ["Helm"],
  "notification.toolkit.fluxcd.io": ["Notification"],
  "image.toolkit.fluxcd.io": ["ImageReflector", "ImageAutomation"],
};

const RESOURCE_QUANTITY =
  /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|(?:[YZEPTGMkhdcmunpfazy]|da)|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[tT ]\d{2}:\d{2}:\d{2}(\.\d+)?([zZ]|[+-]\d{2}:?\d{2})$/;

/** The formats object of `@kubernetes-models/validate`, for the formats the Flux schemas use. */
const FORMATS = {
  int32: {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n <= 2147483647 && n >= -2147483648,
  },
  int64: { type: "number", validate: (n: number) => Number.isInteger(n) },
  "date-time": { type: "string", validate: DATE_TIME },
  quantity: { type: "string", validate: RESOURCE_QUANTITY },
};

/** Ajv's runtime helpers the validators import (only `ucs2length`: string length in code points). */
const RUNTIME: Record<string, unknown> = { ucs2length: (s: string) => Array.from(s).length };

function packageDir(name: string): string {
  const candidates = [...(require.resolve.paths(name) ?? []), path.join(process.cwd(), "node_modules")];
  const found = candidates
    .map((p) => path.join(p, name))
    .find((p) => fs.existsSync(path.join(p, "package.json")));
  if (!found) throw new Error(`package ${name} is not installed (run npm ci)`);
  return found;
}

const cache = new Map<string, ModuleExports>();
const IMPORT = /import\s*(?:\{([^}]*)\}|([A-Za-z_$][\w$]*))\s*from\s*"([^"]+)";?/g;

function resolveImport(spec: string, fromDir: string): string | ModuleExports {
  if (spec === "@kubernetes-models/validate") return { formats: FORMATS };
  const runtime = /^@kubernetes-models\/validate\/runtime\/(\w+)$/.exec(spec);
  if (runtime && runtime[1] in RUNTIME) return { default: RUNTIME[runtime[1]] };
  if (spec.startsWith("./")) return path.join(fromDir, spec);
  const pkg = /^((?:@[^/]+\/)?[^/]+)\/(_schemas\/\w+)$/.exec(spec);
  if (pkg) return path.join(packageDir(pkg[1]), `${pkg[2]}.js`);
  throw new Error(`schema loader: unsupported import "${spec}" in ${fromDir}`);
}

/** Load one precompiled validator module (and, transitively, what it imports). */
export function loadValidatorModule(file: string): ModuleExports {
  const cached = cache.get(file);
  if (cached) return cached;
  const exports: ModuleExports = {};
  cache.set(file, exports);
  const deps: ModuleExports[] = [];
  const header: string[] = [];
  const body = fs
    .readFileSync(file, "utf8")
    .replace(IMPORT, (_m, named: string | undefined, def: string | undefined, spec: string) => {
      const target = resolveImport(spec, path.dirname(file));
      deps.push(typeof target === "string" ? loadValidatorModule(target) : target);
      const ref = `__deps[${deps.length - 1}]`;
      if (def) header.push(`const ${def}=${ref}.default;`);
      else
        for (const part of (named ?? "").split(",").filter((p) => p.trim())) {
          const [orig, alias] = part.split(/\s+as\s+/).map((s) => s.trim());
          header.push(`const ${alias ?? orig}=${ref}.${orig};`);
        }
      return "";
    });
  const source = header.join("") + body.replace(/export const validate\s*=/, "exports.validate=");
  if (/(^|[;}\s])(import|export)[\s{]/.test(source.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
    throw new Error(`schema loader: ${file} has module syntax this loader does not handle`);
  }
  new Function("exports", "__deps", source)(exports, deps);
  return exports;
}

/** The validator of a Flux kind at a served API version, or undefined when the package has none. */
export function fluxValidator(apiVersion: string, kind: string): Validate | undefined {
  const [group, version] = apiVersion.split("/");
  const dir = path.join(packageDir("@kubernetes-models/flux-cd"), "_schemas");
  const ver = version.charAt(0).toUpperCase() + version.slice(1);
  for (const controller of CONTROLLER[group] ?? []) {
    const file = path.join(dir, `ComGithubFluxcd${controller}ControllerApi${ver}${kind}.js`);
    if (fs.existsSync(file)) return loadValidatorModule(file).validate as Validate;
  }
  return undefined;
}

/** Whether the apiVersion belongs to a Flux API group. */
export function isFluxApi(apiVersion: string): boolean {
  return apiVersion.split("/")[0] in SERVED_FLUX_APIS;
}

/** The served apiVersion for a Flux kind, e.g. `kustomize.toolkit.fluxcd.io/v1` for Kustomization. */
export function servedApiVersion(group: string, kind: string): string | undefined {
  const versions = SERVED_FLUX_APIS[group] ?? {};
  const version = Object.keys(versions).find((v) => versions[v].includes(kind));
  return version ? `${group}/${version}` : undefined;
}

/** One schema problem: the JSON path inside the object and the message. */
export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

function describe(e: SchemaError): string {
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown field "${String(e.params.additionalProperty)}"`;
    case "required":
      return `missing required field "${String(e.params.missingProperty)}"`;
    case "enum":
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "type":
      return `must be of type ${String(e.params.type)}`;
    case "pattern":
      return `must match ${String(e.params.pattern)}`;
    case "format":
      return `must be a ${String(e.params.format)}`;
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
    case "minimum":
    case "maximum":
      return `fails ${e.keyword} ${String(e.params.limit)}`;
    default:
      return e.message ?? `fails the ${e.keyword} rule`;
  }
}

/**
 * Check a Flux object: the apiVersion must be served by Flux 2.9 and the object valid against its
 * schema. Returns the problems, each with where in the object it is.
 */
/**
 * Enum values the controllers this project pins (components/flux/versions.json) accept but the
 * bundled schema package (@kubernetes-models/flux-cd, generated from older CRDs) does not list yet:
 * by kind, the instance path, and the values. Each entry names the CRD that accepts it; drop an entry
 * when the package catches up (the test of this table fails then).
 */
export const NEWER_ENUM_VALUES: Record<string, { path: string; values: string[]; acceptedBy: string }[]> = {
  GitRepository: [
    {
      path: "/spec/provider",
      values: ["aws"],
      acceptedBy: "source-controller v1.9.4 CRD: spec.provider enum generic, aws, azure, github",
    },
  ],
};

function newerEnumValue(obj: { kind: string }, e: SchemaError): boolean {
  if (e.keyword !== "enum") return false;
  const entry = NEWER_ENUM_VALUES[obj.kind]?.find((n) => n.path === e.instancePath);
  if (!entry) return false;
  let value: unknown = obj;
  for (const seg of e.instancePath.split("/").slice(1))
    value = (value as Record<string, unknown> | undefined)?.[seg];
  return typeof value === "string" && entry.values.includes(value);
}

export function validateFluxObject(obj: { apiVersion: string; kind: string }): SchemaProblem[] {
  const group = obj.apiVersion.split("/")[0];
  const served = servedApiVersion(group, obj.kind);
  if (served !== obj.apiVersion) {
    const fix = served ? `use ${served}` : `${obj.kind} is not a kind of ${group}`;
    return [
      {
        path: ["apiVersion"],
        message: `${obj.kind} ${obj.apiVersion} is not served by Flux 2.9 (removed API version): ${fix}`,
      },
    ];
  }
  const validate = fluxValidator(obj.apiVersion, obj.kind);
  if (!validate || validate(obj)) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") continue;
    if (newerEnumValue(obj, e)) continue;
    const p = e.instancePath
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const where = p.length ? p.join(".") : "(object)";
    const newer =
      e.keyword === "enum" ? NEWER_ENUM_VALUES[obj.kind]?.find((n) => n.path === e.instancePath) : undefined;
    const message = `${where}: ${describe(e)}${newer ? `, ${newer.values.map((v) => `"${v}"`).join(", ")}` : ""}`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ path: p.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), message });
  }
  return problems;
}
