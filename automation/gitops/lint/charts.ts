/**
 * Chart sources of a platform's tree that pull a chart this repository publishes
 * (`npm run gitops:publish -- --charts-to`): an OCIRepository selecting Helm's chart layer whose URL
 * ends in `/<name>` of a `charts/<name>/Chart.yaml` here must follow that chart's version, or the
 * platform runs another chart than the one in the tag it applies (and a version never published
 * fails to pull).
 */
import { parse } from "yaml";
import type { Finding } from "../shared/manifests";
import { MAX_YAML_ALIASES, readRepoText } from "../shared/sandbox";
import type { PlatformTree } from "../shared/tree";

/** Helm's chart layer, as an OCIRepository's layerSelector names it. */
export const HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

interface OciSpec {
  url?: unknown;
  ref?: { tag?: unknown; semver?: unknown; digest?: unknown };
  layerSelector?: { mediaType?: unknown };
}

/** The version of `charts/<name>/Chart.yaml` in the repository, if there is such a chart. */
function chartVersion(repoDir: string, name: string): string | undefined {
  const read = readRepoText(repoDir, `charts/${name}/Chart.yaml`);
  if (!("text" in read)) return undefined;
  try {
    const v = (parse(read.text, { maxAliasCount: MAX_YAML_ALIASES }) as { version?: unknown } | null)
      ?.version;
    return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
  } catch {
    return undefined; // a broken Chart.yaml is the yaml rule's finding
  }
}

export function chartSourceFindings(tree: PlatformTree, repoDir: string): Finding[] {
  const out: Finding[] = [];
  for (const objs of tree.index.values())
    for (const o of objs) {
      if (o.obj.kind !== "OCIRepository" || !o.obj.apiVersion.startsWith("source.toolkit.fluxcd.io/"))
        continue;
      const spec = (o.obj.spec ?? {}) as OciSpec;
      if (spec.layerSelector?.mediaType !== HELM_CHART_LAYER || typeof spec.url !== "string") continue;
      const name = spec.url.replace(/\/+$/, "").split("/").pop() ?? "";
      const version = chartVersion(repoDir, name);
      if (version === undefined) continue;
      const tag = version.replace(/\+/g, "_");
      const id = `OCIRepository ${o.namespace}/${String(o.obj.metadata.name)}`;
      const finding = (p: string[], message: string) =>
        out.push({
          file: o.doc.file,
          line: o.doc.lineOf(p),
          rule: "chart",
          message,
          platform: tree.context.platform,
        });
      if (spec.ref?.tag === undefined)
        finding(
          ["spec", "ref"],
          `${id} pulls chart ${name} of this repository by ${spec.ref?.semver !== undefined ? "semver range" : "digest or latest"}: pin ref.tag ${tag} (charts/${name}/Chart.yaml), so a fleet tag applies the chart it holds and a rollback rolls the chart back`,
        );
      else if (String(spec.ref.tag) !== tag)
        finding(
          ["spec", "ref", "tag"],
          `${id} pulls chart ${name} at ${String(spec.ref.tag)}, but charts/${name}/Chart.yaml is version ${version}: set ref.tag ${tag} (and publish it with npm run gitops:publish -- --charts-to)`,
        );
    }
  return out;
}
