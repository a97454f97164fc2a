/**
 * FluxStoredVersions: the stored-version migration as a Pulumi dynamic resource. It runs during
 * `pulumi up` only (never in a preview), when it is created and whenever the Flux release or the
 * install's CRDs change; the install's CRDs depend on it, so it runs before any of them is applied.
 * The dynamic provider is serialized by value into the state and run by the engine's Node.js
 * dynamic provider plugin, so everything it calls is plain functions (see storedVersions.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { K8sObject } from "../objects";
import { kubeMigrationClient } from "./kubeClient";
import {
  migrateStoredVersions,
  migrationSummary,
  type InstallCrds,
  type MigratedCrd,
} from "./storedVersions";

/** The CRDs of install manifests: per CRD name, its storage version and every version it lists. */
export function installCrdVersions(objects: K8sObject[]): InstallCrds {
  const out: InstallCrds = {};
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const versions =
      (o.spec as { versions?: { name: string; storage?: boolean }[] } | undefined)?.versions ?? [];
    out[o.metadata.name] = {
      storage: versions.find((v) => v.storage)?.name ?? "",
      versions: versions.map((v) => v.name),
    };
  }
  return out;
}

/** What the migration takes: the cluster, the release and its CRDs. */
export interface StoredVersionsInputs {
  /** Kubeconfig of the cluster (a secret). */
  kubeconfig: string;
  /** The Flux release being installed (`flux.version`). */
  fluxVersion: string;
  /** The install's CRDs; empty when the operator installs them. */
  crds: InstallCrds;
}

/** What the state keeps: the release and CRDs it last ran for, what it migrated, and its one-line summary. */
export interface StoredVersionsOutputs {
  fluxVersion: string;
  crds: InstallCrds;
  migrated: MigratedCrd[];
  summary: string;
}

/** Runs the migration, prints its summary (a line of the `pulumi up` output) and returns the state. */
async function run(inputs: StoredVersionsInputs): Promise<StoredVersionsOutputs> {
  const client = await kubeMigrationClient(inputs.kubeconfig);
  const migrated = await migrateStoredVersions(client, inputs.crds, inputs.fluxVersion);
  const summary = migrationSummary(migrated);
  // The engine shows the plugin's output lines in the up's output.
  if (migrated.length) console.log(summary);
  return { fluxVersion: inputs.fluxVersion, crds: inputs.crds, migrated, summary };
}

export const storedVersionsProvider: pulumi.dynamic.ResourceProvider = {
  /** Runs again when the release or the install's CRDs change (not for a new kubeconfig alone). */
  async diff(_id: string, olds: StoredVersionsOutputs, news: StoredVersionsInputs) {
    const changes =
      olds.fluxVersion !== news.fluxVersion || JSON.stringify(olds.crds) !== JSON.stringify(news.crds);
    return { changes };
  },
  async create(inputs: StoredVersionsInputs) {
    return { id: "flux-stored-versions", outs: await run(inputs) };
  },
  async update(_id: string, _olds: StoredVersionsOutputs, news: StoredVersionsInputs) {
    return { outs: await run(news) };
  },
  /** Nothing to undo: the objects stay at their storage version. */
  async delete() {},
};

/** The migration before a Flux install (type `pulumi-nodejs:dynamic/flux:StoredVersions`). */
export class FluxStoredVersions extends pulumi.dynamic.Resource {
  declare readonly summary: pulumi.Output<string>;
  declare readonly migrated: pulumi.Output<MigratedCrd[]>;
  constructor(
    name: string,
    args: { kubeconfig: pulumi.Input<string>; fluxVersion: string; crds: InstallCrds },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      storedVersionsProvider,
      name,
      { ...args, kubeconfig: pulumi.secret(args.kubeconfig), migrated: undefined, summary: undefined },
      opts,
      "flux",
      "StoredVersions",
    );
  }
}
