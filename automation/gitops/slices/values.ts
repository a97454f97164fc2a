/**
 * The values of a new slice instance checked against its catalog model before anything is written:
 * names and values of one line, every variable the model needs and none it does not use, values that
 * stay one value when Flux substitutes them, names Kubernetes takes, and the model's CRD schemas.
 */
import { DNS_SUBDOMAIN } from "../../../components/k8sNames";
import { checkAgainstCrds } from "./crdSchema";
import { parse, stringify } from "yaml";
import { hasControlCharacter, MAX_YAML_ALIASES } from "../shared/sandbox";
import { substituteString, VARIABLE_NAME } from "../shared/substitution";
import { INFO_PREFIX, ScaffoldError, sliceId, type SliceModel } from "./model";

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** The flag that sets a variable: `--latency-ms (LATENCY_MS)`. */
const flagOf = (k: string) => `--${k.toLowerCase().replace(/_/g, "-")} (${k})`;

/** Check the values against the model; every problem in one ScaffoldError. */
export function checkSliceValues(
  model: SliceModel,
  values: Record<string, string>,
  platform = "platform",
): void {
  const problems: string[] = [];
  const uses = new Set([...model.required, ...Object.keys(model.optional)]);
  for (const [k, v] of Object.entries(values)) {
    if (hasControlCharacter(k)) {
      problems.push(
        `${JSON.stringify(k)} is not a valid variable name: it holds a newline or another control character`,
      );
      continue;
    }
    if (hasControlCharacter(v)) {
      // The value is not printed: it is what breaks the line.
      problems.push(
        `${flagOf(k)}: the value holds a newline or another control character: give it on one line (Flux substitutes it into the YAML of every object of the model)`,
      );
      continue;
    }
    if (k.startsWith(INFO_PREFIX)) {
      if (!CONFIG_MAP_KEY.test(k))
        problems.push(`${k} is not a valid ConfigMap key: use letters, digits, '-', '_' and '.'`);
      continue;
    }
    if (!VARIABLE_NAME.test(k)) problems.push(`${k} is not a valid variable name`);
    else if (!uses.has(k))
      problems.push(
        `${k} is not used by model ${model.name} (it uses ${[...uses].sort().join(", ")}): remove it`,
      );
    else if (v === "") problems.push(`${k} is empty: give it a value`);
  }
  for (const k of model.required)
    if (values[k] === undefined)
      problems.push(
        `${k} is required by model ${model.name}: add --${k.toLowerCase().replace(/_/g, "-")} <value>`,
      );
  if (!model.required.includes("SST") || !model.required.includes("SD"))
    problems.push(
      `model ${model.name} does not use both \${SST} and \${SD}: instance names are derived from them`,
    );
  else if (
    values.SST !== undefined &&
    values.SD !== undefined &&
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(sliceId(values))
  )
    problems.push(
      `SST and SD give the id "${sliceId(values)}", which is not a DNS label: use digits and hex digits`,
    );
  if (!problems.length && model.objects) problems.push(...instanceProblems(model, values, platform));
  if (problems.length)
    throw new ScaffoldError(
      `cannot scaffold a slice of model ${model.name}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
}

/** An object's structure: its keys and lists, every scalar the same. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  return 0;
}

/** The object's YAML as Flux substitutes it, parsed as kustomize-controller does; undefined if it does not parse. */
function substituted(text: string, vars: Record<string, string>): unknown {
  try {
    return parse(substituteString(text, vars), { version: "1.1", maxAliasCount: MAX_YAML_ALIASES });
  } catch {
    return undefined;
  }
}

/**
 * Values that would change the structure of a model's object when Flux substitutes them into its YAML
 * text (`x: y`, `[a]`, `{a: b}`, `*alias`, `"`…): each value must stay one scalar. Each value is tried
 * alone, the others being a plain word, so the problem names its flag.
 */
function structureProblems(
  model: SliceModel,
  values: Record<string, string>,
  vars: Record<string, string>,
): string[] {
  const problems: string[] = [];
  const plain = Object.fromEntries(Object.keys(vars).map((k) => [k, "x"]));
  for (const raw of model.objects ?? []) {
    const text = stringify(raw);
    const expected = JSON.stringify(shape(substituted(text, plain)));
    const id = `${String(raw.kind)} ${String((raw.metadata as { name?: unknown } | undefined)?.name ?? "")}`;
    for (const k of Object.keys(values).sort()) {
      if (!text.includes(`\${${k}`)) continue;
      const got = substituted(text, { ...plain, [k]: vars[k] });
      if (got === undefined || JSON.stringify(shape(got)) !== expected)
        problems.push(
          `${flagOf(k)}: Flux substitutes the value into the YAML of the model's ${id}, where it would not stay one value (it holds YAML syntax such as ': ', quotes, brackets, braces, '*' or '&'): give plain text`,
        );
    }
  }
  return [...new Set(problems)];
}

/**
 * The model's objects as Flux would apply them with these values: object names must be Kubernetes
 * names, and custom resources must satisfy the repository's own CRD schema. Each problem names the
 * flag whose value caused it.
 */
function instanceProblems(model: SliceModel, values: Record<string, string>, platform: string): string[] {
  // cluster-vars values are the platform's: checked with the platform's name as a stand-in.
  const fromPlatform = Object.fromEntries((model.fromClusterVars ?? []).map((k) => [k, platform]));
  const vars = { ...fromPlatform, ...model.optional, ...values };
  const flagsIn = (text: string) =>
    [...new Set([...text.matchAll(/\$\{([_a-zA-Z][_a-zA-Z0-9]*)/g)].map((m) => m[1]))]
      .filter((k) => values[k] !== undefined)
      .map((k) => `--${k.toLowerCase().replace(/_/g, "-")} ${values[k]}`)
      .join(", ");
  const structural = structureProblems(model, values, vars);
  if (structural.length) return structural;
  const problems: string[] = [];
  for (const raw of model.objects ?? []) {
    const name = (raw.metadata as { name?: unknown } | undefined)?.name;
    if (typeof name === "string") {
      const applied = substituteString(name, vars);
      if (applied.length > 253 || !DNS_SUBDOMAIN.test(applied))
        problems.push(
          `${flagsIn(name) || "the values"}: the ${String(raw.kind)} would be named "${applied}", which is not a Kubernetes name (lower-case letters, digits, '-' and '.')${/[A-Z]/.test(applied) ? ": write the value in lower case" : ""}`,
        );
    }
  }
  for (const p of checkAgainstCrds(model.crds ?? [], model.objects ?? [], vars))
    problems.push(`${flagsIn(p.raw) || "the values"}: ${p.message}`);
  return problems;
}
