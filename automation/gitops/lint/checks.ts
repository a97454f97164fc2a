/**
 * Checks of one platform's tree: references (sources, dependsOn, substituteFrom, health checks),
 * dependsOn cycles, strict substitution, and tags for prod.
 */
import { cycleFindings } from "./cycles";
import { substitutionFindings } from "./variables";
import { tenantFindings } from "./tenants";
import type { Finding, ManifestDoc } from "../shared/manifests";
import { namePattern } from "../shared/substitution";
import {
  CLUSTER_SECRET_VARS_NAME,
  CLUSTER_VARS_NAME,
  ROOT,
  rootSourceKindOf,
  subsetOf,
  type BuiltObject,
  type KsNode,
  type PlatformTree,
} from "../shared/tree";

type At = { doc?: ManifestDoc; path: (string | number)[] };

function at(tree: PlatformTree, where: At, rule: string, message: string): Finding {
  const file = where.doc?.file ?? `${tree.context.rootPath.replace(/^\.\//, "")}/`;
  return {
    file,
    line: where.doc ? where.doc.lineOf(where.path) : 1,
    rule,
    message,
    platform: tree.context.platform,
  };
}

/** For a reference to `flux-system` of the other source kind: which kind the platform's root is. */
export function rootKindHint(
  tree: PlatformTree,
  ref: { kind?: string; name?: string; namespace?: string },
  chart = false,
): string {
  const root = rootSourceKindOf(tree.context);
  if (
    ref.name !== ROOT.name ||
    !["GitRepository", "OCIRepository"].includes(String(ref.kind)) ||
    ref.kind === root
  )
    return "";
  return `: the platform's root source is ${root} ${ROOT.name} (flux.source.kind ${root === "OCIRepository" ? "oci" : "git"}); ${chart && root === "OCIRepository" ? "a HelmChart cannot build from it: publish the chart (npm run gitops:publish -- --charts-to) and use chartRef to an OCIRepository of it (apps/network-functions/oci)" : `reference kind ${root}`}`;
}

/** Whether an object exists in the tree (or is provided by the program). */
export function exists(
  tree: PlatformTree,
  kind: string,
  namespace: string | undefined,
  name: string,
): boolean {
  if (kind === rootSourceKindOf(tree.context) && name === ROOT.name && namespace === ROOT.namespace)
    return true;
  if (kind === "Kustomization" && name === ROOT.name && namespace === ROOT.namespace) return true;
  if (subsetOf(tree.context, { kind, name, namespace }, ROOT.namespace)) return true;
  if (kind === "ConfigMap" && name === CLUSTER_VARS_NAME && namespace === ROOT.namespace) return true;
  if (kind === "Secret" && name === CLUSTER_SECRET_VARS_NAME && namespace === ROOT.namespace)
    return tree.context.secretVars !== undefined;
  for (const [k, objs] of tree.index) {
    const [kKind, kNs, kName] = k.split("/");
    if (kKind !== kind || (namespace !== undefined && kNs !== namespace)) continue;
    if (kName === name || (kName.includes("${") && objs.length && namePattern(kName).test(name))) return true;
  }
  return false;
}

/** Namespaces every cluster has, or that the program creates. */
const GIVEN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", ROOT.namespace];

/** Every `dependsOn` entry names an object of the same kind in the tree (same namespace by default). */
function dependsOnRefs(
  tree: PlatformTree,
  kind: "Kustomization" | "HelmRelease",
  from: { id: string; doc: ManifestDoc | undefined; namespace: string | undefined },
  dependsOn: { name?: string; namespace?: string }[] | undefined,
  out: Finding[],
) {
  (dependsOn ?? []).forEach((d, i) => {
    const ns = d.namespace ?? from.namespace;
    if (d.name && !exists(tree, kind, ns, d.name))
      out.push(
        at(
          tree,
          { doc: from.doc, path: ["spec", "dependsOn", i] },
          "reference",
          `${from.id}: dependsOn ${kind} ${ns}/${d.name} does not exist in the tree of ${tree.context.platform}`,
        ),
      );
  });
}

