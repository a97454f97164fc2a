/**
 * The Kustomization tree of one platform, walked the way Flux reconciles it: the root Kustomization
 * `flux-system` (seeded by the program) builds `clusters/<platform>`; every Kustomization it applies
 * that pulls from the same repository builds its own path, and so on down to the slice instances.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildPath, normaliseRepoPath } from "./build";
import { kustomizeBuildPath, kustomizeRequest, type KustomizeRequest } from "./kustomizeBuild";
import type { KustomizeBuilder } from "./kustomize";
import { asK8s, ManifestCache, type Finding, type K8sLike, type ManifestDoc } from "./manifests";
import { substituteObject, substitutionDisabled } from "./substitution";

export const ROOT = { name: "flux-system", namespace: "flux-system" } as const;
export const CLUSTER_VARS_NAME = "cluster-vars";
export const CLUSTER_SECRET_VARS_NAME = "cluster-secret-vars";

/** An object of the tree as Flux will apply it: namespace resolved, known variables substituted. */
export interface BuiltObject {
  doc: ManifestDoc;
  obj: K8sLike;
  namespace: string;
  builtBy: KsNode;
}

export interface SubstituteFrom {
  kind: string;
  name: string;
  optional?: boolean;
}

export interface KsNode {
  name: string;
  namespace: string;
  /** The document that defines it; undefined for the root, which the program creates. */
  doc?: ManifestDoc;
  spec: {
    path?: string;
    sourceRef?: { kind?: string; name?: string; namespace?: string };
    targetNamespace?: string;
    dependsOn?: { name?: string; namespace?: string }[];
    healthChecks?: { apiVersion?: string; kind?: string; name?: string; namespace?: string }[];
    postBuild?: { substitute?: Record<string, unknown>; substituteFrom?: SubstituteFrom[] };
    wait?: boolean;
    decryption?: { provider?: string; secretRef?: { name?: string } };
  };
  parent?: KsNode;
  children: KsNode[];
  built: BuiltObject[];
  /** Its source is another repository: nothing is built offline. */
  external: boolean;
  /** Its source is a subset of the root (TreeContext.subsets): the subset's name. */
  subset?: string;
}

/** What the program provides to the tree besides the repository's own objects. */
export interface TreeContext {
  platform: string;
  rootPath: string;
  /** cluster-vars entries (values undefined when unknown). */
  clusterVars: Record<string, string | undefined>;
  /** Keys of Secret cluster-secret-vars, when the platform has it. */
  secretVars?: string[];
  /** The kind of the root source `flux-system` the program seeds (flux.source.kind). @default GitRepository */
  rootSourceKind?: RootSourceKind;
  /**
   * GitRepository objects in flux-system that follow a Git root but carry only some directories
   * (flux.source.subsets), by name. @default none
   */
  subsets?: Record<string, string[]>;
}

export type RootSourceKind = "GitRepository" | "OCIRepository";

/** The kind of the platform's root source `flux-system/flux-system`. */
export const rootSourceKindOf = (context: { rootSourceKind?: RootSourceKind }): RootSourceKind =>
  context.rootSourceKind ?? "GitRepository";

export interface PlatformTree {
  context: TreeContext;
  root: KsNode;
  nodes: KsNode[];
  /** Objects by `Kind/namespace/name`. */
  index: Map<string, BuiltObject[]>;
  findings: Finding[];
  /** Files of the tree that could not be parsed (yaml findings): the lint reports them once, repository-wide. */
  unparsed: Finding[];
  /** What its builds depend on (BuildResult.inputs of every build, repository-relative). */
  inputs: Set<string>;
  /**
   * A kustomization file that transforms (patches, replacements, components…) a build holding Flux
   * Kustomizations: their paths may then differ from what the hand-written walk reads, so the walk's
   * inputs are not known to be complete.
   */
  transformedBy?: string;
  /** Walked without kustomize: what kustomize would be asked to build (KustomizeBuilder.prefetch). */
  requests: KustomizeRequest[];
}

/** kustomization.yaml fields that may change the objects of a build (and so a Flux Kustomization's path). */
const TRANSFORMING = [
  "patches",
  "patchesStrategicMerge",
  "patchesJson6902",
  "replacements",
  "transformers",
  "generators",
  "components",
  "vars",
];

