/**
 * What a platform gives its `clusters/<platform>` tree: the cluster-vars keys (the contract in
 * components/flux/clusterVars.ts), the root Kustomization's path and substitution sources, and
 * whether it is a prod platform. Read from the platform's stack file when the project has one
 * (exact: the offline render's `outputs.clusterVars`), else assumed from the contract.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLUSTER_VARS, type ClusterVarSpec } from "../../../components/flux/clusterVars";
import type { PlatformConfig } from "../../../stacks/config";
import type { Finding } from "./manifests";
import { DiskCache, programVersion, sha256 } from "./cache";
import type { RootSourceKind, TreeContext } from "./tree";
import { firstLine, guarded } from "./guardedRender";
import {
  configLine,
  contractOf,
  fromStored,
  toStored,
  type PlatformContract,
  type StoredContract,
} from "./stackFileContract";

export { platformShards, type PlatformContract, type PlatformShards } from "./stackFileContract";

/** What walking a platform's tree needs from its contract. */
export function treeContextOf(contract: PlatformContract): TreeContext {
  return {
    platform: contract.platform,
    rootPath: contract.rootPath,
    clusterVars: contract.clusterVars,
    secretVars: contract.secretVars,
    ...(contract.rootSourceKind ? { rootSourceKind: contract.rootSourceKind } : {}),
    ...(contract.subsets ? { subsets: contract.subsets } : {}),
  };
}

/** Contract keys that exist on every platform. */
export const ALWAYS_KEYS = Object.entries(CLUSTER_VARS as Record<string, ClusterVarSpec>)
  .filter(([, s]) => s.presentWhen === "always")
  .map(([k]) => k);

/** Whether a `presentWhen` condition of the contract holds for a configuration. */
export function presentFor(when: ClusterVarSpec["presentWhen"], config: PlatformConfig): boolean {
  switch (when) {
    case "always":
      return true;
    case "cluster.kind is eks":
      return config.cluster.kind === "eks";
    case "aws":
      return config.cluster.kind === "eks" || config.dns !== undefined || config.secrets !== undefined;
    case "dns":
      return config.dns !== undefined;
    case "secrets":
      return config.secrets !== undefined;
    case "platform.country":
      return config.country !== undefined;
    case "platform.site":
      return config.site !== undefined;
    case "flux.source.charts":
      return config.flux.source.charts !== undefined;
  }
}

/** cluster-vars keys a configuration yields according to the contract table (values when known). */
export function contractVars(
  config: PlatformConfig,
  platformVars: Record<string, string>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, spec] of Object.entries(CLUSTER_VARS as Record<string, ClusterVarSpec>))
    if (presentFor(spec.presentWhen, config)) out[k] = platformVars[k];
  return { ...out, ...config.flux.vars };
}

/** The contract assumed for a platform without a stack file. */
export function assumedContract(
  platform: string,
  extraVars: string[],
  prod: boolean,
  rootSourceKind?: RootSourceKind,
): PlatformContract {
  const clusterVars = Object.fromEntries([...ALWAYS_KEYS, ...extraVars].map((k) => [k, undefined]));
  return {
    platform,
    clusterVars,
    rootPath: `./clusters/${platform}`,
    prod,
    origin: "the contract's always-present keys and --vars",
    ...(rootSourceKind ? { rootSourceKind } : {}),
  };
}

const PARSED = new Map<string, PlatformConfig>();

/**
 * Contracts of the platforms defined by the project's stack files, keyed by platform name. A stack
 * file that does not load or render is reported as a finding at its line, and the others go on; a
 * platform named by two stack files is reported too, and checked against the first (by file name).
 */
