/** Shared test helpers: valid base configs, parsing with secret paths, running the program on mocks. */
import { parsePlatformConfig, type PlatformConfig } from "../../stacks/config";
import type { PlatformEnvironment } from "../../stacks/environment";
import { deployPlatform } from "../../stacks/platform";
import { runOnMocks, unwrapSecrets, type RecordedResource } from "../../automation/render/engine";
import { invokes, placeholders } from "../../automation/render/placeholders";
import { parseManifests, readProjectTextFile } from "../../stacks/environment";
import { readFileSync } from "node:fs";
import * as path from "node:path";

export const KNOWN_HOSTS = "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEHOSTKEY";

/** A valid config: existing cluster, SSH with a generated deploy key, tag ref. */
export function baseValues(): Record<string, unknown> {
  return {
    name: "de-dev",
    environment: "dev",
    owner: "net-int",
    organization: "acme",
    country: "de",
    cluster: { kind: "existing", kubeconfig: "apiVersion: v1\nkind: Config\n" },
    flux: {
      source: { url: "ssh://git@git.example.com/acme/fleet.git", ref: { tag: "v1.0.0" } },
      auth: { type: "ssh", knownHosts: KNOWN_HOSTS },
    },
  };
}

/** Deep-merge `patch` into `base` (objects merge, everything else replaces; undefined deletes). */
export function withValues(patch: Record<string, unknown>, base = baseValues()): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b && typeof b === "object" && !Array.isArray(b) && a && typeof a === "object" && !Array.isArray(a)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) {
        if (v === undefined) delete out[k];
        else out[k] = merge(out[k], v);
      }
      return out;
    }
    return b;
  };
  return merge(base, patch) as Record<string, unknown>;
}

/** Parse values as if every value were given `secure:` (unless `plain` lists top-level keys given in plain text). */
export function parse(values: Record<string, unknown>, plain: string[] = []): PlatformConfig {
  return parsePlatformConfig({
    stack: "test",
    file: "Pulumi.test.yaml",
    values,
    isSecret: (p) => !plain.includes(String(p[0])),
  });
}

/** The error message of parsing `values`, or "" when they are valid. */
export function configError(values: Record<string, unknown>, plain: string[] = []): string {
  try {
    parse(values, plain);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

const FIXTURE = path.join(__dirname, "..", "fixtures", "project", "flux-install.yaml");
export const installFixture = () => parseManifests(readFileSync(FIXTURE, "utf8"), FIXTURE);

/** An environment that serves the install fixture and a fixed kubeconfig. */
export const testEnvironment: PlatformEnvironment = {
  readKubeconfig: async (file) => `# kubeconfig from ${file}\n`,
  loadInstallManifests: async () => ({ objects: installFixture() }),
  /** Project files from test/fixtures (e.g. fleet/tls/ca.crt). */
  readProjectFile: (file, field) => readProjectTextFile(file, field, path.join(__dirname, "../fixtures")),
};

export interface Deployed {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** The resource with this logical name (fails the test when absent). */
  get(name: string): RecordedResource;
  /** Inputs of the named resource with secrets unwrapped. */
  inputs(name: string): Record<string, unknown>;
  names(): string[];
}

/** Run deployPlatform on the offline engine. */
export const deploy = (
  config: PlatformConfig,
  env: PlatformEnvironment = testEnvironment,
): Promise<Deployed> => onEngine(() => deployPlatform(config, env));

/** Run any program (e.g. one component built from its own arguments) on the offline engine. */
export async function onEngine(program: () => unknown): Promise<Deployed> {
  const run = await runOnMocks(async () => (await program()) as Record<string, unknown> | void, {
    project: "platform",
    stack: "test",
    placeholders,
    invokes,
  });
  const get = (name: string) => {
    const r = run.resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource named ${name}; have ${run.resources.map((x) => x.name).join(", ")}`);
    return r;
  };
  return {
    resources: run.resources,
    outputs: (run.outputs ?? {}) as Record<string, unknown>,
    get,
    inputs: (name) => unwrapSecrets(get(name).inputs) as Record<string, unknown>,
    names: () => run.resources.map((r) => r.name),
  };
}
