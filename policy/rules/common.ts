/**
 * Shared shapes and helpers of the platform's policies. The rules import only types from
 * `@pulumi/policy`, so the same modules run inside the policy pack (real engine) and in the offline
 * check over a render (automation/check) without starting a policy server.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ResourceValidation,
  ResourceValidationPolicy,
  Severity,
  StackValidation,
  StackValidationPolicy,
} from "@pulumi/policy";

/** What every platform policy declares: name, one-sentence description, severity, default level, tunables. */
interface PlatformPolicyFields {
  severity: Severity;
  enforcementLevel: EnforcementLevel;
  configSchema: PolicyConfigSchema;
}

/** A policy checking one resource at a time. */
export type PlatformResourcePolicy = ResourceValidationPolicy &
  PlatformPolicyFields & {
    validateResource: ResourceValidation;
  };

/** A policy checking the stack as a whole (dependencies, providers, pairs of resources). */
export type PlatformStackPolicy = StackValidationPolicy &
  PlatformPolicyFields & {
    validateStack: StackValidation;
  };

export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;

/** A policy's effective config: its defaults overlaid with what the pack config sets. */
export function configWithDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Plain object or undefined. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A value that may be one item or a list, as a list (IAM `Action`, `Resource`). */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** An object that may arrive as JSON text (IAM documents, provider inputs), parsed; undefined if unreadable. */
export function parseMaybeJson(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== "string") return asRecord(v);
  try {
    return asRecord(JSON.parse(v));
  } catch {
    return undefined;
  }
}

/** `metadata.name` / `metadata.namespace` of a Kubernetes object or resource props. */
export function k8sMeta(obj: unknown): { name?: string; namespace?: string } {
  const meta = asRecord(asRecord(obj)?.metadata);
  const name = typeof meta?.name === "string" ? meta.name : undefined;
  const namespace = typeof meta?.namespace === "string" ? meta.namespace : undefined;
  return { name, namespace };
}

/** A Kubernetes custom resource token for a group and kind, any API version. */
export function crdType(group: string, kind: string): RegExp {
  return new RegExp(`^kubernetes:${group.replace(/\./g, "\\.")}/[^:]+:${kind}$`);
}

export const TYPES = {
  gitRepository: crdType("source.toolkit.fluxcd.io", "GitRepository"),
  ociRepository: crdType("source.toolkit.fluxcd.io", "OCIRepository"),
  kustomization: crdType("kustomize.toolkit.fluxcd.io", "Kustomization"),
  fluxInstance: crdType("fluxcd.controlplane.io", "FluxInstance"),
  configMap: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  k8sProvider: "pulumi:providers:kubernetes",
} as const;

/**
 * Packaged Kubernetes components. They run inside the provider: the offline render sees their
 * objects as the `objs` input (and no children); the real engine registers each object as a child
 * resource and shows the component itself with empty inputs. Rules check both forms, and each
 * object is reported once because only one of the two exists in either place.
 */
export const K8S_OBJECT_GROUPS = [
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml:ConfigGroup",
  "kubernetes:yaml:ConfigFile",
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:kustomize/v2:Directory",
];

/** True for a packaged component's type (ConfigGroup, Chart, …). */
export function isObjectGroup(type: string): boolean {
  return K8S_OBJECT_GROUPS.includes(type);
}

/** True for an object of Flux itself (the install manifests label theirs `app.kubernetes.io/part-of: flux`). */
export function isFluxObject(obj: Record<string, unknown>): boolean {
  const labels = asRecord(asRecord(obj.metadata)?.labels);
  return labels?.["app.kubernetes.io/part-of"] === "flux";
}

/** Kubernetes objects a packaged component carries in its `objs` input. */
export function groupObjects(props: Record<string, unknown>): Record<string, unknown>[] {
  return asList(props.objs).flatMap((o) => (asRecord(o) ? [o as Record<string, unknown>] : []));
}

/** Manifest URLs or paths of a packaged component (`files`, `file`). */
export function groupFiles(props: Record<string, unknown>): string[] {
  return [...asList(props.files), props.file].filter((f): f is string => typeof f === "string");
}

/** A readable object reference for messages, e.g. `ConfigMap flux-system/cluster-vars`. */
export function describeObject(kind: string, obj: unknown): string {
  const { name, namespace } = k8sMeta(obj);
  return `${kind} ${namespace ? `${namespace}/` : ""}${name ?? "(unnamed)"}`;
}

/** Join a list for a message: `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
