/**
 * Generates docs/configuration.md, the configuration reference, from the zod schema in stacks/schema
 * (`z.toJSONSchema`: each field's `.meta({ description })`, its schema default, its type and limits).
 * `npm run docs:config` rewrites the whole page; test/unit/docs/configReference.test.ts fails when
 * the page and the schema differ, and when a leaf field has no description.
 *
 * Meta keys read here besides JSON Schema's own: `secret` (set by `secret()`: the value must be a
 * `secure:` config value) and `componentDefault` (the default the component applies when the schema
 * sets none; always a value read from the component's exported DEFAULTS, never a copy).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as markdown from "prettier/plugins/markdown";
import type { Options } from "prettier";
import * as prettier from "prettier/standalone";
import { z } from "zod";
import { platformSchema } from "../../stacks/schema/platform";

export const PAGE = join(__dirname, "..", "..", "docs", "configuration.md");
export const REGENERATE = "npm run docs:config";
export const GENERATED_NOTE = `<!-- Generated from stacks/schema by \`${REGENERATE}\`: do not edit by hand. -->`;

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  secret?: boolean;
  componentDefault?: unknown;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  propertyNames?: JsonSchema;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

/** One field of the configuration, as the page lists it. */
export interface Field {
  /** Config path without the `platform:` namespace; `[]` marks list items, `<name>` map keys. */
  path: string;
  schema: JsonSchema;
  required: boolean;
  /** Set when an ancestor is optional: the object (or list item) the field is required in. */
  within?: string;
  /** `mode: create` and the like: the field belongs to one alternative of a union. */
  variant?: string;
  /** Its own sub-fields are listed after it (an object, a list of objects, a map of objects). */
  hasChildren: boolean;
}

/** The platform configuration as JSON Schema (input side: what a stack file holds). */
export function platformJsonSchema(): JsonSchema {
  return z.toJSONSchema(platformSchema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
    // zod leaves out the default of anything holding a transform (`secret()`, `appId`) in input
    // mode; these defaults are plain values (`{}`, `[]`, `{type: "none"}`), so show them.
    override: ({ zodSchema, jsonSchema }) => {
      const def = (zodSchema as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod
        .def;
      if (def.type === "default" && jsonSchema.default === undefined)
        jsonSchema.default = JSON.parse(JSON.stringify(def.defaultValue)) as unknown;
    },
  }) as JsonSchema;
}

const code = (v: unknown) => {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  // A backtick inside would end the code span early: use a longer fence.
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
};
const sentence = (t: string) => (/[.!?)]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);

/** The union alternatives of a schema (zod's discriminated unions come out as oneOf, unions as anyOf). */
const alternatives = (s: JsonSchema) => s.oneOf ?? s.anyOf ?? [];

/** The key whose `const` tells a union's object alternatives apart (`kind`, `mode`, `type`). */
export function discriminator(s: JsonSchema): string | undefined {
  const alts = alternatives(s);
  if (alts.length < 2 || !alts.every((a) => a.properties)) return undefined;
  return Object.keys(alts[0].properties!).find((k) =>
    alts.every((a) => a.properties?.[k]?.const !== undefined),
  );
}

/** The map value schema of a record (`additionalProperties`), when it is one. */
const mapValue = (s: JsonSchema) =>
  !s.properties && typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;

/** Whether a field's value has fields of its own that the page lists. */
function structured(s: JsonSchema): boolean {
  if (s.properties || discriminator(s)) return true;
  if (s.items) return structured(s.items);
  const value = mapValue(s);
  return value !== undefined && structured(value);
}

/** Every field under `s` (at `prefix`), depth first, in schema order. */
export function fields(s: JsonSchema, prefix = "", optionalAbove = false, variant?: string): Field[] {
  const within = optionalAbove ? prefix : undefined;
  const out: Field[] = [];
  const disc = discriminator(s);
  if (disc) {
    const alts = alternatives(s);
    const path = prefix ? `${prefix}.${disc}` : disc;
    // Each alternative's literal describes that choice: `create`: …, `existing`: ….
    const descriptions = alts
      .map((a) => a.properties![disc].description)
      .filter((d): d is string => d !== undefined)
      .map(sentence);
    out.push({
      path,
      schema: {
        enum: alts.map((a) => a.properties![disc].const),
        description: descriptions.length ? descriptions.join(" ") : undefined,
        default: s.default !== undefined ? (s.default as Record<string, unknown>)[disc] : undefined,
      },
      required: s.default === undefined,
      within,
      variant,
      hasChildren: false,
    });
    for (const alt of alts) {
      const rest = { ...alt, properties: { ...alt.properties } };
      delete rest.properties[disc];
      out.push(...fields(rest, prefix, optionalAbove, `${disc}: ${String(alt.properties![disc].const)}`));
    }
    return out;
  }
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = (s.required ?? []).includes(key) && child.default === undefined;
    out.push({ path, schema: child, required, within, variant, hasChildren: structured(child) });
    out.push(...children(child, path, optionalAbove || !required, variant));
  }
  return out;
}

