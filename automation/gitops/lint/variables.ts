/**
 * Strict substitution as Flux 2.9 applies it to what a Kustomization builds: every `${VAR}` without
 * a default needs a value, names must be valid, and a variable that is a whole value where
 * Kubernetes wants a string must not turn into a number, boolean or null. (kustomize-controller
 * substitutes into the YAML it gets from a JSON round trip, so quotes in the file do not survive,
 * and parses the result with go-yaml, YAML 1.1: `001` is the number 1, `yes` is true.)
 */
import { parse } from "yaml";
import type { Finding, PlacedVariable } from "../shared/manifests";
import { substitutionDisabled } from "../shared/substitution";
import { ROOT, variablesOf, type BuiltObject, type KsNode, type PlatformTree } from "../shared/tree";

/** Where Kubernetes or Flux require a string, by kind (`*` any kind); `?` matches any key. */
const STRING_FIELDS: [string, string[]][] = [
  ["*", ["metadata", "name"]],
  ["*", ["metadata", "namespace"]],
  ["*", ["metadata", "labels", "?"]],
  ["*", ["metadata", "annotations", "?"]],
  ["ConfigMap", ["data", "?"]],
  ["Secret", ["stringData", "?"]],
  ["Kustomization", ["spec", "postBuild", "substitute", "?"]],
  ["Alert", ["spec", "eventMetadata", "?"]],
];

/** Whether the field at `at` of an object of `kind` must be a string. */
export function stringField(kind: string, at: string[]): boolean {
  return STRING_FIELDS.some(
    ([k, p]) =>
      (k === "*" || k === kind) && p.length === at.length && p.every((s, i) => s === "?" || s === at[i]),
  );
}

/** What a value becomes when parsed back as YAML 1.1; undefined when it stays a string. */
export function typeAfterSubstitution(value: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = parse(value, { version: "1.1" });
  } catch {
    return "invalid YAML";
  }
  if (typeof parsed === "string") return undefined;
  return parsed === null ? "null" : `the ${typeof parsed} ${JSON.stringify(parsed)}`;
}

function typeFinding(
  use: PlacedVariable,
  built: BuiltObject,
  vars: Record<string, string | undefined>,
): string | undefined {
  if (!use.whole || !stringField(built.obj.kind, use.at)) return undefined;
  const fallback = /^\$\{[^:=-]+:?[-=](.*)\}$/s.exec(use.text)?.[1];
  const value = vars[use.name] ?? fallback;
  const becomes = value === undefined ? undefined : typeAfterSubstitution(value);
  if (!becomes) return undefined;
  return `${use.at.join(".")} must be a string, but ${use.text} makes it ${becomes} (value "${value}"): Flux substitutes into YAML after a JSON round trip, so quotes around a variable are lost; keep the variable inside a longer string (e.g. x-${use.text})`;
}

/** The substitution findings of one Kustomization of the tree. */
export function substitutionFindings(tree: PlatformTree, node: KsNode, sourceMissing: boolean): Finding[] {
  // A missing source is reported as a reference; its variables would only repeat it.
  if (sourceMissing) return [];
  const out: Finding[] = [];
  const vars = variablesOf(node, tree);
  const id = node.doc
    ? `Kustomization ${node.namespace}/${node.name}`
    : `the root Kustomization ${ROOT.namespace}/${ROOT.name}`;
  const sources = (node.spec.postBuild?.substituteFrom ?? []).map((s) => `${s.kind} ${s.name}`);
  if (node.spec.postBuild?.substitute) sources.unshift("postBuild.substitute");
  for (const built of node.built) {
    if (substitutionDisabled(built.obj.metadata)) continue;
    for (const use of built.doc.variables) {
      const at = {
        file: use.file ?? built.doc.file,
        line: use.line,
        rule: "variable",
        platform: tree.context.platform,
      };
      const untraced = use.untraced
        ? ` (in ${String(built.obj.kind)} ${String(built.obj.metadata.name ?? "")} as kustomize built it; its source line could not be traced, the line shown is the object's)`
        : "";
      const push = (message: string, rule = "variable") =>
        out.push({ ...at, rule, message: message + untraced });
      if (use.invalid) {
        push(
          `${use.text} is not a valid Flux variable (names match ^[_a-zA-Z][_a-zA-Z0-9]*$); write $\${…} for a literal`,
        );
        continue;
      }
      if (!vars) {
        if (!use.hasDefault)
          push(
            `${use.text} is applied literally: ${id} has no postBuild substitution; add postBuild.substituteFrom or give it a default (\${${use.name}:=value})`,
          );
        continue;
      }
      if (!use.hasDefault && !(use.name in vars))
        push(
          `\${${use.name}} has no value: ${id} substitutes from ${sources.join(", ")} and none has ${use.name}; add it there or give it a default (\${${use.name}:=value})`,
        );
      const type = typeFinding(use, built, vars);
      if (type) push(type, "type");
    }
  }
  return out;
}
