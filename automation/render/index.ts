/**
 * The offline render: the real program on the offline engine, with no Pulumi CLI, no cloud, no
 * cluster and no network. Produces every resource the program would register and every Kubernetes
 * object it would apply, with secrets redacted.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, parsePlatformConfig, type PlatformConfig } from "../../stacks/config";
import { readManifestFile, readProjectTextFile, type PlatformEnvironment } from "../../stacks/environment";
import { deployPlatform, type PlatformOutputs } from "../../stacks/platform";
import { redactSecrets, runOnMocks, type RecordedResource } from "./engine";
import { invokes, placeholders } from "./placeholders";
import { readStackConfig } from "./stackFile";
import type { K8sObject } from "../../components/flux/objects";

export { readStackConfig, StackFileError } from "./stackFile";

/** The environment of an offline render: project files are read, nothing else is touched. */
export function offlineEnvironment(projectDir: string): PlatformEnvironment {
  return {
    readKubeconfig: async (file) => `# kubeconfig read from ${file} at deploy time (offline render)\n`,
    readProjectFile: (file, field) => readProjectTextFile(file, field, projectDir),
    loadInstallManifests: async (source) =>
      "file" in source
        ? { objects: await readManifestFile(source.file, projectDir) }
        : { unfetchedUrl: source.url },
  };
}

export interface RenderedObject {
  /** The Pulumi resource that applies it (`type::name`). */
  resource: string;
  object: K8sObject;
}

export interface RenderResult {
  stack: string;
  config: PlatformConfig;
  /** Every registered resource, secrets redacted. */
  resources: RecordedResource[];
  /** Every Kubernetes object the program applies, Secret values redacted. */
  objects: RenderedObject[];
  /** Install manifests the render did not fetch (URL sources), by resource. */
  unfetched: { resource: string; url: string }[];
  /** Stack outputs, secret ones redacted. */
  outputs: Record<string, unknown>;
  /** Names of the secret outputs. */
  secretOutputs: string[];
  durationMs: number;
}

function isKubernetesObjectType(type: string): boolean {
  return (
    type.startsWith("kubernetes:") &&
    !type.startsWith("kubernetes:yaml/") &&
    !type.startsWith("kubernetes:helm.sh/") &&
    !type.startsWith("kubernetes:kustomize/")
  );
}

function redactSecretData(obj: K8sObject): K8sObject {
  if (obj.kind !== "Secret") return obj;
  const out: K8sObject = { ...obj };
  for (const field of ["data", "stringData"] as const) {
    const data = obj[field];
    if (data && typeof data === "object")
      out[field] = Object.fromEntries(Object.keys(data).map((k) => [k, "[redacted]"]));
  }
  return out;
}

/** Kubernetes objects of the recorded resources (typed resources and ConfigGroup `objs`). */
export function kubernetesObjects(resources: RecordedResource[]): {
  objects: RenderedObject[];
  unfetched: { resource: string; url: string }[];
} {
  const objects: RenderedObject[] = [];
  const unfetched: { resource: string; url: string }[] = [];
  for (const r of resources) {
    const id = `${r.type}::${r.name}`;
    const inputs = r.inputs as Record<string, unknown>;
    if (r.type === "kubernetes:yaml/v2:ConfigGroup") {
      for (const o of (inputs.objs as K8sObject[] | undefined) ?? [])
        objects.push({ resource: id, object: redactSecretData(o) });
      for (const f of (inputs.files as string[] | undefined) ?? []) unfetched.push({ resource: id, url: f });
    } else if (!r.component && isKubernetesObjectType(r.type) && typeof inputs.kind === "string") {
      const { apiVersion, kind, metadata, ...rest } = inputs as K8sObject;
      objects.push({ resource: id, object: redactSecretData({ apiVersion, kind, metadata, ...rest }) });
    }
  }
  return { objects, unfetched };
}

/** Render one stack of the project in `projectDir`. Throws ConfigError on invalid configuration. */
export async function renderStack(projectDir: string, stack: string): Promise<RenderResult> {
  const started = Date.now();
  const source = await readStackConfig(projectDir, stack);
  const config = parsePlatformConfig(source);
  // Read with the rest of the stack file: the same file parsed once.
  const providerConfig = source.providerConfig ?? {};
  const secretOutputs: string[] = [];
  const run = await runOnMocks(
    async () => {
      const outputs: PlatformOutputs = await deployPlatform(config, offlineEnvironment(projectDir));
      for (const [k, v] of Object.entries(outputs))
        if (await pulumi.isSecret(v as pulumi.Output<unknown>)) secretOutputs.push(k);
      return outputs;
    },
    { project: CONFIG_NAMESPACE, stack, placeholders, invokes, config: providerConfig },
  );
  const resources = run.resources.map((r) => ({
    ...r,
    inputs: redactSecrets(r.inputs) as Record<string, unknown>,
  }));
  const outputs = Object.fromEntries(
    Object.entries((run.outputs ?? {}) as Record<string, unknown>).map(([k, v]) => [
      k,
      secretOutputs.includes(k) ? "[secret]" : redactSecrets(v),
    ]),
  );
  const { objects, unfetched } = kubernetesObjects(resources);
  return {
    stack,
    config,
    resources,
    objects,
    unfetched,
    outputs,
    secretOutputs,
    durationMs: Date.now() - started,
  };
}
