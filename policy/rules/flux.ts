/** Flux guardrails on the root sync: source ref, Git URL schemes, root Kustomization. */
import {
  asList,
  asRecord,
  configWithDefaults,
  describeObject,
  k8sMeta,
  TYPES,
  type PlatformResourcePolicy,
} from "./common";

export interface RootConfig {
  /** Name of the root source and Kustomization. */
  rootName: string;
  /** Namespace of the root objects. */
  rootNamespace: string;
}
const ROOT_DEFAULTS: RootConfig = { rootName: "flux-system", rootNamespace: "flux-system" };
const rootProperties = {
  rootName: { type: "string", default: ROOT_DEFAULTS.rootName },
  rootNamespace: { type: "string", default: ROOT_DEFAULTS.rootNamespace },
} as const;

function isRoot(props: Record<string, unknown>, cfg: RootConfig): boolean {
  const { name, namespace } = k8sMeta(props);
  return name === cfg.rootName && (namespace ?? "default") === cfg.rootNamespace;
}

type RefKind = "commit" | "name" | "semver" | "tag" | "branch" | "digest";
const REF_WORDS: Record<RefKind, string> = {
  tag: "a tag",
  semver: "a semver range",
  commit: "a commit",
  name: "a full ref name",
  branch: "a branch",
  digest: "a digest",
};

/** The reference Flux actually follows, by its precedence (commit > name > semver > tag > branch). */
export function effectiveRef(
  kind: "git" | "oci",
  ref: unknown,
): { kind: RefKind; value: string; implicit: boolean } {
  const r = asRecord(ref) ?? {};
  const order: RefKind[] =
    kind === "git" ? ["commit", "name", "semver", "tag", "branch"] : ["digest", "semver", "tag"];
  for (const k of order) {
    const v = r[k];
    if (typeof v !== "string" || v === "") continue;
    if (k === "name" && v.startsWith("refs/tags/"))
      return { kind: "tag", value: v.slice(10), implicit: false };
    if (k === "name" && v.startsWith("refs/heads/"))
      return { kind: "branch", value: v.slice(11), implicit: false };
    return { kind: k, value: v, implicit: false };
  }
  return kind === "git"
    ? { kind: "branch", value: "master", implicit: true }
    : { kind: "tag", value: "latest", implicit: true };
}

export interface RootRefConfig extends RootConfig {
  /** Reference kinds the root source may follow. */
  allowedRefKinds: RefKind[];
}
const REF_DEFAULTS: RootRefConfig = { ...ROOT_DEFAULTS, allowedRefKinds: ["tag", "semver"] };

export const fluxRootSourceRef: PlatformResourcePolicy = {
  name: "flux-root-source-ref",
  description: "The root GitRepository/OCIRepository follows a tag or semver range, never a branch.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...rootProperties,
      allowedRefKinds: {
        type: "array",
        items: { type: "string", enum: ["tag", "semver", "commit", "name", "digest", "branch"] },
        default: REF_DEFAULTS.allowedRefKinds,
      },
    },
  },
  validateResource: (args, report) => {
    const kind = TYPES.gitRepository.test(args.type)
      ? "git"
      : TYPES.ociRepository.test(args.type)
        ? "oci"
        : undefined;
    if (!kind) return;
    const cfg = configWithDefaults(REF_DEFAULTS, args.getConfig<Partial<RootRefConfig>>());
    if (!isRoot(args.props, cfg)) return;
    const ref = effectiveRef(kind, asRecord(args.props.spec)?.ref);
    const mutableLatest = kind === "oci" && ref.kind === "tag" && ref.value === "latest";
    if (cfg.allowedRefKinds.includes(ref.kind) && !mutableLatest) return;
    const allowed = cfg.allowedRefKinds.map((k) => REF_WORDS[k]).join(" or ");
    const what = describeObject(kind === "git" ? "GitRepository" : "OCIRepository", args.props);
    const follows = ref.implicit
      ? `has no ref, so it follows ${REF_WORDS[ref.kind].slice(2)} ${ref.value}`
      : mutableLatest
        ? "follows the mutable tag latest"
        : `follows ${REF_WORDS[ref.kind].slice(2)} ${ref.value}`;
    report(
      `The root source must follow ${allowed}: ${what} ${follows}; set flux.source.ref to ` +
        `a release tag (tag: v1.2.0) or a semver range (semver: ">=1.0.0 <2.0.0"), so rollback is moving back to a tag.`,
    );
  },
};

