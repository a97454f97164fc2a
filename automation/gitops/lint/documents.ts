/**
 * gitops:lint's checks of single manifests: every document of the repository (schemas, sources,
 * Secrets, ConfigMap values), and the values a platform substitutes into variables.
 */
import { asK8s, type Finding, type ManifestDoc } from "../shared/manifests";
import { isFluxApi, validateFluxObject, type SchemaProblem } from "../shared/schemas";
import type { PlatformTree } from "../shared/tree";
import { plaintextSecret } from "./secrets";
import { sourceFindings } from "./sources";
import { stringField } from "./variables";

/** The value at a path of an object. */
function valueAt(obj: unknown, at: (string | number)[]): unknown {
  let v: unknown = obj;
  for (const k of at) v = v && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** A schema problem of a value that is a `${VAR}`: Flux validates what substitution makes of it. */
const variableValue = (raw: unknown, p: SchemaProblem) => {
  const v = valueAt(raw, p.path);
  return typeof v === "string" && v.includes("${");
};

/**
 * Schema problems of values that are variables in the repository, checked per platform with the
 * values the platform substitutes (`type: ${FLEET_STATUS_PROVIDER:=github}` is checked as `github`).
 */
export function substitutedSchemaFindings(tree: PlatformTree): Finding[] {
  const out: Finding[] = [];
  for (const objs of tree.index.values())
    for (const b of objs) {
      if (!isFluxApi(b.obj.apiVersion)) continue;
      for (const p of validateFluxObject(b.obj)) {
        // A whole variable in a string field that substitution types: the `type` finding says it, and how to fix it.
        if (
          stringField(b.obj.kind, p.path.map(String)) &&
          /^\$\{[^}]*\}$/.test(String(valueAt(b.doc.object, p.path)))
        )
          continue;
        const value = valueAt(b.obj, p.path);
        if (!variableValue(b.doc.object, p) || (typeof value === "string" && value.includes("${"))) continue;
        out.push({
          file: b.doc.file,
          line: b.doc.lineOf(p.path),
          rule: "schema",
          platform: tree.context.platform,
          message: `${b.obj.kind} ${String(b.obj.metadata.name ?? "")}: ${p.message} (substituted: ${JSON.stringify(value)} from ${String(valueAt(b.doc.object, p.path))})`,
        });
      }
    }
  return out;
}

/** Source URLs written as variables, checked with the values a platform substitutes. */
export function substitutedSourceFindings(tree: PlatformTree): Finding[] {
  const out: Finding[] = [];
  for (const objs of tree.index.values())
    for (const b of objs) {
      const spec = (b.doc.object.spec ?? {}) as Record<string, unknown>;
      if ([spec.url, spec.endpoint].some((v) => typeof v === "string" && v.includes("${")))
        out.push(...sourceFindings(b.doc, b.obj).map((f) => ({ ...f, platform: tree.context.platform })));
    }
  return out;
}

/** Checks that hold for every manifest of the repository, whichever tree applies it. */
export function checkDocument(doc: ManifestDoc): Finding[] {
  const obj = asK8s(doc);
  if (!obj) return [];
  const out: Finding[] = [];
  if (isFluxApi(obj.apiVersion))
    for (const p of validateFluxObject(obj).filter((problem) => !variableValue(obj, problem)))
      out.push({
        file: doc.file,
        line: doc.lineOf(p.path),
        rule: "schema",
        message: `${obj.kind} ${String(obj.metadata.name ?? "")}: ${p.message}`,
      });
  out.push(...sourceFindings(doc));
  if (obj.kind === "Secret" && obj.apiVersion === "v1") {
    const f = plaintextSecret(doc);
    if (f) out.push(f);
  }
  if (obj.kind === "ConfigMap" && obj.data && typeof obj.data === "object")
    for (const [k, v] of Object.entries(obj.data as Record<string, unknown>))
      if (typeof v !== "string")
        out.push({
          file: doc.file,
          line: doc.lineOf(["data", k]),
          rule: "string-value",
          message: `ConfigMap ${String(obj.metadata.name)}: data.${k} is ${v === null ? "null" : typeof v}, values must be strings: quote it ("${String(v)}")`,
        });
  return out;
}