function kustomizationRefs(tree: PlatformTree, node: KsNode, out: Finding[]) {
  const spec = node.spec;
  const id = `Kustomization ${node.namespace}/${node.name}`;
  const target = spec.targetNamespace;
  if (target && !GIVEN_NAMESPACES.includes(target) && !exists(tree, "Namespace", undefined, target))
    out.push(
      at(
        tree,
        { doc: node.doc, path: ["spec", "targetNamespace"] },
        "reference",
        `${id}: targetNamespace ${target} is not created by any Kustomization of ${tree.context.platform}; Flux requires it to exist`,
      ),
    );
  const src = spec.sourceRef ?? {};
  if (src.kind && src.name && !exists(tree, src.kind, src.namespace ?? node.namespace, src.name))
    out.push(
      at(
        tree,
        { doc: node.doc, path: ["spec", "sourceRef"] },
        "reference",
        `${id}: sourceRef ${src.kind} ${src.namespace ?? node.namespace}/${src.name} does not exist in the tree of ${tree.context.platform}${rootKindHint(tree, src)}`,
      ),
    );
  dependsOnRefs(tree, "Kustomization", { id, doc: node.doc, namespace: node.namespace }, spec.dependsOn, out);
  (spec.postBuild?.substituteFrom ?? []).forEach((s, i) => {
    if (!exists(tree, s.kind, node.namespace, s.name))
      out.push(
        at(
          tree,
          { doc: node.doc, path: ["spec", "postBuild", "substituteFrom", i] },
          "reference",
          `${id}: substituteFrom ${s.kind} ${node.namespace}/${s.name} does not exist in the tree of ${tree.context.platform}${s.optional ? " (optional: its variables would have no value)" : ""}`,
        ),
      );
  });
  (spec.healthChecks ?? []).forEach((h, i) => {
    if (h.kind && h.name && !exists(tree, h.kind, h.namespace, h.name))
      out.push(
        at(
          tree,
          { doc: node.doc, path: ["spec", "healthChecks", i] },
          "reference",
          `${id}: health check target ${h.kind} ${h.namespace ? `${h.namespace}/` : ""}${h.name} is not applied by any Kustomization of ${tree.context.platform}`,
        ),
      );
  });
}

/** A Kustomization that applies a SOPS-encrypted Secret must decrypt (the root's decryption covers only its own path). */
function decryption(tree: PlatformTree, node: KsNode, out: Finding[]) {
  if (!node.doc || node.spec.decryption?.provider === "sops") return;
  const encrypted = node.built.find((b) => b.obj.kind === "Secret" && b.obj.sops);
  if (encrypted)
    out.push(
      at(
        tree,
        { doc: node.doc, path: ["spec"] },
        "decryption",
        `Kustomization ${node.namespace}/${node.name} applies the SOPS-encrypted Secret ${String(encrypted.obj.metadata.name)} (${encrypted.doc.file}) but has no decryption: add decryption: {provider: sops, secretRef: {name: sops-age}}`,
      ),
    );
}

function helmReleaseRefs(tree: PlatformTree, hr: BuiltObject, out: Finding[]) {
  const spec = (hr.obj.spec ?? {}) as {
    chart?: { spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } } };
    chartRef?: { kind?: string; name?: string; namespace?: string };
    dependsOn?: { name?: string; namespace?: string }[];
    valuesFrom?: { kind?: string; name?: string; optional?: boolean }[];
  };
  const id = `HelmRelease ${hr.namespace}/${hr.obj.metadata.name}`;
  (spec.valuesFrom ?? []).forEach((v, i) => {
    if (v.kind && v.name && !v.optional && !exists(tree, v.kind, hr.namespace, v.name))
      out.push(
        at(
          tree,
          { doc: hr.doc, path: ["spec", "valuesFrom", i] },
          "reference",
          `${id}: valuesFrom ${v.kind} ${hr.namespace}/${v.name} does not exist in the tree of ${tree.context.platform}; helm-controller would not install the release (mark it optional: true if it may be absent)`,
        ),
      );
  });
  for (const [ref, p] of [
    [spec.chart?.spec?.sourceRef, ["spec", "chart", "spec", "sourceRef"]],
    [spec.chartRef, ["spec", "chartRef"]],
  ] as const) {
    if (ref?.kind && ref.name && !exists(tree, ref.kind, ref.namespace ?? hr.namespace, ref.name))
      out.push(
        at(
          tree,
          { doc: hr.doc, path: [...p] },
          "reference",
          `${id}: ${p.slice(1).join(".")} ${ref.kind} ${ref.namespace ?? hr.namespace}/${ref.name} does not exist in the tree of ${tree.context.platform}${rootKindHint(tree, ref, true)}`,
        ),
      );
  }
  dependsOnRefs(tree, "HelmRelease", { id, doc: hr.doc, namespace: hr.namespace }, spec.dependsOn, out);
}