export async function stackContracts(
  projectDir: string,
  opts: {
    /** Cache folder (./cache.ts) for the renders' cluster-vars. */
    cacheRoot?: string;
    /** Only these platforms are rendered (the others get the contract table's keys, unrendered). */
    only?: (platform: string) => boolean;
  } = {},
): Promise<{ contracts: Map<string, PlatformContract>; findings: Finding[]; stacks: string[] }> {
  const contracts = new Map<string, PlatformContract>();
  const findings: Finding[] = [];
  const stacks = fs.existsSync(path.join(projectDir, "Pulumi.yaml"))
    ? fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    : [];
  if (!stacks.length) return { contracts, findings, stacks };
  // The program's modules (the Pulumi SDK among them) are loaded only when a stack file is not in
  // the cache: a warm run reads its contracts from there.
  const program = async () => ({
    ...(await import("../../render")),
    ...(await import("../../../stacks/config")),
    ...(await import("../../../stacks/platform")),
  });
  const stackFinding = (file: string, e: unknown, what: string, extra = "") => {
    const { text, configPath } = firstLine(e);
    findings.push({
      file,
      line: configPath ? configLine(projectDir, file, configPath) : 1,
      rule: "stack",
      base: "project",
      message: `${what}: ${text}${extra}`,
    });
  };
  const disk = opts.cacheRoot ? new DiskCache<Record<string, string>>(opts.cacheRoot, "contract") : undefined;
  const stored = opts.cacheRoot ? new DiskCache<StoredContract>(opts.cacheRoot, "stack-contract") : undefined;
  const projectHash = sha256(fs.readFileSync(path.join(projectDir, "Pulumi.yaml")));
  for (const stack of stacks.sort()) {
    const file = `Pulumi.${stack}.yaml`;
    const fileHash = sha256(fs.readFileSync(path.join(projectDir, file)));
    // What a stack file gives without its render depends on the program, these two files and the
    // AWS region of the environment (stacks/config.ts) only.
    const storedKey = [
      `platform ${programVersion()}`,
      "stack contract, unrendered",
      projectHash,
      fileHash,
      `AWS_REGION=${process.env.AWS_REGION ?? ""}`,
      `AWS_DEFAULT_REGION=${process.env.AWS_DEFAULT_REGION ?? ""}`,
    ].join("\n");
    let unrendered = fromStored(projectDir, stored?.get(storedKey));
    let config: PlatformConfig | undefined;
    if (!unrendered) {
      try {
        const { parsePlatformConfig, readStackConfig, platformClusterVars, clusterNameOf } = await program();
        // Parsed once per content in a process (gitops:lint --changed-since reads the stack files twice).
        const parseKey = [projectDir, stack, projectHash, fileHash].join("\0");
        const parsed = PARSED.get(parseKey) ?? parsePlatformConfig(await readStackConfig(projectDir, stack));
        PARSED.set(parseKey, parsed);
        config = parsed;
        unrendered = contractOf(
          projectDir,
          file,
          config,
          contractVars(config, platformClusterVars(config, clusterNameOf(config))),
          `${file} (contract table; not rendered)`,
        );
        stored?.put(storedKey, toStored(unrendered));
      } catch (e) {
        stackFinding(
          file,
          e,
          `cannot read the platform of stack ${stack}`,
          "; its platform's tree is checked with assumed cluster-vars",
        );
        continue;
      }
    }
    const name = unrendered.platform;
    const other = contracts.get(name);
    if (other) {
      findings.push({
        file,
        line: configLine(projectDir, file, "name"),
        rule: "stack",
        base: "project",
        message: `stack ${stack} defines platform ${name}, and so does ${other.origin.split(" ")[0]}: clusters/${name} is checked against ${other.origin.split(" ")[0]} only; give each stack its own platform:name`,
      });
      continue;
    }
    if (opts.only && !opts.only(name)) {
      contracts.set(name, unrendered);
      continue;
    }
    // The render's cluster-vars depend on the program and on these two files only (cache.ts).
    const key = [`platform ${programVersion()}`, projectHash, fileHash].join("\n");
    try {
      let clusterVars = disk?.get(key);
      if (!clusterVars) {
        const { renderStack } = await program();
        clusterVars = (await guarded(() => renderStack(projectDir, stack))).outputs.clusterVars as Record<
          string,
          string
        >;
        disk?.put(key, clusterVars);
      }
      contracts.set(name, { ...unrendered, clusterVars, origin: `${file} (render)` });
    } catch (e) {
      contracts.set(name, { ...unrendered, origin: `${file} (contract table; the render failed)` });
      stackFinding(
        file,
        e,
        `stack ${stack} does not render`,
        `; platform ${name} is checked with the cluster-vars keys of the contract table`,
      );
    }
  }
  return { contracts, findings, stacks };
}
