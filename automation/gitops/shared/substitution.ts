/**
 * Flux post-build substitution, as kustomize-controller 1.9 (Flux 2.9) applies it: `${VAR}`,
 * `${VAR:=default}` (and the envsubst forms `=`, `-`, `:-`), `$${VAR}` for a literal `${VAR}`.
 * With strict substitution (the default since Flux 2.9) a variable with no value and no default
 * fails the reconcile.
 */
import { Document, isScalar, parse, stringify, type ScalarTag } from "yaml";
import { VARIABLE_NAME } from "../../../stacks/schema/common";

export { VARIABLE_NAME };

/** Label or annotation that opts an object out of substitution. */
export const SUBSTITUTE_DISABLED = "kustomize.toolkit.fluxcd.io/substitute";

/** One `${…}` in a value. */
export interface VariableUse {
  /** The variable name (or the raw text between the braces when it is not a valid name). */
  name: string;
  /** Has a default (`${VAR:=x}`, `${VAR=x}`, `${VAR:-x}`, `${VAR-x}`): never fails strict substitution. */
  hasDefault: boolean;
  /** The name is not a valid Flux variable name. */
  invalid: boolean;
  /** 1-based line within the value (or the file, once placed by the manifest reader). */
  line: number;
  /** The text as written, e.g. `${SST}`. */
  text: string;
}

const REFERENCE = /(\$?)\$\{([^}]*)\}/g;
const WITH_OPERATOR = /^([_a-zA-Z][_a-zA-Z0-9]*)(:?[-=])(.*)$/s;

/** Every variable reference in a string, in order. Escaped `$${…}` are skipped. */
export function findVariables(value: string): VariableUse[] {
  const uses: VariableUse[] = [];
  for (const m of value.matchAll(REFERENCE)) {
    if (m[1] === "$") continue;
    const inner = m[2];
    const line = value.slice(0, m.index).split("\n").length;
    const op = WITH_OPERATOR.exec(inner);
    if (op) uses.push({ name: op[1], hasDefault: true, invalid: false, line, text: m[0] });
    else uses.push({ name: inner, hasDefault: false, invalid: !VARIABLE_NAME.test(inner), line, text: m[0] });
  }
  return uses;
}

/**
 * Substitute known variables in a string; unknown ones without a default stay as written.
 * Used to resolve names and paths the way Flux will see them, not to produce output.
 */
export function substituteString(value: string, vars: Record<string, string>): string {
  return value.replace(REFERENCE, (whole, escape: string, inner: string) => {
    if (escape === "$") return whole.slice(1);
    const op = WITH_OPERATOR.exec(inner);
    const name = op ? op[1] : inner;
    if (name in vars && !(op?.[2].startsWith(":") && vars[name] === "")) return vars[name];
    return op ? op[3] : whole;
  });
}

/**
 * Substitute known variables in an object as kustomize-controller does: in the object's YAML text,
 * which is then parsed again (YAML 1.1), so `nsiID: ${NSIID}` with NSIID=1 becomes the number 1 (not
 * the string "1"), as on the cluster. Unknown variables without a default stay as written.
 */
export function substituteObject<T>(value: T, vars: Record<string, string>): T {
  // No reference anywhere (JSON quotes neither `$` nor `{`): nothing to do, as the YAML text would show.
  if (!JSON.stringify(value).includes("${")) return value;
  const leaves = substituteLeaves(value, vars);
  if (leaves !== WHOLE_TEXT) return leaves as T;
  const text = stringify(value, { lineWidth: 0 });
  const out = substituteString(text, vars);
  // go-yaml, YAML 1.1, as kustomize-controller parses the result: `001` is 1, `0042` is 34, `yes` is true.
  return out === text ? value : (parse(out, { version: "1.1" }) as T);
}

/** substituteLeaves' answer when only the whole YAML text gives the result kustomize-controller gets. */
const WHOLE_TEXT = Symbol("whole text");

