/**
 * Objects kustomize built, traced back to the repository: the file and document each comes from
 * (kustomize's origin annotation), and the file and line of every `${…}` in it, which may be the
 * object's own file, a patch, or a generator's input.
 */
import type { Origin } from "./kustomize";
import type { ManifestCache, ManifestDoc, PlacedVariable } from "./manifests";
import { findVariables } from "./substitution";

type Where = { file: string; line: number };

/**
 * Every `${…}` in a built object's keys and values, in the order of its YAML text, with where it sits:
 * what the manifest reader finds in the object's YAML (manifests.ts toDoc) but the line, which the
 * trace takes from the repository. Once per object: one is shared by every platform whose build has
 * its layout.
 */
const variablesOf = new WeakMap<object, Omit<PlacedVariable, "line">[]>();
export function objectVariables(object: Record<string, unknown>): Omit<PlacedVariable, "line">[] {
  const known = variablesOf.get(object);
  if (known) return known;
  const out: Omit<PlacedVariable, "line">[] = [];
  const scalar = (value: string, at: string[], isValue: boolean) => {
    const uses = findVariables(value);
    for (const { line: _, ...use } of uses)
      out.push({ ...use, at, whole: isValue && uses.length === 1 && value.trim() === use.text });
  };
  const visit = (value: unknown, at: string[]) => {
    if (typeof value === "string") scalar(value, at, true);
    else if (Array.isArray(value)) for (const v of value) visit(v, [...at, "*"]);
    else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) {
        scalar(k, at, false);
        visit(v, [...at, k]);
      }
  };
  visit(object, []);
  variablesOf.set(object, out);
  return out;
}

function nameOf(o: Record<string, unknown>): unknown {
  return (o.metadata as { name?: unknown } | undefined)?.name;
}

/** The document of `file` an object was built from: same kind and name, else the only one of its kind. */
function sourceDoc(docs: ManifestDoc[], object: Record<string, unknown>): ManifestDoc | undefined {
  const name = String(nameOf(object) ?? "");
  const sameKind = docs.filter((d) => d.object.kind === object.kind);
  return (
    sameKind.find((d) => nameOf(d.object) === name) ??
    sameKind.find((d) => typeof nameOf(d.object) === "string" && name.includes(String(nameOf(d.object)))) ??
    (sameKind.length === 1 ? sameKind[0] : undefined) ??
    (docs.length === 1 ? docs[0] : undefined)
  );
}

function safeRead(cache: ManifestCache, file: string): ManifestDoc[] {
  try {
    return cache.read(file).docs;
  } catch {
    return [];
  }
}

/**
 * One built object as a ManifestDoc whose lines point into the repository. `traceFiles` are the
 * kustomization, patch and generator files of the build, searched for references the object's own
 * file does not hold; `where` is the Kustomization's path, for what cannot be traced at all.
 */
export function tracedDoc(
  cache: ManifestCache,
  built: { object: Record<string, unknown>; origin?: Origin },
  traceFiles: string[],
  where: Where,
): ManifestDoc {
  const { object, origin } = built;
  const src = origin?.file ? sourceDoc(safeRead(cache, origin.file), object) : undefined;
  const generatorFile = origin?.configuredIn;
  const home: Where = src
    ? { file: src.file, line: src.line }
    : generatorFile
      ? { file: generatorFile, line: generatorLine(cache, generatorFile, object) }
      : origin?.file
        ? { file: origin.file, line: 1 }
        : where;
  const candidates = [
    ...(generatorFile ? [generatorFile] : []),
    ...traceFiles.filter((f) => f !== generatorFile),
  ].flatMap((f) => safeRead(cache, f).flatMap((d) => d.variables.map((v) => ({ v, file: d.file }))));
  const sameAt = (a: { at: string[] }, b: { at: string[] }) => a.at.join(".") === b.at.join(".");
  const variables = objectVariables(object).map((use): PlacedVariable => {
    const own = src?.variables.find((v) => v.text === use.text && sameAt(v, use));
    if (own) return { ...use, line: own.line };
    const other =
      candidates.find((c) => c.v.text === use.text && c.v.at.slice(-1)[0] === use.at.slice(-1)[0]) ??
      candidates.find((c) => c.v.text === use.text);
    if (other) return { ...use, line: other.v.line, file: other.file };
    const anywhere = src?.variables.find((v) => v.text === use.text);
    if (anywhere) return { ...use, line: anywhere.line };
    return { ...use, line: home.line, untraced: true };
  });
  return {
    file: home.file,
    line: home.line,
    object,
    variables,
    lineOf: (p) => (src ? src.lineOf(p) : home.line),
  };
}

/** Line of the generator entry that made a ConfigMap or Secret (by its name), else 1. */
function generatorLine(cache: ManifestCache, file: string, object: Record<string, unknown>): number {
  const doc = safeRead(cache, file)[0];
  if (!doc) return 1;
  const gen = object.kind === "Secret" ? "secretGenerator" : "configMapGenerator";
  const list = doc.object[gen];
  if (!Array.isArray(list)) return doc.line;
  const name = String(nameOf(object) ?? "");
  const i = list.findIndex((g) => {
    const n = (g as { name?: unknown } | null)?.name;
    return typeof n === "string" && name.startsWith(n);
  });
  return i < 0 ? doc.lineOf([gen]) : doc.lineOf([gen, i]);
}
