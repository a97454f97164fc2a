/**
 * The contracts of a project's stack files (./contract.ts): each stack file parsed for its platform
 * and the contract table's keys, then rendered offline for the exact cluster-vars (./stackRenders.ts),
 * both kept in the cache folder by content. The renders run while the caller goes on: gitops:lint
 * walks each platform as soon as its contract has come.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../../../stacks/config";
import type { Finding } from "./manifests";
import { DiskCache, programVersion, sha256 } from "./cache";
import { contractVars } from "./contract";
import { firstLine } from "./guardedRender";
import { renderStacks, type StackRender } from "./stackRenders";
import {
  configLine,
  contractOf,
  fromStored,
  toStored,
  type PlatformContract,
  type StoredContract,
} from "./stackFileContract";

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
  /** Worker processes for the renders, 0 for this process (./stackRenders.ts renderStacks). */
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
 * stackContracts, returning when every stack file is read, with the renders the cache does not hold
 * under way. When every platform is rendered (no `only`), they start before the stack files are
 * parsed, in stack order; else they start after, in platform order. Whatever order they end in, the
 * contracts and findings come in stack order.
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
  const findingsOf = new Map<string, Finding[]>(stacks.map((s) => [s, []]));
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
  const fileHash = new Map(
    stacks.map((s) => [s, sha256(fs.readFileSync(path.join(projectDir, `Pulumi.${s}.yaml`)))]),
  );
  // The render's cluster-vars depend on the program and on these two files only (cache.ts).
  const renderKey = (stack: string) =>
    [`platform ${programVersion()}`, projectHash, fileHash.get(stack)].join("\n");

  // A render is applied when both it and its stack file's parse are there, in either order; a stack
  // whose parse failed, or whose platform another stack defines, has no render to apply.
  const renders = new Map<string, StackRender>();
  const toApply = new Map<string, { file: string; name: string }>();
  const waiting = new Map<string, () => void>();
  const arrived = new Map<string, Promise<void>>();
  const apply = (stack: string) => {
    const parsed = toApply.get(stack);
    const render = renders.get(stack);
    if (!parsed || !render) return;
    const { file, name } = parsed;
    const contract = unrendered.get(name)!;
    if ("clusterVars" in render) {
      disk?.put(renderKey(stack), render.clusterVars);
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
  };
  const rendered = (stack: string, render: StackRender) => {
    renders.set(stack, render);
    apply(stack);
  };
  const cached = new Map<string, Record<string, string>>();
  let rendering: Promise<void> | undefined;
  if (!opts.only) {
    for (const stack of stacks) {
      const hit = disk?.get(renderKey(stack));
      if (hit) cached.set(stack, hit);
    }
    rendering = renderStacks(
      projectDir,
      stacks.filter((s) => !cached.has(s)),
      rendered,
      opts.workers,
    );
    // Its failure is the caller's when it waits (contract, done), not an unhandled one meanwhile.
    rendering.catch(() => undefined);
  }

  const later: { stack: string; name: string }[] = [];
  for (const stack of stacks) {
    const file = `Pulumi.${stack}.yaml`;
    // What a stack file gives without its render depends on the program, these two files and the
    // AWS region of the environment (stacks/config.ts) only.
    const storedKey = [
      `platform ${programVersion()}`,
      "stack contract, unrendered",
      projectHash,
      fileHash.get(stack),
      `AWS_REGION=${process.env.AWS_REGION ?? ""}`,
      `AWS_DEFAULT_REGION=${process.env.AWS_DEFAULT_REGION ?? ""}`,
    ].join("\n");
    let contract = fromStored(projectDir, stored?.get(storedKey));
    if (!contract) {
      try {
        const { parsePlatformConfig, readStackConfig, platformClusterVars, clusterNameOf } = await program();
        // Parsed once per content in a process (gitops:lint --changed-since reads the stack files twice).
        const parseKey = [projectDir, stack, projectHash, fileHash.get(stack)].join("\0");
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
    const clusterVars = rendering ? cached.get(stack) : disk?.get(renderKey(stack));
    if (clusterVars) {
      contracts.set(name, { ...contract, clusterVars, origin: `${file} (render)` });
      continue;
    }
    arrived.set(name, new Promise<void>((resolve) => waiting.set(name, resolve)));
    toApply.set(stack, { file, name });
    if (rendering) apply(stack);
    else later.push({ stack, name });
  }
  // Rendered in platform order: the order gitops:lint walks them in.
  later.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  rendering ??= renderStacks(
    projectDir,
    later.map((r) => r.stack),
    rendered,
    opts.workers,
  );
  const all = rendering;
  return {
    stacks,
    unrendered,
    // A render that could not run at all (not one that failed: that is a finding) fails the wait.
    contract: async (platform) => {
      await Promise.race([arrived.get(platform), all]);
      return contracts.get(platform);
    },
    done: all.then(done),
  };
}