export const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** The variables a Kustomization substitutes (key → value, undefined value when unknown); undefined without postBuild. */
export function variablesOf(
  node: KsNode,
  tree: Pick<PlatformTree, "context" | "index">,
): Record<string, string | undefined> | undefined {
  const pb = node.spec.postBuild;
  if (!pb || (!pb.substitute && !pb.substituteFrom?.length)) return undefined;
  const vars: Record<string, string | undefined> = {};
  for (const src of pb.substituteFrom ?? []) {
    if (src.kind === "ConfigMap" && src.name === CLUSTER_VARS_NAME && node.namespace === ROOT.namespace)
      Object.assign(vars, tree.context.clusterVars);
    else if (
      src.kind === "Secret" &&
      src.name === CLUSTER_SECRET_VARS_NAME &&
      node.namespace === ROOT.namespace
    )
      for (const k of tree.context.secretVars ?? []) vars[k] = undefined;
    else
      for (const found of tree.index.get(key(src.kind, node.namespace, src.name)) ?? []) {
        for (const field of ["data", "stringData"]) {
          const data = found.obj[field];
          if (data && typeof data === "object")
            for (const [k, v] of Object.entries(data))
              vars[k] = src.kind === "ConfigMap" && typeof v === "string" ? v : undefined;
        }
      }
  }
  for (const [k, v] of Object.entries(pb.substitute ?? {})) vars[k] = typeof v === "string" ? v : String(v);
  return vars;
}

