/**
 * Generates the schema reference in docs/configuration.md from program/schema (zod → JSON Schema).
 * `npm run docs:config` rewrites the part between the markers; test/unit/docs/configReference.test.ts
 * fails when the page and the schema differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { platformSchema } from "../../program/schema/platform";

export const PAGE = join(__dirname, "..", "..", "docs", "configuration.md");
export const REGENERATE = "npm run docs:config";
export const BEGIN = "<!-- BEGIN GENERATED: schema reference (npm run docs:config); do not edit by hand -->";
export const END = "<!-- END GENERATED -->";

type JsonSchema = {
  type?: string | string[];
  description?: string;
  secret?: boolean;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

type Row = { path: string; type: string; required: string; default: string; meaning: string };

const code = (v: unknown) => "`" + (typeof v === "string" ? v : JSON.stringify(v)) + "`";
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A short type description: allowed values, bounds, pattern. */
function typeOf(s: JsonSchema): string {
  if (s.secret) return "secret string";
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(", ");
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return alts.map(typeOf).join(" or ");
  const t = Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any");
  const bounds: string[] = [];
  if (s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER) bounds.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined && s.minLength > 1) bounds.push(`length ≥ ${s.minLength}`);
  if (s.maxLength !== undefined) bounds.push(`length ≤ ${s.maxLength}`);
  if (s.minItems !== undefined) bounds.push(`≥ ${s.minItems} items`);
  if (s.maxItems !== undefined) bounds.push(`≤ ${s.maxItems} items`);
  if (t === "array" && s.items)
    return `list of ${typeOf(s.items)}${bounds.length ? ` (${bounds.join(", ")})` : ""}`;
  if (t === "object" && !s.properties && typeof s.additionalProperties === "object")
    return `map of string → ${typeOf(s.additionalProperties)}`;
  return bounds.length ? `${t} (${bounds.join(", ")})` : t;
}

function meaning(s: JsonSchema, path: string): string {
  const sentence = (t: string) => (/[.!?)]$/.test(t) ? t : `${t}.`);
  const command = (p: string) =>
    `\`pulumi config set --secret --path 'platform:${p.replace(/\[\]/g, "[0]")}' <value>\``;
  const parts: string[] = [];
  if (s.description) parts.push(sentence(s.description));
  if (s.pattern) parts.push(`Must match ${code(s.pattern)}.`);
  if (s.examples?.length) parts.push(`Example: ${s.examples.map(code).join(", ")}.`);
  if (s.secret) parts.push(`Secret: ${command(path)}.`);
  if (typeof s.additionalProperties === "object" && s.additionalProperties.secret)
    parts.push(`Values are secrets: ${command(`${path}.<name>`)}.`);
  return parts.join(" ");
}

/** Flattens an object schema into rows; objects with properties are walked, not listed as one row. */
function walk(s: JsonSchema, prefix: string, rows: Row[], requiredHere: boolean): void {
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = (s.required ?? []).includes(key) && child.default === undefined && requiredHere;
    const target = child.type === "array" && child.items?.properties ? child.items : child;
    rows.push({
      path: child === target ? path : `${path}[]`,
      type: typeOf(child),
      required: required ? "required" : "optional",
      default: child.default === undefined ? "—" : code(child.default),
      meaning: meaning(child, path),
    });
    const alts = (target.oneOf ?? target.anyOf ?? []).filter((a) => a.properties);
    for (const alt of alts) walk(alt, path, rows, true);
    if (target.properties) walk(target, child === target ? path : `${path}[]`, rows, true);
    else if (typeof target.additionalProperties === "object" && target.additionalProperties.properties)
      walk(target.additionalProperties, `${path}.<name>`, rows, true);
  }
}

/** A Markdown table with padded columns, as prettier lays it out (so `prettier --check` passes). */
function table(rows: Row[]): string {
  const cells = [
    ["key", "type", "required", "schema default", "meaning"],
    ...rows.map((r) => [code(r.path), r.type, r.required, r.default, r.meaning].map(cell)),
  ];
  const widths = cells[0].map((_, i) => Math.max(3, ...cells.map((row) => [...row[i]].length)));
  const line = (row: string[]) =>
    `| ${row.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ")} |`;
  return [line(cells[0]), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

/** The generated part of the page (between BEGIN and END). */
export function renderReference(): string {
  const root = z.toJSONSchema(platformSchema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  }) as JsonSchema;
  const out: string[] = ["## Schema reference", ""];
  out.push(
    "Generated from `program/schema` (every key, its type, whether it is required, its default and its",
    "allowed values). `platform:` keys are given without the namespace. `—` means the schema sets no",
    "default: defaults the components apply (EKS and bare metal) are in the tables above.",
    "",
  );
  const scalars: Row[] = [];
  const scalarOnly: JsonSchema = { properties: {}, required: root.required };
  for (const [key, child] of Object.entries(root.properties ?? {}))
    if (!child.properties && !child.oneOf) scalarOnly.properties![key] = child;
  walk(scalarOnly, "", scalars, true);
  out.push("### Platform identity", "", table(scalars), "");
  for (const [key, child] of Object.entries(root.properties ?? {})) {
    if (child.oneOf && child.oneOf.every((k) => k.properties?.kind?.const !== undefined)) {
      for (const kind of child.oneOf) {
        const rows: Row[] = [];
        walk(kind, key, rows, true);
        out.push(`### \`${key}\` — \`kind: ${String(kind.properties!.kind.const)}\``, "");
        if (kind.description) out.push(kind.description, "");
        out.push(table(rows), "");
      }
    } else if (child.properties) {
      const rows: Row[] = [];
      walk(child, key, rows, true);
      const required = (root.required ?? []).includes(key) ? "required" : "optional";
      out.push(`### \`${key}\` (${required})`, "");
      if (child.description) out.push(child.description, "");
      out.push(table(rows), "");
    }
  }
  return out.join("\n").trimEnd();
}

/** The whole page with the generated part replaced. */
export function renderPage(current: string): string {
  const b = current.indexOf(BEGIN);
  const e = current.indexOf(END);
  const body = `${BEGIN}\n\n${renderReference()}\n\n${END}`;
  if (b < 0 || e < b) return `${current.trimEnd()}\n\n${body}\n`;
  return current.slice(0, b) + body + current.slice(e + END.length);
}

if (require.main === module) {
  const current = readFileSync(PAGE, "utf8");
  writeFileSync(PAGE, renderPage(current));
  console.log(`wrote ${PAGE}`);
}
