/**
 * Flux at scale (`install.scaling`): the `--concurrent` flags, and the shard controllers of Flux's
 * sharding (fluxcd.io/flux/installation/configuration/sharding): each shard runs its own
 * kustomize-controller and helm-controller, `<controller>-<shard>`, watching only the objects
 * labelled `sharding.fluxcd.io/key: <shard>`, while the main ones watch the objects without it.
 */
import type { Problem } from "../../problems";
import type { FluxInstallArgs, FluxScalingArgs } from "../args";
import type { K8sObject } from "../objects";
import { clone } from "./json";

/** The label that assigns a Flux object to a shard. */
export const SHARD_KEY = "sharding.fluxcd.io/key";
/** The label the shard controllers' Deployments carry (as in Flux's sharding guide). */
export const SHARD_ROLE_LABEL = "sharding.fluxcd.io/role";
/** Controllers that get a Deployment per shard (manifests mode). */
export const SHARDED_CONTROLLERS = ["kustomize-controller", "helm-controller"];
/** The controller each `concurrency` field sets `--concurrent` on. */
export const CONCURRENCY_CONTROLLERS = {
  kustomize: "kustomize-controller",
  helm: "helm-controller",
  source: "source-controller",
} as const;
/** Highest `--concurrent` accepted: beyond it the API server, not Flux, is the limit. */
export const MAX_CONCURRENCY = 100;

const LABEL_VALUE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Longest shard name: `kustomize-controller-<shard>` must stay a DNS label (63). */
export const MAX_SHARD_NAME = 63 - "kustomize-controller-".length;

/** The controller whose `/tmp` `install.scaling.inMemoryBuilds` puts in memory, and that volume's name in Flux's install. */
export const IN_MEMORY_BUILDS = { controller: "kustomize-controller", volume: "temp" } as const;

/** The `--watch-label-selector` of the main controllers when there are shards. */
export const MAIN_SELECTOR = `--watch-label-selector=!${SHARD_KEY}`;
/** The `--watch-label-selector` of one shard's controllers. */
export const shardSelector = (shard: string) => `--watch-label-selector=${SHARD_KEY} in (${shard})`;

/** The scaling flags one main controller gets, in a fixed order: `--concurrent`, then the selector. */
export function scalingArgs(component: string, scaling: FluxScalingArgs | undefined): string[] {
  const out: string[] = [];
  for (const [field, name] of Object.entries(CONCURRENCY_CONTROLLERS))
    if (name === component) {
      const n = scaling?.concurrency?.[field as keyof typeof CONCURRENCY_CONTROLLERS];
      if (n !== undefined) out.push(`--concurrent=${n}`);
    }
  if (scaling?.shards?.length && SHARDED_CONTROLLERS.includes(component)) out.push(MAIN_SELECTOR);
  return out;
}

/**
 * `install.scaling.inMemoryBuilds` on kustomize-controller's Deployment (shards are copies of it):
 * its `temp` emptyDir (mounted at `/tmp`, where each reconcile unpacks the artifact) gets
 * `medium: Memory`. Returns a problem when the Deployment has no such emptyDir (an install file
 * that differs from Flux's), so the setting is never silently dropped.
 */
export function withInMemoryBuilds(d: K8sObject): Problem | undefined {
  const pod = (
    d as {
      spec?: { template?: { spec?: { volumes?: { name: string; emptyDir?: Record<string, unknown> }[] } } };
    }
  ).spec?.template?.spec;
  const v = pod?.volumes?.find((x) => x.name === IN_MEMORY_BUILDS.volume);
  if (!v?.emptyDir)
    return {
      path: "flux.install.scaling.inMemoryBuilds",
      message: `Deployment ${d.metadata.name} of the install manifests has no emptyDir volume "${IN_MEMORY_BUILDS.volume}" to put in memory (Flux's install mounts it at /tmp): use Flux's install manifests, or set the volume with install.patches instead`,
    };
  v.emptyDir = { ...v.emptyDir, medium: "Memory" };
  return undefined;
}

/** `install.scaling.inMemoryBuilds` as a FluxInstance patch (operator mode): a strategic merge on the `temp` volume. */
export function operatorInMemoryPatches(
  scaling: FluxScalingArgs | undefined,
): { target: Record<string, unknown>; patch: string }[] {
  if (!scaling?.inMemoryBuilds) return [];
  return [
    {
      target: { kind: "Deployment", name: IN_MEMORY_BUILDS.controller },
      patch: JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: IN_MEMORY_BUILDS.controller },
        spec: {
          template: {
            spec: { volumes: [{ name: IN_MEMORY_BUILDS.volume, emptyDir: { medium: "Memory" } }] },
          },
        },
      }),
    },
  ];
}

/**
 * The `--concurrent` flags as FluxInstance patches (operator mode), one per controller that has one.
 * Sharding there is the FluxInstance's own `spec.sharding` (the operator shards source-controller too).
 */