export interface GitUrlConfig {
  /** URL schemes Git sources may use. */
  allowedSchemes: string[];
}
const URL_DEFAULTS: GitUrlConfig = { allowedSchemes: ["ssh", "https"] };

export const fluxGitUrlScheme: PlatformResourcePolicy = {
  name: "flux-git-url-scheme",
  description: "Flux Git sources use ssh:// or https:// URLs (no plain http, no scp-style addresses).",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedSchemes: { type: "array", items: { type: "string" }, default: URL_DEFAULTS.allowedSchemes },
    },
  },
  validateResource: (args, report) => {
    const cfg = configWithDefaults(URL_DEFAULTS, args.getConfig<Partial<GitUrlConfig>>());
    const spec = asRecord(args.props.spec);
    let url: unknown;
    let what: string;
    if (TYPES.gitRepository.test(args.type)) {
      url = spec?.url;
      what = describeObject("GitRepository", args.props);
    } else if (
      TYPES.fluxInstance.test(args.type) &&
      (asRecord(spec?.sync)?.kind ?? "GitRepository") === "GitRepository"
    ) {
      url = asRecord(spec?.sync)?.url;
      what = `${describeObject("FluxInstance", args.props)} sync`;
    } else return;
    if (typeof url !== "string") return;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
    if (scheme && cfg.allowedSchemes.includes(scheme)) return;
    const schemes = cfg.allowedSchemes.map((s) => `${s}://`).join(" or ");
    const problem = scheme
      ? `uses ${scheme}://`
      : /^[^/:@]+@[^/:]+:/.test(url)
        ? "is in the scp form user@host:path, which Flux rejects"
        : "has no URL scheme";
    report(
      `Git URLs must use ${schemes}: ${what} url "${url}" ${problem}; write ssh://git@<host>/<org>/<repo>.git or https://<host>/<org>/<repo>.git.`,
    );
  },
};

export interface RootKustomizationConfig extends RootConfig {
  /** ConfigMap the root Kustomization must substitute from. */
  varsConfigMap: string;
}
const KS_DEFAULTS: RootKustomizationConfig = { ...ROOT_DEFAULTS, varsConfigMap: "cluster-vars" };

export const fluxRootKustomization: PlatformResourcePolicy = {
  name: "flux-root-kustomization",
  description: "The root Kustomization prunes and substitutes variables from the cluster-vars ConfigMap.",
  severity: "medium",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { ...rootProperties, varsConfigMap: { type: "string", default: KS_DEFAULTS.varsConfigMap } },
  },
  validateResource: (args, report) => {
    if (!TYPES.kustomization.test(args.type)) return;
    const cfg = configWithDefaults(KS_DEFAULTS, args.getConfig<Partial<RootKustomizationConfig>>());
    if (!isRoot(args.props, cfg)) return;
    const spec = asRecord(args.props.spec) ?? {};
    const rule = `The root Kustomization must prune and substitute from ConfigMap ${cfg.varsConfigMap}`;
    const what = describeObject("Kustomization", args.props);
    if (spec.prune !== true)
      report(
        `${rule}: ${what} has prune ${String(spec.prune ?? "unset")}; set flux.sync.prune: true so objects removed from Git are removed from the cluster.`,
      );
    const from = asList(asRecord(spec.postBuild)?.substituteFrom).map((s) => asRecord(s) ?? {});
    if (!from.some((s) => s.kind === "ConfigMap" && s.name === cfg.varsConfigMap))
      report(
        `${rule}: ${what} postBuild.substituteFrom does not list ConfigMap ${cfg.varsConfigMap}; add { kind: ConfigMap, name: ${cfg.varsConfigMap} } so the platform's variables resolve.`,
      );
  },
};

export const fluxPolicies = [fluxRootSourceRef, fluxGitUrlScheme, fluxRootKustomization];