function children(s: JsonSchema, path: string, optionalAbove: boolean, variant?: string): Field[] {
  if (s.properties || discriminator(s)) return fields(s, path, optionalAbove, variant);
  // A list may be empty: what each item requires applies only to the items given.
  if (s.items && structured(s.items)) return children(s.items, `${path}[]`, true, variant);
  const value = mapValue(s);
  if (value && structured(value)) return children(value, `${path}.<name>`, true, variant);
  return [];
}

/** A short type: `string`, `integer ≥ 1`, `list of string`, `map of string → secret string`. */
export function typeOf(s: JsonSchema): string {
  if (s.secret) return "secret string";
  if (s.const !== undefined) return `${code(s.const)} (fixed)`;
  if (s.enum) return typeof s.enum[0] === "number" ? "number" : "string";
  const alts = alternatives(s);
  if (alts.length) return [...new Set(alts.map(typeOf))].join(" or ");
  const t = Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any value");
  const bounds: string[] = [];
  if (s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER) bounds.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined && s.minLength > 1) bounds.push(`at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) bounds.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) bounds.push(`at least ${s.minItems} ${s.minItems === 1 ? "item" : "items"}`);
  if (s.maxItems !== undefined) bounds.push(`at most ${s.maxItems} items`);
  const limits = bounds.length ? `, ${bounds.join(", ")}` : "";
  if (t === "array" && s.items) return `list of ${typeOf(s.items)}${limits}`;
  if (t === "object" && !s.properties && typeof s.additionalProperties === "object")
    return `map of string → ${typeOf(s.additionalProperties)}`;
  if (t === "object" && !s.properties) return "object (any keys)";
  return `${t}${limits}`;
}

/** Allowed values of the field itself, or of its list items. */
function allowed(s: JsonSchema): unknown[] | undefined {
  if (s.enum) return s.enum;
  if (s.items?.enum) return s.items.enum;
  return undefined;
}

/** The `pulumi config set` command for a secret at `path` (list items as index 0, map keys named). */
export function secretCommand(path: string): string {
  return `pulumi config set --secret --path 'platform:${path.replace(/\[\]/g, "[0]")}' <value>`;
}

/** One bullet of the page: path, type, required/optional, default, allowed values, description. */
export function fieldLine(f: Field): string {
  const s = f.schema;
  const facts: string[] = [];
  if (f.variant) facts.push(`with \`${f.variant}\``);
  facts.push(typeOf(s));
  facts.push(f.required ? (f.within ? `required in \`${f.within}\`` : "required") : "optional");
  // An object's own default is its fields' defaults, listed with them.
  if (s.default !== undefined && !(f.hasChildren && !Array.isArray(s.default)))
    facts.push(`default ${code(s.default)}`);
  else if (s.componentDefault !== undefined)
    facts.push(`default ${code(s.componentDefault)} (applied by the component)`);
  const values = allowed(s);
  if (values) facts.push(`${s.enum ? "one of" : "each one of"} ${values.map(code).join(", ")}`);
  const text: string[] = [];
  if (s.description) text.push(sentence(s.description));
  const pattern = s.pattern ?? s.items?.pattern ?? mapValue(s)?.pattern;
  if (pattern) text.push(`Must match ${code(pattern)}.`);
  if (s.propertyNames?.pattern) text.push(`Keys must match ${code(s.propertyNames.pattern)}.`);
  if (s.examples?.length) text.push(`Example: ${s.examples.map(code).join(", ")}.`);
  if (s.secret) text.push(`Secret: \`${secretCommand(f.path)}\`.`);
  const value = mapValue(s);
  if (value?.secret) text.push(`Values are secrets: \`${secretCommand(`${f.path}.<name>`)}\`.`);
  return `- **\`${f.path}\`** (${facts.join("; ")})${text.length ? ` — ${text.join(" ")}` : ""}`;
}

/**
 * Fields as bullets. Under a section (`root`), its direct fields without sub-fields come first; each
 * direct field with sub-fields then gets a heading `level` deep, followed by its sub-fields.
 */
function fieldList(list: Field[], root: string, level: number): string[] {
  const depth = (p: string) => p.split(/\.|\[\]/).filter(Boolean).length;
  const base = depth(root) + 1;
  const groups: Field[][] = [];
  for (const f of list) {
    if (depth(f.path) === base || groups.length === 0) groups.push([f]);
    else groups[groups.length - 1].push(f);
  }
  const simple = groups.filter((g) => !g[0].hasChildren);
  const nested = groups.filter((g) => g[0].hasChildren);
  const out = simple.flat().map(fieldLine);
  for (const [head, ...rest] of nested) {
    out.push("", `${"#".repeat(level)} \`${head.path}\``, "");
    if (head.schema.description) out.push(sentence(head.schema.description), "");
    out.push(fieldLine({ ...head, schema: { ...head.schema, description: undefined } }));
    out.push(...rest.map(fieldLine));
  }
  return out;
}

