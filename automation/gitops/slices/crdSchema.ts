/**
 * A repository's own CustomResourceDefinitions as validators: the scaffolder checks an instance's
 * values against the schema the cluster will enforce, before writing anything.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parse, stringify } from "yaml";
import { ManifestCache } from "../shared/manifests";
import { substituteString } from "../shared/substitution";

export interface CrdSchema {
  apiVersion: string;
  kind: string;
  /** The CRD's file, repository-relative. */
  file: string;
  validate: ValidateFunction;
}

interface Crd {
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; served?: boolean; schema?: { openAPIV3Schema?: object } }[];
  };
}

/** Schemas of the CRDs in the repository that define the kinds of `objects`. */
export function crdSchemas(repoDir: string, objects: Record<string, unknown>[]): CrdSchema[] {
  const wanted = new Set(objects.map((o) => `${String(o.apiVersion)}/${String(o.kind)}`));
  const cache = new ManifestCache(repoDir);
  const ajv = new Ajv({ strict: false, allErrors: true });
  const out: CrdSchema[] = [];
  for (const file of cache.allFiles())
    for (const doc of cache.read(file).docs) {
      if (doc.object.kind !== "CustomResourceDefinition") continue;
      const spec = (doc.object as Crd).spec ?? {};
      for (const v of spec.versions ?? []) {
        const apiVersion = `${spec.group}/${v.name}`;
        const kind = spec.names?.kind ?? "";
        if (!wanted.has(`${apiVersion}/${kind}`) || !v.served || !v.schema?.openAPIV3Schema) continue;
        out.push({ apiVersion, kind, file, validate: ajv.compile(v.schema.openAPIV3Schema) });
      }
    }
  return out;
}

export interface CrdProblem {
  /** The field's value as the model writes it (with its `${…}`), to name the values behind it. */
  raw: string;
  message: string;
}

function at(obj: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

function describe(e: ErrorObject, value: unknown): string {
  const field = e.instancePath
    .replace(/^\//, "")
    .replace(/\/(\d+)(?=\/|$)/g, "[$1]")
    .replace(/\//g, ".");
  const shown = JSON.stringify(value);
  switch (e.keyword) {
    case "maximum":
    case "minimum":
      return `${field} is ${shown}, and must be ${e.keyword === "maximum" ? "at most" : "at least"} ${String(e.params.limit)}`;
    case "pattern":
      return `${field} is ${shown}, which does not match ${String(e.params.pattern)}`;
    case "type":
      return `${field} is ${shown}, and must be ${String(e.params.type)}`;
    default:
      return `${field || "the object"} ${e.message ?? "is invalid"}`;
  }
}

/**
 * Check objects with `${…}` against the CRD schemas, after substituting `vars` as Flux does
 * (into the YAML text, which is then parsed as YAML 1.1: `300` is a number, `abc` a string).
 */
export function checkAgainstCrds(
  crds: CrdSchema[],
  objects: Record<string, unknown>[],
  vars: Record<string, string>,
): CrdProblem[] {
  const problems: CrdProblem[] = [];
  for (const raw of objects) {
    const crd = crds.find((c) => c.apiVersion === raw.apiVersion && c.kind === raw.kind);
    if (!crd) continue;
    let applied: unknown;
    try {
      applied = parse(substituteString(stringify(raw), vars), { version: "1.1", maxAliasCount: 100 });
    } catch {
      continue; // a value that breaks the YAML is the scaffolder's structure problem, said with its flag
    }
    if (crd.validate(applied)) continue;
    for (const e of crd.validate.errors ?? []) {
      const rawValue = at(raw, e.instancePath);
      problems.push({
        raw: typeof rawValue === "string" ? rawValue : JSON.stringify(rawValue ?? ""),
        message: `${describe(e, at(applied, e.instancePath))} in the ${crd.kind} CRD (${crd.file})`,
      });
    }
  }
  return problems;
}