function known(vars: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

function addToIndex(tree: PlatformTree, built: BuiltObject) {
  const k = key(built.obj.kind, built.namespace, String(built.obj.metadata.name ?? ""));
  tree.index.set(k, [...(tree.index.get(k) ?? []), built]);
}

/** The subset of the root a source reference names (TreeContext.subsets), if it names one. */
export function subsetOf(
  context: TreeContext,
  ref: { kind?: string; name?: string; namespace?: string },
  namespace: string,
): string | undefined {
  return rootSourceKindOf(context) === "GitRepository" &&
    ref.kind === "GitRepository" &&
    (ref.namespace ?? namespace) === ROOT.namespace &&
    ref.name !== undefined &&
    Object.hasOwn(context.subsets ?? {}, ref.name)
    ? ref.name
    : undefined;
}

/** Repository paths (a build's inputs) a subset of the root does not carry. */
function outsideSubset(dirs: string[], paths: Iterable<string>): string[] {
  const inside = (p: string) => dirs.some((d) => p === d || p.startsWith(`${d}/`));
  return [...new Set([...paths].map(normaliseRepoPath))].filter((p) => !inside(p));
}

function nodeFrom(built: BuiltObject, parent: KsNode, context: TreeContext): KsNode {
  const spec = (built.obj.spec ?? {}) as KsNode["spec"];
  const sourceRef = spec.sourceRef ?? {};
  const subset = subsetOf(context, sourceRef, built.namespace);
  const sameRepo =
    subset !== undefined ||
    (sourceRef.kind === rootSourceKindOf(context) &&
      sourceRef.name === ROOT.name &&
      (sourceRef.namespace ?? built.namespace) === ROOT.namespace);
  return {
    name: String(built.obj.metadata.name ?? ""),
    namespace: built.namespace,
    doc: built.doc,
    spec,
    parent,
    children: [],
    built: [],
    external: !sameRepo,
    ...(subset !== undefined ? { subset } : {}),
  };
}

/**
 * Walk the tree of a platform in the repository. With a `builder`, every path is built by kustomize
 * (gitops:lint, gitops:diff); without, by the hand-written walk (the render's picture and pre-check).
 */
export function walkTree(
  cache: ManifestCache,
  context: TreeContext,
  builder?: KustomizeBuilder,
): PlatformTree {
  const root: KsNode = {
    ...ROOT,
    spec: {
      path: context.rootPath,
      sourceRef: { kind: rootSourceKindOf(context), name: ROOT.name },
      postBuild: {
        substituteFrom: [
          { kind: "ConfigMap", name: CLUSTER_VARS_NAME },
          ...(context.secretVars ? [{ kind: "Secret", name: CLUSTER_SECRET_VARS_NAME }] : []),
        ],
      },
    },
    children: [],
    built: [],
    external: false,
  };
  const tree: PlatformTree = {
    context,
    root,
    nodes: [root],
    index: new Map(),
    findings: [],
    unparsed: [],
    inputs: new Set<string>(),
    requests: [],
  };
  const seen = new Set([key("Kustomization", ROOT.namespace, ROOT.name)]);
  const rootFile = `${normaliseRepoPath(context.rootPath)}/`;
  for (let i = 0; i < tree.nodes.length; i++) {
    const node = tree.nodes[i];
    if (node.external || !node.spec.path) continue;
    const where = node.doc
      ? {
          file: node.doc.file,
          line: node.doc.lineOf(["spec", "path"]),
          what: `Kustomization ${node.namespace}/${node.name} path`,
        }
      : { file: rootFile, line: 1, what: `the root Kustomization's path (platform ${context.platform})` };
    const result = builder
      ? kustomizeBuildPath(cache, builder, node.spec.path, where)
      : buildPath(cache, node.spec.path, where);
    if (node.subset !== undefined) {
      // Flux builds it from the subset's artifact: what the build reads must be in it.
      const dirs = (context.subsets?.[node.subset] ?? []).map(normaliseRepoPath);
      const missing = outsideSubset(dirs, [node.spec.path, ...result.inputs]);
      if (missing.length) {
        tree.findings.push({
          file: where.file,
          line: where.line,
          rule: "reference",
          message: `${where.what} ${node.spec.path}: it pulls from GitRepository ${ROOT.namespace}/${node.subset}, which carries only ${dirs.join(", ")} (flux.source.subsets.${node.subset}), but its build reads ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ` and ${missing.length - 3} more` : ""}: add the directory to flux.source.subsets.${node.subset} in platform ${context.platform}'s stack file, or pull from ${ROOT.name}`,
          platform: context.platform,
        });
        continue;
      }
    }
    // Parse errors are reported once for the repository, not per tree.
    tree.findings.push(
      ...result.findings.filter((f) => f.rule !== "yaml").map((f) => ({ ...f, platform: context.platform })),
    );
    tree.unparsed.push(...result.findings.filter((f) => f.rule === "yaml"));
    for (const i of result.inputs) tree.inputs.add(i);
    const request = builder ? undefined : kustomizeRequest(cache, node.spec.path, result);
    if (request) tree.requests.push(request);
    if (!tree.transformedBy && result.docs.some((d) => d.object.kind === "Kustomization"))
      tree.transformedBy = result.files.find((f) => {
        const k = /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(f) ? cache.read(f).docs[0] : undefined;
        return k !== undefined && TRANSFORMING.some((field) => field in k.object);
      });
    const values = known(variablesOf(node, tree));
    for (const doc of result.docs) {
      const raw = asK8s(doc) as K8sLike;
      const obj = substitutionDisabled(raw.metadata) ? raw : substituteObject(raw, values);
      const namespace = node.spec.targetNamespace ?? obj.metadata.namespace ?? "default";
      const built: BuiltObject = { doc, obj, namespace, builtBy: node };
      node.built.push(built);
      addToIndex(tree, built);
      if (obj.kind !== "Kustomization" || !obj.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/"))
        continue;
      const k = key(obj.kind, namespace, String(obj.metadata.name ?? ""));
      if (seen.has(k)) {
        tree.findings.push({
          file: doc.file,
          line: doc.line,
          rule: "duplicate",
          message: `Kustomization ${namespace}/${obj.metadata.name} is defined more than once in the tree of ${context.platform}`,
          platform: context.platform,
        });
        continue;
      }
      seen.add(k);
      const child = nodeFrom(built, node, context);
      node.children.push(child);
      tree.nodes.push(child);
    }
  }
  return tree;
}

/**
 * The kind of root source the platform's own Kustomizations (`clusters/<cluster>/*.yaml`) pull from
 * (`sourceRef` named flux-system): an instance pulls from the same. GitRepository when none says.
 */
export function rootSourceKindInTree(repoDir: string, cluster: string): RootSourceKind {
  const dir = path.join(repoDir, "clusters", cluster);
  const kinds = new Set<string>();
  const cache = new ManifestCache(repoDir);
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!/\.ya?ml$/.test(f)) continue;
    // Read as every manifest is (inside the repository, bounded); what cannot be read is the lint's finding.
    for (const doc of cache.read(`clusters/${cluster}/${f}`).docs) {
      const ref = (doc.object as { spec?: { sourceRef?: { kind?: unknown; name?: unknown } } }).spec
        ?.sourceRef;
      if (ref?.name === "flux-system" && typeof ref.kind === "string") kinds.add(ref.kind);
    }
  }
  return kinds.has("OCIRepository") && !kinds.has("GitRepository") ? "OCIRepository" : "GitRepository";
}
