/**
 * A Mermaid picture of a platform's tree: root source → root Kustomization → the Kustomizations it
 * applies → slices, with `dependsOn` as dashed edges.
 */
import type { KsNode, PlatformTree } from "./tree";

/** Mermaid node id of a Kustomization. */
function nodeId(n: KsNode): string {
  return `k_${`${n.namespace}_${n.name}`.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function label(n: KsNode): string {
  const path = n.external
    ? `source ${n.spec.sourceRef?.kind ?? "?"} ${n.spec.sourceRef?.name ?? "?"}`
    : (n.spec.path ?? "");
  return `"Kustomization ${n.name}<br/>${path}"`;
}

/** The flowchart (without the Markdown fence). */
export function treeFlowchart(tree: PlatformTree, sourceLabel = "GitRepository flux-system"): string {
  const lines = ["flowchart TD", `  src[("${sourceLabel}")]`, `  src --> ${nodeId(tree.root)}`];
  const ids = new Map(tree.nodes.map((n) => [`${n.namespace}/${n.name}`, nodeId(n)]));
  for (const n of tree.nodes) {
    const shape = n.spec.healthChecks?.some((h) => h.kind === "Slice") ? [`{{`, `}}`] : ["[", "]"];
    lines.push(`  ${nodeId(n)}${shape[0]}${label(n)}${shape[1]}`);
    for (const c of n.children) lines.push(`  ${nodeId(n)} --> ${nodeId(c)}`);
  }
  for (const n of tree.nodes)
    for (const d of n.spec.dependsOn ?? []) {
      const target = ids.get(`${d.namespace ?? n.namespace}/${d.name}`);
      if (target) lines.push(`  ${nodeId(n)} -. dependsOn .-> ${target}`);
    }
  return lines.join("\n");
}

/** tree.md: a title, the diagram, and how to read it. */
export function treeMarkdown(tree: PlatformTree, sourceLabel?: string): string {
  return [
    `# Flux tree of platform ${tree.context.platform}`,
    "",
    `Root Kustomization path \`${tree.context.rootPath}\`. Solid arrows: what applies what; dashed: \`dependsOn\`; hexagons: slice instances (health-checked Slices).`,
    "",
    "```mermaid",
    treeFlowchart(tree, sourceLabel),
    "```",
    "",
  ].join("\n");
}
