/**
 * The one argument layer of every CLI: a command is described once (`CommandSpec`: positionals,
 * subcommands, options with their default and help text) and that description drives the parser
 * (Node's `util.parseArgs`, strict), `--help`/`-h`, the usage printed on a mistake (with the closest
 * valid option or subcommand) and the generated docs/cli.md. It never prints or exits: the CLIs do.
 */
import { statSync, type Stats } from "node:fs";
import { parseArgs } from "node:util";
import { closest } from "../../components/problems";

export { closest, editDistance } from "../../components/problems";

export interface OptionSpec {
  type: "string" | "boolean";
  /** What the user writes after a string option, e.g. `<dir>`. */
  value?: string;
  short?: string;
  description: string;
  /** The default as the user sees it; booleans are off unless given. */
  default?: string;
  /** The subcommands it applies to (commands with subcommands); all when absent. */
  only?: readonly string[];
  /** Must be given (shown in the synopsis; the command checks it). */
  required?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
  /** Shown in the help of an optional positional. */
  default?: string;
  /** Takes every remaining argument (the last positional only). */
  variadic?: boolean;
}

export interface CommandSpec {
  /** The npm script: `render`, `gitops:lint`, … */
  name: string;
  /** How a user starts it. @default `npm run <name> --` */
  invocation?: string;
  /** One line: what it does. */
  summary: string;
  /** Subcommands (the first positional) and what each does. */
  subcommands?: Readonly<Record<string, string>>;
  positionals?: readonly PositionalSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Options the command accepts beyond `options` (e.g. a slice model's `--<variable> <value>`), for the help. */
  freeOptions?: { usage: string; description: string };
  /** Extra paragraphs of the help. */
  notes?: readonly string[];
}

/** Wrong arguments: the message, then the command's usage; exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export type ParsedValues = Record<string, string | boolean | undefined>;

export type Parsed =
  { help: true } | { help: false; subcommand?: string; positionals: string[]; values: ParsedValues };

const HELP: OptionSpec = { type: "boolean", short: "h", description: "print this help and exit" };

/** The options of a command, `--help` included. */
export function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, help: HELP };
}

const invocation = (spec: CommandSpec) => spec.invocation ?? `npm run ${spec.name} --`;

function optionLabel(name: string, o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "<value>"}` : ""}`;
}

function defaultOf(o: OptionSpec): string {
  return o.required ? "required" : o.type === "boolean" ? (o.default ?? "off") : (o.default ?? "none");
}

function optionText(o: OptionSpec): string {
  if (o === HELP) return o.description;
  const only = o.only ? `; ${o.only.join(", ")} only` : "";
  return `${o.description} (default: ${defaultOf(o)}${only})`;
}

/** The synopsis line. */
export function synopsis(spec: CommandSpec): string {
  const parts = [invocation(spec)];
  if (spec.subcommands) parts.push(`<${Object.keys(spec.subcommands).join("|")}>`);
  for (const p of spec.positionals ?? [])
    parts.push(p.optional && !p.name.startsWith("[") ? `[${p.name}]` : p.name);
  for (const [n, o] of Object.entries(spec.options)) if (o.required) parts.push(optionLabel(n, o));
  parts.push("[options]");
  if (spec.freeOptions) parts.push(spec.freeOptions.usage);
  return `usage: ${parts.join(" ")}`;
}

function table(rows: [string, string][]): string[] {
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)));
  return rows.map(([l, t]) =>
    l.length > width ? `  ${l}\n  ${" ".repeat(width)}  ${t}` : `  ${l.padEnd(width)}  ${t}`,
  );
}

/** The full help: synopsis, summary, arguments, every option with its default. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [synopsis(spec), "", spec.summary];
  if (spec.subcommands) lines.push("", "subcommands:", ...table(Object.entries(spec.subcommands)));
  if (spec.positionals?.length)
    lines.push(
      "",
      "arguments:",
      ...table(
        spec.positionals.map((p) => [
          p.name,
          p.description + (p.optional ? ` (default: ${p.default ?? "none"})` : ""),
        ]),
      ),
    );
  const rows = Object.entries(allOptions(spec)).map(([n, o]): [string, string] => [
    optionLabel(n, o),
    optionText(o),
  ]);
  if (spec.freeOptions)
    rows.splice(rows.length - 1, 0, [spec.freeOptions.usage, spec.freeOptions.description]);
  lines.push("", "options:", ...table(rows));
  for (const n of spec.notes ?? []) lines.push("", n);
  return lines.join("\n");
}

/** Markdown text: `<name>` placeholders shown, not taken for HTML; pipes escaped for tables. */
const text = (s: string) => s.replace(/</g, "&lt;").replace(/>/g, "&gt;");
const cell = (s: string) => text(s).replace(/\|/g, "\\|");
/** Markdown code in a table cell. */
const code = (s: string) => `\`${s.replace(/\|/g, "\\|")}\``;

/** A Markdown table with padded columns (as Prettier lays it out). */
function mdTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ""];
}