const INTRO = `# Configuration reference

${GENERATED_NOTE}

A platform is configured in its stack file, \`Pulumi.<stack>.yaml\`, under the \`platform:\` namespace.
Stack files hold values only: environments differ by values, never by code. This page lists every key
of that namespace, generated from the zod schema in \`stacks/schema\` (regenerate it with
\`${REGENERATE}\`; a unit test fails when the page and the schema differ).

How the program reads it:

- Every value is checked before any resource is created, and every problem is reported at once, with
  its path and how to fix it. Unknown keys are errors, so a typo never passes silently.
- Set nested values with \`pulumi config set --path 'platform:flux.sync.interval' 5m\`, or edit the
  YAML. Paths below are given without the \`platform:\` namespace; \`[]\` stands for every item of a
  list (\`[0]\` for the first one on the command line) and \`<name>\` for a key of a map you choose.
- Secret fields must be \`secure:\` values, set with \`pulumi config set --secret --path …\` (each one
  shows its command); a secret field stored in plain text is an error.
- "Required in \`x\`" means required in every \`x\` you give; leave \`x\` out and the field goes
  with it. A default "applied by the component" is filled in by the component when the key is
  absent (from the component's own \`DEFAULTS\`); the other defaults are filled in by the schema.
- The AWS region is not in this namespace: it is the provider's own key,
  \`pulumi config set aws:region eu-central-1\`. A platform uses AWS when \`cluster.kind\` is \`eks\`
  or \`dns\` or \`secrets\` is set.

Walk-throughs: [existing clusters](existing-cluster.md), [EKS and AWS](eks.md),
[bare metal](bare-metal.md), [Flux](flux.md), [the cluster-vars contract](cluster-vars.md),
[fleet rollouts](fleet.md).`;

/** The page's Markdown before prettier lays it out. */
export function renderMarkdown(root: JsonSchema = platformJsonSchema()): string {
  const out: string[] = [INTRO, ""];
  const top = Object.entries(root.properties ?? {});
  const identity = top.filter(([, s]) => !structured(s));
  out.push("## Platform identity", "");
  out.push("Scalars at the top of the namespace, declared in `Pulumi.yaml` and set in every stack file.", "");
  out.push(...fields({ properties: Object.fromEntries(identity), required: root.required }).map(fieldLine));
  for (const [key, s] of top.filter(([, v]) => structured(v))) {
    const required = (root.required ?? []).includes(key) && s.default === undefined;
    out.push("", `## \`${key}\``, "");
    if (s.description) out.push(sentence(s.description), "");
    const disc = discriminator(s);
    if (disc) {
      out.push(
        `\`${key}\` is ${required ? "required" : "optional"}. \`${key}.${disc}\` selects one of ${alternatives(
          s,
        )
          .map((a) => `\`${String(a.properties![disc].const)}\``)
          .join(", ")}; each has its own fields.`,
      );
      for (const alt of alternatives(s)) {
        const value = String(alt.properties![disc].const);
        out.push("", `### \`${disc}: ${value}\``, "");
        if (alt.description) out.push(sentence(alt.description), "");
        out.push(...fieldList(fields(alt, key), key, 4));
      }
    } else {
      const facts = [required ? "required" : "optional"];
      if (s.default !== undefined) facts.push(`default ${code(s.default)}`);
      out.push(`\`${key}\` is ${facts.join(", ")}.`, "");
      out.push(...fieldList(fields(s, key), key, 3));
    }
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}

/**
 * The whole page, laid out by prettier with the project's options (so `prettier --check` passes on
 * it). The standalone build: the Node one loads its plugins with a dynamic import, which Jest's
 * CommonJS runtime refuses.
 */
export async function renderPage(): Promise<string> {
  const options = JSON.parse(
    readFileSync(join(__dirname, "..", "..", ".prettierrc.json"), "utf8"),
  ) as Options;
  return prettier.format(renderMarkdown(), { ...options, parser: "markdown", plugins: [markdown] });
}

/** Leaf fields (no fields of their own) that have no description. */
export function undescribed(root: JsonSchema = platformJsonSchema()): string[] {
  return fields(root)
    .filter((f) => !f.hasChildren && !f.schema.description)
    .map((f) => (f.variant ? `${f.path} (${f.variant})` : f.path));
}

if (require.main === module) {
  void renderPage().then((page) => {
    const before = readFileSync(PAGE, "utf8");
    writeFileSync(PAGE, page);
    console.log(`${before === page ? "unchanged" : "wrote"} ${PAGE}`);
  });
}