/**
 * A substituted value that reads back as the one plain scalar it replaces wherever it stands in the
 * YAML text, which the writer makes block style (YAML's plain scalar in block context): it does not
 * start with an indicator (`-`, `?` and `:` only when a space or nothing follows), holds no `: `
 * and no ` #`, does not end in `:`, has no line break, tab or control character (YAML 1.1 breaks
 * lines at U+0085, U+2028 and U+2029 too), and no leading or trailing space. So `oci://host/path`,
 * `--flag=value` and `a (b), c` are one scalar each; `a: b`, `- x` and `x # y` are not.
 */
const ONE_SCALAR =
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  /^(?![\s,[\]{}#&*!|>'"%@`])(?![-?:](?:\s|$))(?!.*(?::\s|\s#|:$))[^\x00-\x1f\x7f\x85\u2028\u2029\ufeff]*(?<!\s)$/;

/** Whether the YAML writer writes a string as a plain scalar, by string (the same few recur in every platform). */
const PLAIN = new Map<string, boolean>();
function writtenPlain(value: string): boolean {
  let plain = PLAIN.get(value);
  if (plain === undefined) {
    plain = stringify(value, { lineWidth: 0 }) === `${value}\n`;
    if (PLAIN.size > 100_000) PLAIN.clear();
    PLAIN.set(value, plain);
  }
  return plain;
}

/** The YAML 1.1 schema's tags a plain scalar may resolve to, in the order the parser tries them. */
const YAML11 = new Document(undefined, { version: "1.1" });
const PLAIN_TAGS = YAML11.schema.tags.filter(
  (t): t is ScalarTag =>
    t.default === true && !("collection" in t && t.collection) && t.test instanceof RegExp,
);

/**
 * What a plain scalar (ONE_SCALAR) reads as in YAML 1.1 where it stands as a value: the first tag of
 * the schema whose pattern it matches resolves it, else it is a string, as the parser itself does
 * (yaml's compose-scalar), without a parse of its own per value (most of the substitution's time).
 */
function plainScalar11(text: string): unknown {
  const tag = PLAIN_TAGS.find((t) => t.test!.test(text));
  if (!tag) return text;
  let failed = false;
  const value = tag.resolve(text, () => (failed = true), YAML11.options);
  if (failed) return (parse(`v: ${text}`, { version: "1.1" }) as { v: unknown }).v;
  return isScalar(value) ? value.value : value;
}

/**
 * The same result as substituting in the whole YAML text, scalar by scalar (the YAML round trip of
 * a large object was most of a cold lint's substitution time): each string holding `${…}` is written
 * as a plain scalar in the text, so it becomes what its substituted text reads as on its own (YAML
 * 1.1: `1` the number, `true` the boolean). WHOLE_TEXT where that does not hold: a key with `${…}`,
 * a string the YAML writer quotes or folds, or a value that would read as more than one scalar.
 */
function substituteLeaves(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    const out = substituteString(value, vars);
    if (out === value) return value;
    if (!writtenPlain(value) || !ONE_SCALAR.test(out)) return WHOLE_TEXT;
    return plainScalar11(out);
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const v of value) {
      const r = substituteLeaves(v, vars);
      if (r === WHOLE_TEXT) return WHOLE_TEXT;
      changed ||= r !== v;
      out.push(r);
    }
    return changed ? out : value;
  }
  if (value && typeof value === "object") {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.includes("${")) return WHOLE_TEXT;
      const r = substituteLeaves(v, vars);
      if (r === WHOLE_TEXT) return WHOLE_TEXT;
      changed ||= r !== v;
      out[k] = r;
    }
    return changed ? out : value;
  }
  return value;
}

/** Whether an object opts out of substitution with the label or annotation `…/substitute: disabled`. */
export function substitutionDisabled(metadata: {
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}): boolean {
  return (
    metadata.labels?.[SUBSTITUTE_DISABLED] === "disabled" ||
    metadata.annotations?.[SUBSTITUTE_DISABLED] === "disabled"
  );
}

/** A name with `${…}` still in it, as a pattern matching any value of the unknown variables. */
export function namePattern(name: string): RegExp {
  const parts = name.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}
