/**
 * Where the install manifests come from, and whether a file given for them is Flux's install of this
 * version.
 */
import type { Problem } from "../../problems";
import type { FluxInstallArgs } from "../args";
import type { K8sObject } from "../objects";

/** Release asset of a Flux version, or a mirror URL with `{version}` replaced. */
export function installManifestUrl(version: string, mirror?: string): string {
  return mirror
    ? mirror.replaceAll("{version}", version)
    : `https://github.com/fluxcd/flux2/releases/download/v${version}/install.yaml`;
}

/** Where the install manifests of a platform come from. */
export type InstallManifestSource = { file: string } | { url: string };

export function installManifestSource(version: string, install: FluxInstallArgs): InstallManifestSource {
  return install.manifests.file
    ? { file: install.manifests.file }
    : { url: installManifestUrl(version, install.manifests.url) };
}

/**
 * Problems of install manifests given as a file: it must be Flux's install of this version, with a
 * Deployment for every selected controller (paths relative to the Flux settings).
 */
export function installManifestsProblems(
  objects: K8sObject[],
  install: FluxInstallArgs,
  version: string,
): Problem[] {
  const path = "install.manifests.file";
  const deployments = new Set(objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name));
  const missing = [...install.components, ...install.extraComponents].filter((c) => !deployments.has(c));
  const out: Problem[] = [];
  if (missing.length)
    out.push({
      path,
      message: `is not a Flux install of the selected controllers: it has no Deployment ${missing.join(", ")}; give the install.yaml of Flux ${version} (flux install --export, or the release asset)`,
    });
  const versions = new Set(
    objects
      .map((o) => o.metadata.labels?.["app.kubernetes.io/version"])
      .filter((v): v is string => v !== undefined),
  );
  const other = [...versions].filter((v) => v !== `v${version}`);
  if (other.length)
    out.push({
      path,
      message: `is the install of Flux ${other.join(", ")}, not of flux.version ${version}: give the install.yaml of ${version}, or set flux.version to match`,
    });
  return out;
}
