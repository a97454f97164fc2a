/** A catalog model of slices as the scaffolder reads it, the id of an instance, and the scaffolder's error. */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLUSTER_VARS } from "../../../components/flux/clusterVars";
import { buildPath } from "../shared/build";
import { crdSchemas, type CrdSchema } from "./crdSchema";
import { asK8s, ManifestCache } from "../shared/manifests";

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

/** The id of an instance: `<SST>-<SD>` (the names are `slice-<id>` and `slice-vars-<id>`). */
export function sliceId(values: Record<string, string>): string {
  return `${values.SST}-${values.SD}`.toLowerCase();
}
