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
  /** A text file of the project (a path relative to it), for the stack-file field `field`. */
  readProjectFile(file: string, field: string): Promise<string>;
}

/** Expand `~` and resolve relative to the project directory. */
export function resolveUserPath(file: string, base = process.cwd()): string {
  if (file === "~" || file.startsWith("~/")) return path.join(os.homedir(), file.slice(1));
  return path.resolve(base, file);
}

const isObject = (v: unknown): v is K8sObject =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as K8sObject).apiVersion === "string" &&
  typeof (v as K8sObject).kind === "string" &&
  typeof (v as K8sObject).metadata?.name === "string";

/**
 * Parse a multi-document YAML stream into objects (empty documents and `List`s flattened). Throws
 * one line naming `origin` when it is not YAML or holds something other than Kubernetes objects.
 */
export function parseManifests(text: string, origin: string): K8sObject[] {
  const out: K8sObject[] = [];
  const fix = "it must be Flux's install.yaml (the release asset, or `flux install --export`)";
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    // Never the text itself: the file may be something else entirely, a credentials file say.
    if (doc.errors.length) throw new Error(`${origin}: ${parseErrorSummary(doc.errors[0], "YAML")}: ${fix}`);
    const value = doc.toJSON() as unknown;
    if (value === null || value === undefined) continue;
    const items =
      isObject(value) && value.kind === "List" && Array.isArray(value.items) ? value.items : [value];
    for (const item of items as unknown[]) {
      if (!isObject(item))
        throw new Error(
          `${origin}: document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name): ${fix}`,
        );
      out.push(item);
    }
  }
  return out;
}

/**
 * `file` (a stack-file path documented as relative to the project) resolved inside `base`; throws one
 * line when it is absolute, in `~`, or leaves the project by `..` or a symbolic link.
 */
export async function projectFile(file: string, base: string): Promise<string> {
  const full = path.resolve(base, file);
  const outside = (p: string, root: string) => {
    const rel = path.relative(root, p);
    return rel.startsWith("..") || path.isAbsolute(rel);
  };
  const real = await fs.realpath(full).catch(() => full);
  const realBase = await fs.realpath(base).catch(() => base);
  if (path.isAbsolute(file) || file.startsWith("~") || outside(full, base) || outside(real, realBase))
    throw new Error(
      `${file} is outside the project folder: give a path relative to the project (no "..", no absolute path), e.g. flux/install.yaml, and copy the file there`,
    );
  return full;
}

/** Throws one line when `full` is a folder (or not a plain file): `what` names the field's fix. */
async function plainFile(full: string, shown: string, what: string): Promise<void> {
  const st = await fs.stat(full).catch(() => undefined);
  if (st && !st.isFile())
    throw new Error(`${shown} is ${st.isDirectory() ? "a folder" : "not a regular file"}, not ${what}`);
}

export async function readManifestFile(file: string, base = process.cwd()): Promise<K8sObject[]> {
  const at = "flux.install.manifests.file: ";
  let full: string;
  let text: string;
  try {
    full = await projectFile(file, base);
    await plainFile(full, file, "a file: point it at the install.yaml file");
    text = await fs.readFile(full, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${at}${code ? `cannot read ${file}: ${code}` : (e as Error).message}`, { cause: e });
  }
  try {
    return parseManifests(text, file);
  } catch (e) {
    throw new Error(`${at}${(e as Error).message}`, { cause: e });
  }
}

/**
 * A text file named by the stack-file field `field`, relative to the project `base`; throws one line
 * starting with the field when it is outside the project, not a plain file or unreadable.
 */
export async function readProjectTextFile(
  file: string,
  field: string,
  base = process.cwd(),
): Promise<string> {
  try {
    const full = await projectFile(file, base);
    await plainFile(full, file, "a file: point it at the file");
    return await fs.readFile(full, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `${field}: ${code ? `cannot read ${file}: ${code}: give the path of a file in the project` : (e as Error).message}`,
      { cause: e },
    );
  }
}

export const liveEnvironment: PlatformEnvironment = {
  readProjectFile: (file, field) => readProjectTextFile(file, field),
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
    await plainFile(
      full,
      full,
      `a file: point it at ${what.replace(/^the /, "your ")}, e.g. ~/.ssh/id_ed25519`,
    );
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e;
    throw new Error(
      `cannot read ${what} ${full} (${(e as NodeJS.ErrnoException).code ?? "error"}): fix the path, or set the key as a secret instead`,
      { cause: e },
    );
  }
}
