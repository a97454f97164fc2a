/**
 * `gitops:new-slice`: scaffold one slice instance (a Kustomization of a catalog model and its
 * ConfigMap `slice-vars-<id>`) in `clusters/<platform>/slices/<id>/`, with names derived from the
 * values, refusing values the model does not use and variables it needs that have none.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLUSTER_VARS } from "../../../components/flux/clusterVars";
import { buildPath } from "../shared/build";
import { crdSchemas, checkAgainstCrds, type CrdSchema } from "./crdSchema";
import { asK8s, ManifestCache } from "../shared/manifests";
import { Document, parse, Scalar, stringify, type YAMLMap } from "yaml";
import { hasControlCharacter, MAX_YAML_ALIASES } from "../shared/sandbox";
import { substituteString, VARIABLE_NAME } from "../shared/substitution";

/** A user error of the scaffolder: every problem at once. */
export class ScaffoldError extends Error {}

export const CATALOG_DIR = "catalog/slices";
/** Keys of the instance ConfigMap that describe it and are never substituted. */
export const INFO_PREFIX = "info_";

export interface SliceModel {
  name: string;
  /** Repository-relative directory, e.g. `catalog/slices/embb`. */
  dir: string;
  /** Variables without a default: each instance must give them. */
  required: string[];
  /** Variables of the cluster-vars contract (PLATFORM_NAME, …): the platform gives them, not the instance. */
  fromClusterVars?: string[];
  /** Variables with a default, and the default. */
  optional: Record<string, string>;
  /** The model's Slice objects (apiVersion and name template), the instance's health checks. */
  slices: { apiVersion: string; kind: string; name: string }[];
  /** The model's objects as written (with their `${…}`), to check an instance's values against. */
  objects?: Record<string, unknown>[];
  /** The repository's CRD schemas for the model's custom resources. */
  crds?: CrdSchema[];
}

/** Read a catalog model: the variables its templates use and its Slice objects. */
export function readSliceModel(repoDir: string, model: string): SliceModel {
  const dir = `${CATALOG_DIR}/${model}`;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(model) || !fs.existsSync(path.join(repoDir, dir))) {
    const known = fs.existsSync(path.join(repoDir, CATALOG_DIR))
      ? fs.readdirSync(path.join(repoDir, CATALOG_DIR)).sort()
      : [];
    throw new ScaffoldError(
      `unknown slice model "${model}": the catalog (${CATALOG_DIR}/) has ${known.join(", ") || "no models"}`,
    );
  }
  const built = buildPath(new ManifestCache(repoDir), dir, { file: dir, line: 1, what: "model" });
  if (built.findings.length)
    throw new ScaffoldError(
      `model ${model} does not build: ${built.findings.map((f) => `${f.file}:${f.line}: ${f.message}`).join("; ")}`,
    );
  const required = new Set<string>();
  const optional: Record<string, string> = {};
  const slices: SliceModel["slices"] = [];
  for (const doc of built.docs) {
    for (const use of doc.variables) {
      const m = /^\$\{([_a-zA-Z][_a-zA-Z0-9]*):?[-=](.*)\}$/s.exec(use.text);
      if (use.hasDefault && m) optional[m[1]] = m[2];
      else if (!use.invalid) required.add(use.name);
    }
    const obj = asK8s(doc);
    if (obj?.kind === "Slice")
      slices.push({ apiVersion: obj.apiVersion, kind: obj.kind, name: String(obj.metadata.name) });
  }
  for (const k of required) delete optional[k];
  const fromClusterVars = [...required].filter((k) => k in CLUSTER_VARS).sort();
  for (const k of fromClusterVars) required.delete(k);
  const objects = built.docs.map((d) => d.object);
  return {
    name: model,
    dir,
    required: [...required].sort(),
    fromClusterVars,
    optional,
    slices,
    objects,
    crds: crdSchemas(repoDir, objects),
  };
}

