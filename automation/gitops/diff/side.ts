/**
 * One platform's tree at one checkout, as gitops:diff compares it: every object as Flux applies it
 * (known variables substituted, targetNamespace set), by identity, and what kept it from building.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { treeContextOf, type PlatformContract } from "../shared/contract";
import { STOPS_BUILD } from "../shared/build";
import { identity, type Side } from "./compare";
import { KustomizeBuilder, type KustomizeTool } from "../shared/kustomize";
import { CLUSTER_SCOPED_KINDS, ManifestCache, type K8sLike } from "../shared/manifests";
import { substituteObject, substitutionDisabled } from "../shared/substitution";
import { variablesOf, walkTree, type BuiltObject, type KsNode } from "../shared/tree";

/** The walk's file cache and kustomize of each checkout, made once per run. */
export type Builders = Map<string, { cache: ManifestCache; builder: KustomizeBuilder }>;

/**
 * An object as kustomize-controller applies it: known variables substituted into the YAML text, which
 * is then parsed as YAML 1.1 (so `priority: ${P}` with P=7 is the number 7, as on the cluster).
 * Unknown variables (secret ones, or keys without a value) stay as written.
 */
function asFluxApplies(built: BuiltObject, vars: Record<string, string | undefined> | undefined): K8sLike {
  const known = Object.fromEntries(
    Object.entries(vars ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (!vars || substitutionDisabled(built.obj.metadata)) return { ...built.obj };
  try {
    const parsed = substituteObject(built.doc.object as K8sLike, known);
    return parsed && typeof parsed === "object" ? { ...parsed, metadata: parsed.metadata ?? {} } : built.obj;
  } catch {
    return { ...built.obj };
  }
}

/** One platform's tree at one checkout: its objects by identity, and what kept it from building. */
export function buildSide(
  checkout: string,
  builders: Builders,
  tool: KustomizeTool,
  contract: PlatformContract,
  cacheRoot?: string,
): Side & { kustomizeFailed?: boolean } {
  const b = builderOf(checkout, builders, tool, cacheRoot);
  const side: Side & { kustomizeFailed?: boolean } = { objects: new Map(), problems: [] };
  if (!fs.existsSync(path.join(checkout, contract.rootPath))) {
    side.problems.push(`${contract.rootPath} does not exist`);
    return side;
  }
  const tree = walkTree(b.cache, treeContextOf(contract), b.builder);
  for (const f of [...tree.unparsed, ...tree.findings])
    if (["kustomize", ...STOPS_BUILD].includes(f.rule))
      side.problems.push(`${f.file}:${f.line}: ${f.message}`);
  if (tree.findings.some((f) => f.rule === "kustomize")) side.kustomizeFailed = true;
  const appliedBy = (n: KsNode) => `${n.namespace}/${n.name}`;
  for (const node of tree.nodes)
    for (const built of node.built) {
      const applied = asFluxApplies(built, variablesOf(node, tree));
      const meta = applied.metadata;
      const namespace = CLUSTER_SCOPED_KINDS.has(applied.kind)
        ? ""
        : String(node.spec.targetNamespace ?? meta.namespace ?? "");
      // As Flux applies it: targetNamespace set on every namespaced object.
      const object = namespace ? { ...applied, metadata: { ...meta, namespace } } : applied;
      const o = {
        apiVersion: applied.apiVersion,
        kind: applied.kind,
        namespace,
        name: String(meta.name ?? ""),
        appliedBy: appliedBy(node),
        file: built.doc.file,
        object,
      };
      side.objects.set(identity(o), o);
    }
  return side;
}

export function builderOf(checkout: string, builders: Builders, tool: KustomizeTool, cacheRoot?: string) {
  let b = builders.get(checkout);
  if (!b) {
    b = { cache: new ManifestCache(checkout), builder: new KustomizeBuilder(checkout, tool, cacheRoot) };
    builders.set(checkout, b);
  }
  return b;
}
