/**
 * Stack-wide guardrails: one root sync after the Flux install, SOPS decryption wherever an age key
 * is, and every Kubernetes resource on the platform cluster's provider.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
  asRecord,
  configWithDefaults,
  describeObject,
  groupObjects,
  isFluxObject,
  isObjectGroup,
  k8sMeta,
  TYPES,
  type PlatformStackPolicy,
} from "./common";
import { isFluxInstall } from "./fluxInstall";

/** The type chain of a URN (`a$b$c`), split. */
export function urnTypeChain(urn: string): string[] {
  return (urn.split("::")[2] ?? "").split("$");
}

/** True when `from` depends on `target` or on one of its children, directly or through other resources. */
export function dependsOnTransitively(from: PolicyResource, target: PolicyResource): boolean {
  const within = (r: PolicyResource) => r.urn === target.urn || descendsFrom(r, target);
  const seen = new Set<string>();
  const queue = [...(from.dependencies ?? [])];
  while (queue.length) {
    const r = queue.shift() as PolicyResource;
    if (seen.has(r.urn)) continue;
    seen.add(r.urn);
    if (within(r)) return true;
    queue.push(...(r.dependencies ?? []));
  }
  return false;
}

function descendsFrom(r: PolicyResource, ancestor: PolicyResource): boolean {
  for (let p = r.parent; p; p = p.parent) if (p.urn === ancestor.urn) return true;
  return false;
}

/** Children of packaged components are seen through the component's `objs` unless the engine lists them. */
function groupHasChildren(group: PolicyResource, resources: PolicyResource[]): boolean {
  return resources.some((r) => r.parent?.urn === group.urn);
}

/**
 * Whether `r` installs Flux: as the offline render shows it (`objs`, `files`, FluxInstance, Helm
 * release), or as the real engine shows a group: with Flux's objects as its children.
 */
export function isFluxInstallIn(r: PolicyResource, resources: PolicyResource[]): boolean {
  if (isFluxInstall(r.type, r.props)) return true;
  return (
    isObjectGroup(r.type) &&
    resources.some((c) => c.parent?.urn === r.urn && isFluxObject({ metadata: c.props.metadata }))
  );
}

interface RootSync {
  label: string;
  resource: PolicyResource;
  /** Created by the Flux install itself (FluxInstance `spec.sync`): ordered by construction. */
  byInstall: boolean;
}

/** Every root sync the stack seeds: Kustomizations (as resources or in a group's objs) and FluxInstance syncs. */
export function rootSyncs(resources: PolicyResource[]): RootSync[] {
  const out: RootSync[] = [];
  for (const r of resources) {
    if (TYPES.kustomization.test(r.type))
      out.push({ label: describeObject("Kustomization", r.props), resource: r, byInstall: false });
    if (isObjectGroup(r.type) && !groupHasChildren(r, resources))
      for (const o of groupObjects(r.props).filter((o) => o.kind === "Kustomization"))
        out.push({
          label: `${describeObject("Kustomization", o)} (in ${r.name})`,
          resource: r,
          byInstall: false,
        });
    if (TYPES.fluxInstance.test(r.type) && asRecord(asRecord(r.props.spec)?.sync))
      out.push({
        label: `${describeObject("FluxInstance", r.props)} spec.sync`,
        resource: r,
        byInstall: true,
      });
  }
  return out;
}

const SYNC_RULE = "A platform stack must seed exactly one root sync, after the Flux install";

export const stackSingleRootSync: PlatformStackPolicy = {
  name: "stack-single-root-sync",
  description: "The stack seeds exactly one root Flux sync, and it depends on the Flux install.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const syncs = rootSyncs(args.resources);
    if (syncs.length === 0) {
      report(
        `${SYNC_RULE}: the stack has no Flux Kustomization; create the root Kustomization flux-system (FluxBootstrap does).`,
      );
      return;
    }
    if (syncs.length > 1) {
      report(
        `${SYNC_RULE}: the stack has ${syncs.length} (${syncs.map((s) => s.label).join(", ")}); keep one root Kustomization and let Flux pull the others from Git.`,
      );
      return;
    }
    const [sync] = syncs;
    if (sync.byInstall) return;
    const installs = args.resources.filter(
      (r) => r.urn !== sync.resource.urn && isFluxInstallIn(r, args.resources),
    );
    for (const install of installs.filter((i) => !dependsOnTransitively(sync.resource, i)))
      report(
        `${SYNC_RULE}: ${sync.label} does not depend on the Flux install ${install.name} (${install.type}); add it to dependsOn so the Flux CRDs and controllers exist before the sync is applied.`,
        sync.resource.urn,
      );
  },
};