/** An RFC 1123 subdomain: object names. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface ScaffoldInput {
  cluster: string;
  model: SliceModel;
  values: Record<string, string>;
  /** Namespace the model's objects go to (must exist; `apps` creates `slices`). */
  namespace?: string;
  /** Kustomization the instance waits for. */
  dependsOn?: string;
  /** The kind of the platform's root source `flux-system` (see rootSourceKindInTree). @default GitRepository */
  sourceKind?: "GitRepository" | "OCIRepository";
  /** The command line, recorded in the files. */
  command?: string;
}

export interface ScaffoldedFile {
  /** Repository-relative path. */
  path: string;
  content: string;
}

/** The id of an instance: `<SST>-<SD>` (the names are `slice-<id>` and `slice-vars-<id>`). */
export function sliceId(values: Record<string, string>): string {
  return `${values.SST}-${values.SD}`.toLowerCase();
}

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
      if (!DNS_SUBDOMAIN.test(applied))
        problems.push(
          `${flagsIn(name) || "the values"}: the ${String(raw.kind)} would be named "${applied}", which is not a Kubernetes name (lower-case letters, digits, '-' and '.')${/[A-Z]/.test(applied) ? ": write the value in lower case" : ""}`,
        );
    }
  }
  for (const p of checkAgainstCrds(model.crds ?? [], model.objects ?? [], vars))
    problems.push(`${flagsIn(p.raw) || "the values"}: ${p.message}`);
  return problems;
}

/** One YAML file: the comment lines, then the object (strings plain where YAML reads them back as written). */
function yamlFile(comment: string, object: Record<string, unknown>): string {
  const doc = new Document(object);
  (doc.contents as YAMLMap).commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}

/** The instance's files; throws ScaffoldError on bad values. Deterministic: same input, same bytes. */
export function scaffoldSlice(input: ScaffoldInput): ScaffoldedFile[] {
  const { cluster, model, values } = input;
  checkSliceValues(model, values, cluster);
  const id = sliceId(values);
  const namespace = input.namespace ?? "slices";
  const dir = `clusters/${cluster}/slices/${id}`;
  // Comment lines (the command line holds the values) and the files are written by the yaml
  // library: a value is always one scalar, whatever it holds.
  const header = [
    ` Slice instance ${id} of platform ${cluster}: catalog model ${model.name} with the values of ConfigMap slice-vars-${id}.`,
    ...(input.command ? [` Generated by: ${input.command}`] : []),
  ].join("\n");
  const healthChecks = model.slices.map((s) => ({
    apiVersion: s.apiVersion,
    kind: s.kind,
    name: substituteString(s.name, values),
    namespace,
  }));
  const kustomization = yamlFile(header, {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: {
      name: `slice-${id}`,
      namespace: "flux-system",
      labels: { "catalog.platform.io/model": model.name },
    },
    spec: {
      interval: "10m",
      retryInterval: "1m",
      timeout: "2m",
      path: `./${model.dir}`,
      prune: true,
      sourceRef: { kind: input.sourceKind ?? "GitRepository", name: "flux-system" },
      targetNamespace: namespace,
      dependsOn: [{ name: input.dependsOn ?? "apps" }],
      ...(healthChecks.length ? { healthChecks } : {}),
      postBuild: {
        substituteFrom: [
          { kind: "ConfigMap", name: "cluster-vars" },
          { kind: "ConfigMap", name: `slice-vars-${id}` },
        ],
      },
      deletionPolicy: "WaitForTermination",
      serviceAccountName: "kustomize-controller",
    },
  });
  const data = Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((k) => [k, Object.assign(new Scalar(values[k]), { type: Scalar.QUOTE_DOUBLE })]),
  );
  const configMap = yamlFile(header, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `slice-vars-${id}`,
      namespace: "flux-system",
      labels: { "catalog.platform.io/model": model.name, "reconcile.fluxcd.io/watch": "Enabled" },
    },
    data,
  });
  return [
    { path: `${dir}/slice.yaml`, content: kustomization },
    { path: `${dir}/slice-vars.yaml`, content: configMap },
  ];
}
