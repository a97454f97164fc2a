import { promises as fs } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { RenderResult } from "./index";
import { describeRef } from "../../components/flux/render";
import { describeFleetRepo, type FleetRepoReport } from "./fleetRepo";
import { replaceOutputDir, type OutputDirOptions } from "./output";
import { redactUrl } from "../../components/url";

/** A file name segment from an object's kind and name. */
const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");

/**
 * The short summary printed after a render and saved as summary.txt. Deterministic: the same render
 * gives the same bytes (no duration, no output path: the CLI prints those on the terminal only).
 */
export function summarize(r: RenderResult): string {
  const counts = new Map<string, number>();
  for (const res of r.resources) counts.set(res.type, (counts.get(res.type) ?? 0) + 1);
  const width = Math.max(...[...counts.keys()].map((k) => k.length));
  const src = r.config.flux.source;
  const vars = r.outputs.clusterVars as Record<string, string> | undefined;
  const lines = [
    `render ${r.stack}: ${r.resources.length} resources, ${r.objects.length} Kubernetes objects`,
    ...[...counts.entries()].sort().map(([t, n]) => `  ${t.padEnd(width)}  ${n}`),
    `root source: ${src.kind === "git" ? "GitRepository" : "OCIRepository"} ${redactUrl(src.url)} (${describeRef(src.ref)}), path ${String(r.outputs.rootPath)}`,
    `flux install: ${r.config.flux.install.mode}, Flux ${r.config.flux.version}` +
      (r.unfetched.length
        ? `; manifests from ${r.unfetched.map((u) => u.url).join(", ")} (not fetched offline; transformed at deploy time)`
        : ""),
    `cluster-vars: ${Object.keys(vars ?? {})
      .sort()
      .join(", ")}`,
  ];
  if (r.secretOutputs.length) lines.push(`secret outputs (redacted): ${r.secretOutputs.join(", ")}`);
  return lines.join("\n");
}

/**
 * Write `render/<stack>/`: Kubernetes objects as YAML, resources.json, outputs.json, summary.txt, and
 * tree.md when the fleet repository was checked. The folder is replaced only when it is ours (see
 * ./output): a folder holding anything else is refused with OutputError before anything is written.
 * Returns the summary.
 */
export async function writeRender(
  r: RenderResult,
  outDir: string,
  fleet?: FleetRepoReport,
  where: OutputDirOptions = { option: "--out" },
): Promise<string> {
  const summary = [summarize(r), ...(fleet ? describeFleetRepo(fleet) : [])].join("\n");
  await replaceOutputDir(outDir, "npm run render", where, async (dir) => {
    const used = new Set<string>();
    for (const { object } of r.objects) {
      const sub = path.join(dir, "k8s", slug(object.metadata.namespace ?? "_cluster"));
      let file = path.join(sub, `${slug(object.kind)}.${slug(object.metadata.name)}.yaml`);
      for (let i = 2; used.has(file); i++)
        file = path.join(sub, `${slug(object.kind)}.${slug(object.metadata.name)}.${i}.yaml`);
      used.add(file);
      await fs.mkdir(sub, { recursive: true });
      await fs.writeFile(file, stringify(object, { lineWidth: 0 }));
    }
    await fs.writeFile(path.join(dir, "resources.json"), JSON.stringify(r.resources, null, 2) + "\n");
    await fs.writeFile(path.join(dir, "outputs.json"), JSON.stringify(r.outputs, null, 2) + "\n");
    if (fleet?.tree) await fs.writeFile(path.join(dir, "tree.md"), fleet.tree);
    await fs.writeFile(path.join(dir, "summary.txt"), summary + "\n");
  });
  return summary;
}