/** The command's section of docs/cli.md, from the same spec as the help. */
export function formatMarkdown(spec: CommandSpec): string {
  const title = invocation(spec).replace(/ --$/, "");
  const lines = [`## \`${title}\``, "", text(spec.summary), "", "```", synopsis(spec), "```", ""];
  if (spec.subcommands)
    lines.push(
      ...mdTable(
        ["subcommand", "what it does"],
        Object.entries(spec.subcommands).map(([n, d]) => [code(n), cell(d)]),
      ),
    );
  if (spec.positionals?.length)
    lines.push(
      ...mdTable(
        ["argument", "meaning", "default"],
        spec.positionals.map((p) => [
          code(p.name),
          cell(p.description),
          p.optional ? code(p.default ?? "none") : "required",
        ]),
      ),
    );
  const rows = Object.entries(allOptions(spec)).map(([n, o]) => [
    code(optionLabel(n, o)),
    cell(o.description) + (o.only ? ` (${o.only.join(", ")} only)` : ""),
    o === HELP ? "" : code(defaultOf(o)),
  ]);
  if (spec.freeOptions) rows.push([code(spec.freeOptions.usage), cell(spec.freeOptions.description), ""]);
  lines.push(...mdTable(["option", "meaning", "default"], rows));
  for (const n of spec.notes ?? []) lines.push(text(n), "");
  return lines.join("\n");
}

/** The option name a token refers to (`--out=x` → `out`, `-h` → `h`), or undefined for a value. */
function optionName(token: string): string | undefined {
  if (!token.startsWith("-") || token === "-" || /^-\d/.test(token)) return undefined;
  return token.replace(/^--?/, "").split("=")[0];
}

/**
 * Parse `argv` against `spec`. `--help`/`-h` anywhere wins. Throws UsageError (with the usage) for an
 * unknown option (naming the closest valid one), a missing or surplus value, an option given twice,
 * an option that does not apply to the subcommand, and a wrong number of positionals.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options = allOptions(spec);
  const usage = formatHelp(spec);
  const fail = (message: string): never => {
    throw new UsageError(message, usage);
  };
  const end = argv.indexOf("--");
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.includes("--help") || flags.includes("-h")) return { help: true };
  const names = Object.keys(options);
  const shorts = new Map(Object.entries(options).flatMap(([n, o]) => (o.short ? [[o.short, n]] : [])));
  for (const token of flags) {
    const name = optionName(token);
    if (name === undefined) continue;
    const known = token.startsWith("--") ? names.includes(name) : shorts.has(name);
    if (!known) {
      const near = closest(name, names);
      fail(
        `unknown option ${token.split("=")[0]}${near ? `: did you mean --${near}?` : ` (${spec.name} takes ${names.map((n) => `--${n}`).join(", ")})`}`,
      );
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: Object.fromEntries(
        Object.entries(options).map(([n, o]) => [
          n,
          { type: o.type, ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
    });
  } catch (e) {
    const name = /'(?:-\w, )?--([\w-]+)/.exec((e as Error).message)?.[1];
    const o = name ? options[name] : undefined;
    if (name && o?.type === "string") fail(`--${name} needs a value: --${name} ${o.value ?? "<value>"}`);
    if (name && o?.type === "boolean") fail(`--${name} takes no value: write --${name} alone`);
    return fail((e as Error).message);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    if (seen.has(t.name)) fail(`--${t.name} is given twice: give it once`);
    seen.add(t.name);
    if (t.value === "") fail(`--${t.name} is empty: --${t.name} ${options[t.name].value ?? "<value>"}`);
  }
  const positionals = [...parsed.positionals];
  let subcommand: string | undefined;
  if (spec.subcommands) {
    const subs = Object.keys(spec.subcommands);
    const first = positionals.shift();
    if (first === undefined) fail(`missing subcommand: one of ${subs.join(", ")}`);
    else if (!subs.includes(first)) {
      const near = closest(first, subs);
      fail(
        `unknown subcommand "${first}"${near ? `: did you mean ${near}?` : ""} (one of ${subs.join(", ")})`,
      );
    }
    subcommand = first;
    for (const [n, o] of Object.entries(spec.options))
      if (o.only && parsed.values[n] !== undefined && !o.only.includes(first!))
        fail(`--${n} does not apply to ${first} (only to ${o.only.join(", ")})`);
  }
  const declared = spec.positionals ?? [];
  const required = declared.filter((p) => !p.optional).length;
  if (positionals.length < required)
    fail(
      `missing ${declared
        .slice(positionals.length, required)
        .map((p) => p.name)
        .join(" ")}`,
    );
  if (positionals.length > declared.length && !declared.at(-1)?.variadic) {
    const extra = positionals.slice(declared.length).map((p) => `"${p}"`);
    const takes = declared.length
      ? declared.map((p) => p.name).join(" ")
      : `${spec.subcommands ? "one subcommand and " : ""}options only`;
    fail(`unexpected argument${extra.length > 1 ? "s" : ""} ${extra.join(" ")}: ${spec.name} takes ${takes}`);
  }
  return { help: false, subcommand, positionals, values: parsed.values as ParsedValues };
}

/** A path or value the user gave that cannot be used (it does not exist, wrong kind): exit 1. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** An existing folder given with `option`, or InputError naming it and the fix. */
export function existingDir(dir: string, option: string, what: string): string {
  let stat: Stats | undefined;
  try {
    stat = statSync(dir);
  } catch {
    stat = undefined;
  }
  if (!stat) throw new InputError(`${option} ${dir}: no such folder: give the ${what}`);
  if (!stat.isDirectory()) throw new InputError(`${option} ${dir} is a file: give the ${what} (a folder)`);
  return dir;
}