export const stackSopsDecryption: PlatformStackPolicy = {
  name: "flux-sops-decryption",
  description:
    "Whenever an age key Secret is created, the Kustomizations of its namespace decrypt with SOPS using it.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateStack: (args, report) => {
    const rule = "SOPS decryption must be configured whenever an age key is";
    const ageKeys = args.resources.filter((r) => {
      if (r.type !== TYPES.secret) return false;
      const keys = [
        ...Object.keys(asRecord(r.props.stringData) ?? {}),
        ...Object.keys(asRecord(r.props.data) ?? {}),
      ];
      return keys.some((k) => k.endsWith(".agekey"));
    });
    for (const key of ageKeys) {
      const { name, namespace = "default" } = k8sMeta(key.props);
      const secret = describeObject("Secret", key.props);
      const kustomizations = args.resources.filter(
        (r) => TYPES.kustomization.test(r.type) && (k8sMeta(r.props).namespace ?? "default") === namespace,
      );
      for (const ks of kustomizations) {
        const decryption = asRecord(asRecord(ks.props.spec)?.decryption);
        const ref = asRecord(decryption?.secretRef)?.name;
        const what = describeObject("Kustomization", ks.props);
        if (decryption?.provider !== "sops")
          report(
            `${rule}: ${secret} holds an age key but ${what} has no SOPS decryption; set spec.decryption { provider: sops, secretRef: { name: ${name} } }.`,
            ks.urn,
          );
        else if (ref !== name)
          report(
            `${rule}: ${what} decrypts with Secret ${String(ref ?? "(none)")}, not ${secret} which holds the age key; set spec.decryption.secretRef.name to ${name}.`,
            ks.urn,
          );
      }
    }
  },
};

export interface ClusterProviderConfig {
  /** Regular expression for the component types whose Kubernetes provider is the platform cluster's. */
  clusterComponentPattern: string;
}
const PROVIDER_DEFAULTS: ClusterProviderConfig = { clusterComponentPattern: "^platform:cluster:" };

export const stackClusterProvider: PlatformStackPolicy = {
  name: "stack-cluster-provider",
  description:
    "Every Kubernetes resource uses the Kubernetes provider of the platform's cluster component, never the ambient kubeconfig.",
  severity: "critical",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      clusterComponentPattern: { type: "string", default: PROVIDER_DEFAULTS.clusterComponentPattern },
    },
  },
  validateStack: (args, report) => {
    const cfg = configWithDefaults(PROVIDER_DEFAULTS, args.getConfig<Partial<ClusterProviderConfig>>());
    const component = new RegExp(cfg.clusterComponentPattern);
    const rule = "Kubernetes resources must use the platform cluster's provider";
    const k8s = args.resources.filter((r) => r.type.startsWith("kubernetes:"));
    if (k8s.length === 0) args.notApplicable("the stack has no Kubernetes resources");
    const clusterProviders = args.resources.filter(
      (r) =>
        r.type === TYPES.k8sProvider &&
        urnTypeChain(r.urn)
          .slice(0, -1)
          .some((t) => component.test(t)),
    );
    if (clusterProviders.length === 0) {
      report(
        `${rule}: no Kubernetes provider belongs to a cluster component (${cfg.clusterComponentPattern}); create the provider in the cluster component and pass it to every Kubernetes resource.`,
      );
      return;
    }
    const names = clusterProviders.map((p) => p.name).join(", ");
    for (const r of k8s) {
      const p = r.provider;
      if (p && clusterProviders.some((c) => c.urn === p.urn)) continue;
      // Packaged components may not report the provider they were constructed with; their children do.
      if (!p && isObjectGroup(r.type)) continue;
      const uses =
        !p || p.name.startsWith("default")
          ? "the default provider (the ambient kubeconfig)"
          : `provider ${p.name}`;
      report(
        `${rule}: ${r.type} ${r.name} uses ${uses}, not the cluster's (${names}); pass { provider: cluster.provider }.`,
        r.urn,
      );
    }
  },
};

export const stackPolicies = [stackSingleRootSync, stackSopsDecryption, stackClusterProvider];
