import { constants as fsConstants, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { K8sObject } from "../components/flux/objects";
import type { InstallManifestSource } from "../components/flux/manifests";
import type { LoadedInstallManifests } from "../components/flux/bootstrap";
import { parseErrorSummary } from "../components/parseError";
import { redactUrl } from "../components/url";

/**
 * What the program reads from outside the stack configuration. `liveEnvironment` reads files and
 * fetches URLs; the offline render supplies one that never touches the network or the user's files.
 */
export interface PlatformEnvironment {
  /** Contents of a kubeconfig file named by `cluster.kubeconfigPath`. */
  readKubeconfig(file: string): Promise<string>;
  /** The Flux install manifests, parsed. */
  loadInstallManifests(source: InstallManifestSource): Promise<LoadedInstallManifests>;
}

/** Expand `~` and resolve relative to the project directory. */
export function resolveUserPath(file: string, base = process.cwd()): string {
  if (file === "~" || file.startsWith("~/")) return path.join(os.homedir(), file.slice(1));
  return path.resolve(base, file);
}

/** Parse a multi-document YAML stream into objects (empty documents and `List`s flattened). */
export function parseManifests(text: string, origin: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${origin}: ${parseErrorSummary(doc.errors[0], "YAML")}`);
    const value = doc.toJSON() as K8sObject | null;
    if (!value) continue;
    // Never the value itself: the file may be something else entirely, a credentials file say.
    if (typeof value !== "object" || Array.isArray(value))
      throw new Error(
        `${origin}: holds ${Array.isArray(value) ? "a list" : "a scalar"}, not Kubernetes objects (YAML mappings with apiVersion and kind)`,
      );
    if (value.kind === "List" && Array.isArray(value.items)) out.push(...(value.items as K8sObject[]));
    else out.push(value);
  }
  return out;
}

export async function readManifestFile(file: string, base = process.cwd()): Promise<K8sObject[]> {
  const full = resolveUserPath(file, base);
  let text: string;
  try {
    text = await fs.readFile(full, "utf8");
  } catch (e) {
    throw new Error(
      `flux.install.manifests.file: cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  return parseManifests(text, full);
}

export const liveEnvironment: PlatformEnvironment = {
  async readKubeconfig(file) {
    const full = resolveUserPath(file);
    try {
      return await fs.readFile(full, "utf8");
    } catch (e) {
      throw new Error(
        `cluster.kubeconfigPath: cannot read ${full} (${(e as NodeJS.ErrnoException).code}): point it at your kubeconfig, e.g. ~/.kube/config`,
        { cause: e },
      );
    }
  },
  async loadInstallManifests(source) {
    if ("file" in source) return { objects: await readManifestFile(source.file) };
    const res = await fetch(source.url).catch((e: Error) => {
      throw new Error(
        `cannot download the Flux install manifests from ${redactUrl(source.url)}: ${e.message}; on an air-gapped site set flux.install.manifests.file`,
      );
    });
    if (!res.ok)
      throw new Error(
        `cannot download the Flux install manifests from ${redactUrl(source.url)}: HTTP ${res.status}`,
      );
    return { objects: parseManifests(await res.text(), source.url) };
  },
};

/** Throws, naming the file and why, unless `file` (`~` expands) can be read. */
export async function readableFile(file: string, what: string): Promise<void> {
  const full = resolveUserPath(file);
  try {
    await fs.access(full, fsConstants.R_OK);
  } catch (e) {
    throw new Error(
      `cannot read ${what} ${full} (${(e as NodeJS.ErrnoException).code ?? "error"}): fix the path, or set the key as a secret instead`,
      { cause: e },
    );
  }
}
