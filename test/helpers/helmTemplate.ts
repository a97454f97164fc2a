/**
 * `helm template` for the template subset the fleet's charts use, so a test can see the objects a
 * chart renders without a Helm binary: `{{ .Values.a.b }}`, `.Release.Name`, `.Release.Namespace`,
 * `.Chart.Name`, `if`/`else`/`end`, the functions quote, toYaml, nindent, indent, sha256sum, and
 * `include (print $.Template.BasePath "/file.yaml") .`; `{{-`/`-}}` trim as in Go templates. Any
 * other action throws, so a chart cannot outgrow what its tests render unnoticed. Values merge
 * like Helm's: maps deeply, everything else replaced.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);

/** Helm's value merge: maps deeply, anything else replaced. */
export function mergeValues(base: Rec, over: Rec): Rec {
  const out: Rec = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isRec(v) && isRec(base[k]) ? mergeValues(base[k], v) : v;
  return out;
}

interface Scope {
  Values: Rec;
  Release: { Name: string; Namespace: string };
  Chart: { Name: string };
  files: Record<string, string>;
}

const truthy = (v: unknown) =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === "" ||
    (Array.isArray(v) && !v.length) ||
    (isRec(v) && !Object.keys(v).length)
  );

function lookup(ref: string, scope: Scope): unknown {
  const parts = ref.replace(/^\$?\./, "").split(".");
  let v: unknown = scope;
  for (const p of parts) v = isRec(v) ? v[p] : undefined;
  return v;
}

function evaluate(expr: string, scope: Scope): unknown {
  const [head, ...pipes] = expr.split("|").map((s) => s.trim());
  let v: unknown;
  const include = /^include \(print \$\.Template\.BasePath "\/([^"]+)"\) \.$/.exec(head);
  const toYaml = /^toYaml (\S+)$/.exec(head);
  if (include) v = render(scope.files[include[1]] ?? throwError(`no template ${include[1]}`), scope);
  else if (toYaml) v = stringify(lookup(toYaml[1], scope)).trimEnd();
  else if (/^\$?\.[A-Za-z.]+$/.test(head)) v = lookup(head, scope);
  else throw new Error(`helmTemplate: unsupported expression "${head}"`);
  for (const p of pipes) {
    const [fn, arg] = p.split(/\s+/);
    if (fn === "quote") v = JSON.stringify(String(v ?? ""));
    else if (fn === "sha256sum") v = createHash("sha256").update(String(v)).digest("hex");
    else if (fn === "nindent" || fn === "indent") {
      const pad = " ".repeat(Number(arg));
      v =
        (fn === "nindent" ? "\n" : "") +
        String(v)
          .split("\n")
          .map((l) => pad + l)
          .join("\n");
    } else throw new Error(`helmTemplate: unsupported function "${fn}"`);
  }
  return v;
}

function throwError(message: string): never {
  throw new Error(`helmTemplate: ${message}`);
}

/** Render one template text. */
export function render(text: string, scope: Scope): string {
  const tokens = text.split(/(\{\{-?\s*[\s\S]*?\s*-?\}\})/);
  // Trim markers remove the whitespace beside them.
  for (let i = 1; i < tokens.length; i += 2) {
    if (tokens[i].startsWith("{{-")) tokens[i - 1] = tokens[i - 1].replace(/\s+$/, "");
    if (tokens[i].endsWith("-}}")) tokens[i + 1] = tokens[i + 1].replace(/^\s+/, "");
  }
  const out: string[] = [];
  const stack: { on: boolean; taken: boolean }[] = [];
  const active = () => stack.every((s) => s.on);
  tokens.forEach((t, i) => {
    if (i % 2 === 0) {
      if (active()) out.push(t);
      return;
    }
    const action = t.replace(/^\{\{-?\s*/, "").replace(/\s*-?\}\}$/, "");
    if (action.startsWith("if ")) {
      const on = active() && truthy(evaluate(action.slice(3), scope));
      stack.push({ on, taken: on });
    } else if (action === "else") {
      const top = stack[stack.length - 1] ?? throwError("else without if");
      top.on = !top.taken;
    } else if (action === "end") {
      if (!stack.pop()) throwError("end without if");
    } else if (active()) {
      const v = evaluate(action, scope);
      out.push(v === undefined || v === null ? "" : String(v));
    }
  });
  if (stack.length) throwError("if without end");
  return out.join("");
}

/** Every object a chart directory renders with these values over its values.yaml. */
export function helmTemplate(
  chartDir: string,
  opts: { releaseName: string; namespace: string; values?: Rec },
): Rec[] {
  const chart = parse(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as { name: string };
  const defaults = (parse(readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {}) as Rec;
  const dir = path.join(chartDir, "templates");
  const files = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => [f, readFileSync(path.join(dir, f), "utf8")]),
  );
  const scope: Scope = {
    Values: mergeValues(defaults, opts.values ?? {}),
    Release: { Name: opts.releaseName, Namespace: opts.namespace },
    Chart: { Name: chart.name },
    files,
  };
  return Object.keys(files)
    .sort()
    .flatMap((f) => parseAllDocuments(render(files[f], scope)).map((d) => d.toJSON() as Rec))
    .filter(isRec);
}
