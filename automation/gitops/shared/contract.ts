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
import { firstLine } from "./guardedRender";
import { renderStacks } from "./stackRenders";
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

/** The contracts of a project's stack files, and the stacks (every Pulumi.<stack>.yaml). */
export interface StackContracts {
  contracts: Map<string, PlatformContract>;
  /** Stack files that do not load or render, and platforms two stack files define: in stack order. */
  findings: Finding[];
  stacks: string[];
}

/** stackContracts while the renders run: what is known at once, and each platform's contract as it comes. */
export interface StartedStackContracts {
  stacks: string[];
  /** Every platform's contract before its render (the keys of the contract table). */
  unrendered: Map<string, PlatformContract>;
  /** A platform's contract once its render, if it needs one, has ended; undefined without a stack file. */
  contract(platform: string): Promise<PlatformContract | undefined>;
  /** Every render ended. */
  done: Promise<StackContracts>;
}

export interface StackContractsOptions {
  /** Cache folder (./cache.ts) for the renders' cluster-vars. */
  cacheRoot?: string;
  /** Only these platforms are rendered (the others get the contract table's keys, unrendered). */
  only?: (platform: string) => boolean;
  /** Processes for the renders (./stackRenders.ts): 1 renders here; default one per core for many. */
  workers?: number;
}

/**
 * Contracts of the platforms defined by the project's stack files, keyed by platform name. A stack
 * file that does not load or render is reported as a finding at its line, and the others go on; a
 * platform named by two stack files is reported too, and checked against the first (by file name).
 */
export async function stackContracts(
  projectDir: string,
  opts: StackContractsOptions = {},
): Promise<StackContracts> {
  return (await startStackContracts(projectDir, opts)).done;
}

/**
 * stackContracts, returning when every stack file is read and its renders are under way: the
 * renders the cache does not hold run in platform order, in worker processes when there are many.
 */
export async function startStackContracts(
  projectDir: string,
  opts: StackContractsOptions = {},
): Promise<StartedStackContracts> {
  const unrendered = new Map<string, PlatformContract>();
  const contracts = new Map<string, PlatformContract>();
  const stacks = fs.existsSync(path.join(projectDir, "Pulumi.yaml"))
    ? fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    : [];
  stacks.sort();
  // Each stack's findings, so that they come in stack order whatever order the renders end in.
  const findingsOf = new Map<string, Finding[]>(stacks.map((s) => [s, []]));
  // In stack order, whatever order the renders end in.
  const done = (): StackContracts => ({
    contracts: new Map([...unrendered.keys()].map((name) => [name, contracts.get(name)!])),
    findings: stacks.flatMap((s) => findingsOf.get(s)!),
    stacks,
  });
  if (!stacks.length)
    return { stacks, unrendered, contract: async () => undefined, done: Promise.resolve(done()) };
  // The program's modules (the Pulumi SDK among them) are loaded only when a stack file is not in
  // the cache: a warm run reads its contracts from there.
  const program = async () => ({
    ...(await import("../../../stacks/config")),
    ...(await import("../../../stacks/platform")),
    ...(await import("../../render/stackFile")),
  });
  const stackFinding = (
    stack: string,
    error: { text: string; configPath?: string },
    what: string,
    extra = "",
  ) => {
    const file = `Pulumi.${stack}.yaml`;
    findingsOf.get(stack)!.push({
      file,
      line: error.configPath ? configLine(projectDir, file, error.configPath) : 1,
      rule: "stack",
      base: "project",
      message: `${what}: ${error.text}${extra}`,
    });
  };
  const disk = opts.cacheRoot ? new DiskCache<Record<string, string>>(opts.cacheRoot, "contract") : undefined;
  const stored = opts.cacheRoot ? new DiskCache<StoredContract>(opts.cacheRoot, "stack-contract") : undefined;
  const projectHash = sha256(fs.readFileSync(path.join(projectDir, "Pulumi.yaml")));
  const toRender: { stack: string; file: string; name: string; key: string }[] = [];
  for (const stack of stacks) {
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
    let contract = fromStored(projectDir, stored?.get(storedKey));
    if (!contract) {
      try {
        const { parsePlatformConfig, readStackConfig, platformClusterVars, clusterNameOf } = await program();
        // Parsed once per content in a process (gitops:lint --changed-since reads the stack files twice).
        const parseKey = [projectDir, stack, projectHash, fileHash].join("\0");
        const config = PARSED.get(parseKey) ?? parsePlatformConfig(await readStackConfig(projectDir, stack));
        PARSED.set(parseKey, config);
        contract = contractOf(
          projectDir,
          file,
          config,
          contractVars(config, platformClusterVars(config, clusterNameOf(config))),
          `${file} (contract table; not rendered)`,
        );
        stored?.put(storedKey, toStored(contract));
      } catch (e) {
        stackFinding(
          stack,
          firstLine(e),
          `cannot read the platform of stack ${stack}`,
          "; its platform's tree is checked with assumed cluster-vars",
        );
        continue;
      }
    }
    const name = contract.platform;
    const other = unrendered.get(name);
    if (other) {
      findingsOf.get(stack)!.push({
        file,
        line: configLine(projectDir, file, "name"),
        rule: "stack",
        base: "project",
        message: `stack ${stack} defines platform ${name}, and so does ${other.origin.split(" ")[0]}: clusters/${name} is checked against ${other.origin.split(" ")[0]} only; give each stack its own platform:name`,
      });
      continue;
    }
    unrendered.set(name, contract);
    if (opts.only && !opts.only(name)) {
      contracts.set(name, contract);
      continue;
    }
    // The render's cluster-vars depend on the program and on these two files only (cache.ts).
    const key = [`platform ${programVersion()}`, projectHash, fileHash].join("\n");
    const clusterVars = disk?.get(key);
    if (clusterVars) contracts.set(name, { ...contract, clusterVars, origin: `${file} (render)` });
    else toRender.push({ stack, file, name, key });
  }
  // Rendered in platform order: the order gitops:lint walks them in.
  toRender.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const waiting = new Map<string, () => void>();
  const arrived = new Map<string, Promise<void>>(
    toRender.map((r) => [r.name, new Promise<void>((resolve) => waiting.set(r.name, resolve))]),
  );
  const byStack = new Map(toRender.map((r) => [r.stack, r]));
  const rendered = renderStacks(
    projectDir,
    toRender.map((r) => r.stack),
    (stack, render) => {
      const { file, name, key } = byStack.get(stack)!;
      const contract = unrendered.get(name)!;
      if ("clusterVars" in render) {
        disk?.put(key, render.clusterVars);
        contracts.set(name, { ...contract, clusterVars: render.clusterVars, origin: `${file} (render)` });
      } else {
        contracts.set(name, { ...contract, origin: `${file} (contract table; the render failed)` });
        stackFinding(
          stack,
          render.error,
          `stack ${stack} does not render`,
          `; platform ${name} is checked with the cluster-vars keys of the contract table`,
        );
      }
      waiting.get(name)!();
    },
    opts.workers,
  );
  return {
    stacks,
    unrendered,
    // A render that could not run at all (not one that failed: that is a finding) fails the wait.
    contract: async (platform) => {
      await Promise.race([arrived.get(platform), rendered]);
      return contracts.get(platform);
    },
    done: rendered.then(done),
  };
}