export function operatorScalingPatches(
  scaling: FluxScalingArgs | undefined,
): { target: Record<string, unknown>; patch: string }[] {
  return Object.entries(CONCURRENCY_CONTROLLERS).flatMap(([field, name]) => {
    const n = scaling?.concurrency?.[field as keyof typeof CONCURRENCY_CONTROLLERS];
    return n === undefined
      ? []
      : [
          {
            target: { kind: "Deployment", name },
            patch: JSON.stringify([
              { op: "add", path: "/spec/template/spec/containers/0/args/-", value: `--concurrent=${n}` },
            ]),
          },
        ];
  });
}

/** What is wrong with `install.scaling` (paths under `install.scaling`), for the mode given. */
export function scalingProblems(install: FluxInstallArgs): Problem[] {
  const scaling = install.scaling;
  if (!scaling) return [];
  const out: Problem[] = [];
  if (install.mode === "none")
    out.push({
      path: "install.scaling",
      message:
        "cannot be applied with install.mode none (Flux is installed by someone else): set --concurrent and the shards where Flux is installed, or remove scaling",
    });
  if (install.mode === "operator" && install.operator.size && scaling.concurrency)
    out.push({
      path: "install.scaling.concurrency",
      message: `and install.operator.size both set the controllers' --concurrent: give one, concurrency (per controller) or size (the operator's profile, ${install.operator.size})`,
    });
  for (const [field, name] of Object.entries(CONCURRENCY_CONTROLLERS)) {
    const n = scaling.concurrency?.[field as keyof typeof CONCURRENCY_CONTROLLERS];
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY))
      out.push({
        path: `install.scaling.concurrency.${field}`,
        message: `must be a whole number from 1 to ${MAX_CONCURRENCY} (${name} --concurrent), got ${n}`,
      });
    else if (n !== undefined && ![...install.components, ...install.extraComponents].includes(name))
      out.push({
        path: `install.scaling.concurrency.${field}`,
        message: `sets ${name} --concurrent but ${name} is not installed: add it to install.components or remove the setting`,
      });
  }
  if (
    scaling.inMemoryBuilds &&
    ![...install.components, ...install.extraComponents].includes(IN_MEMORY_BUILDS.controller)
  )
    out.push({
      path: "install.scaling.inMemoryBuilds",
      message: `puts ${IN_MEMORY_BUILDS.controller}'s builds in memory but ${IN_MEMORY_BUILDS.controller} is not installed: add it to install.components or remove the setting`,
    });
  const shards = scaling.shards ?? [];
  shards.forEach((s, i) => {
    if (!LABEL_VALUE.test(s) || s.length > MAX_SHARD_NAME)
      out.push({
        path: `install.scaling.shards.${i}`,
        message: `"${s}" is not a shard name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${MAX_SHARD_NAME} characters (it names the Deployments <controller>-<shard> and is the ${SHARD_KEY} label value), e.g. shard1`,
      });
    else if (shards.indexOf(s) !== i)
      out.push({ path: `install.scaling.shards.${i}`, message: `"${s}" is listed more than once` });
  });
  return out;
}

interface ShardedDeployment {
  metadata: K8sObject["metadata"];
  spec: {
    selector?: { matchLabels?: Record<string, string> };
    template: {
      metadata?: { labels?: Record<string, string> };
      spec: { containers: { args?: string[] }[] };
    };
  };
}

/**
 * The shard controllers' Deployments: for each shard, a copy of each installed main
 * kustomize-controller and helm-controller Deployment (as transformed and patched) named
 * `<controller>-<shard>`, selecting its own pods (`app: <controller>-<shard>`), labelled
 * `sharding.fluxcd.io/role: shard`, watching `sharding.fluxcd.io/key in (<shard>)`.
 */
export function shardDeployments(objs: K8sObject[], scaling: FluxScalingArgs | undefined): K8sObject[] {
  const out: K8sObject[] = [];
  for (const shard of scaling?.shards ?? [])
    for (const controller of SHARDED_CONTROLLERS) {
      const main = objs.find((o) => o.kind === "Deployment" && o.metadata.name === controller);
      if (!main) continue;
      const d = clone(main) as unknown as ShardedDeployment;
      const name = `${controller}-${shard}`;
      d.metadata = { ...d.metadata, name, labels: { ...d.metadata.labels, [SHARD_ROLE_LABEL]: "shard" } };
      d.spec.selector = { matchLabels: { app: name } };
      d.spec.template.metadata = {
        ...d.spec.template.metadata,
        labels: { ...d.spec.template.metadata?.labels, app: name, [SHARD_ROLE_LABEL]: "shard" },
      };
      const container = d.spec.template.spec.containers[0];
      container.args = (container.args ?? []).map((a) => (a === MAIN_SELECTOR ? shardSelector(shard) : a));
      out.push(d as unknown as K8sObject);
    }
  return out;
}
