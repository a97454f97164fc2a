/** The paths and addresses a kustomization names (what kustomize would load or fetch), each with where. */

/** A kustomization field that should be a list, as one (anything else names nothing). */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Every path or address a kustomization names, with where: what kustomize would load or fetch.
 */
export function kustomizationReferences(k: Record<string, unknown>): [string, (string | number)[]][] {
  const out: [string, (string | number)[]][] = [];
  for (const field of [
    "resources",
    "bases",
    "components",
    "crds",
    "configurations",
    "transformers",
    "generators",
    "validators",
  ])
    list(k[field]).forEach((e, i) => {
      if (typeof e === "string") out.push([e, [field, i]]);
    });
  list(k.replacements).forEach((r, i) => {
    const file = (r as { path?: unknown } | null)?.path;
    if (typeof file === "string") out.push([file, ["replacements", i, "path"]]);
  });
  const openapi = (k.openapi as { path?: unknown } | undefined)?.path;
  if (typeof openapi === "string") out.push([openapi, ["openapi", "path"]]);
  list(k.helmCharts).forEach((c, i) => {
    const repo = (c as { repo?: unknown } | null)?.repo;
    if (typeof repo === "string") out.push([repo, ["helmCharts", i, "repo"]]);
  });
  return [...out, ...patchAndGeneratorFiles(k)];
}

/** Files a kustomization names besides its resources: patches and generator inputs, with where. */
export function patchAndGeneratorFiles(k: Record<string, unknown>): [string, (string | number)[]][] {
  const out: [string, (string | number)[]][] = [];
  list(k.patches).forEach((p, i) => {
    const file = (p as { path?: unknown } | null)?.path;
    if (typeof file === "string") out.push([file, ["patches", i, "path"]]);
  });
  list(k.patchesJson6902).forEach((p, i) => {
    const file = (p as { path?: unknown } | null)?.path;
    if (typeof file === "string") out.push([file, ["patchesJson6902", i, "path"]]);
  });
  list(k.patchesStrategicMerge).forEach((p, i) => {
    if (typeof p === "string" && !p.includes("\n")) out.push([p, ["patchesStrategicMerge", i]]);
  });
  for (const gen of ["configMapGenerator", "secretGenerator"])
    list(k[gen]).forEach((g, i) => {
      const spec = (g ?? {}) as { files?: unknown; envs?: unknown; env?: unknown };
      list(spec.files).forEach((f, j) => {
        if (typeof f === "string") out.push([f.slice(f.indexOf("=") + 1), [gen, i, "files", j]]);
      });
      list(spec.envs).forEach((f, j) => {
        if (typeof f === "string") out.push([f, [gen, i, "envs", j]]);
      });
      if (typeof spec.env === "string") out.push([spec.env, [gen, i, "env"]]);
    });
  return out;
}