/** Prod platforms follow tags or semver ranges, never branches. */
function prodRefs(
  tree: PlatformTree,
  rootRef: { kind: string; value: string; file: string; line: number } | undefined,
  out: Finding[],
) {
  if (rootRef && rootRef.kind !== "tag" && rootRef.kind !== "semver")
    out.push({
      file: rootRef.file,
      line: rootRef.line,
      rule: "prod-ref",
      platform: tree.context.platform,
      message: `prod platform ${tree.context.platform}: the root source follows ${rootRef.kind} ${rootRef.value}; set flux.source.ref.tag or .semver`,
    });
  for (const objs of tree.index.values())
    for (const o of objs) {
      if (o.obj.kind !== "GitRepository" && o.obj.kind !== "OCIRepository") continue;
      const ref = ((o.obj.spec as { ref?: Record<string, unknown> } | undefined)?.ref ?? {}) as Record<
        string,
        unknown
      >;
      if (ref.tag === undefined && ref.semver === undefined) {
        const [kind, value] = Object.entries(ref)[0] ?? ["branch", "master (default)"];
        out.push(
          at(
            tree,
            { doc: o.doc, path: ["spec", "ref"] },
            "prod-ref",
            `prod platform ${tree.context.platform}: ${o.obj.kind} ${o.namespace}/${o.obj.metadata.name} follows ${kind} ${String(value)}; prod sources follow a tag or a semver range`,
          ),
        );
      }
    }
}

/** All checks of one platform tree. */
export function checkTree(
  tree: PlatformTree,
  prod: { prod: boolean; rootRef?: { kind: string; value: string; file: string; line: number } },
): Finding[] {
  const out: Finding[] = [...tree.findings];
  for (const node of tree.nodes) {
    if (node.doc) kustomizationRefs(tree, node, out);
    decryption(tree, node, out);
    const missing = (node.spec.postBuild?.substituteFrom ?? []).some(
      (s) => !exists(tree, s.kind, node.namespace, s.name),
    );
    out.push(...substitutionFindings(tree, node, missing));
  }
  const releases = [...tree.index.values()].flat().filter((o) => o.obj.kind === "HelmRelease");
  for (const hr of releases) helmReleaseRefs(tree, hr, out);
  const cycle = (doc: ManifestDoc | undefined, message: string) =>
    at(tree, { doc, path: ["spec", "dependsOn"] }, "cycle", message);
  const kustomizations = tree.nodes
    .filter((n) => n.doc)
    .map((n) => ({
      id: `${n.namespace}/${n.name}`,
      doc: n.doc,
      deps: (n.spec.dependsOn ?? []).map((d) => `${d.namespace ?? n.namespace}/${d.name}`),
    }));
  out.push(...cycleFindings("Kustomization", kustomizations, cycle));
  const helmReleases = releases.map((r) => ({
    id: `${r.namespace}/${String(r.obj.metadata.name)}`,
    doc: r.doc,
    deps: ((r.obj.spec as { dependsOn?: { name: string; namespace?: string }[] })?.dependsOn ?? []).map(
      (d) => `${d.namespace ?? r.namespace}/${d.name}`,
    ),
  }));
  out.push(...cycleFindings("HelmRelease", helmReleases, cycle));
  out.push(...tenantFindings(tree));
  if (prod.prod) prodRefs(tree, prod.rootRef, out);
  return out;
}
