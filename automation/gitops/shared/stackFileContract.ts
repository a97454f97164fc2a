/**
 * A platform's contract (PlatformContract, the type ./contract.ts reads and assumes) as its stack file gives it: built from the parsed
 * configuration, with the line of a config path found when a finding asks for it, and the form the
 * cache keeps it in (kind `stack-contract`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument, LineCounter } from "yaml";
import { FLUX_NAMESPACE, RECEIVER_SECRET } from "../../../components/flux/objects";
import type { PlatformConfig } from "../../../stacks/config";
import type { RootSourceKind } from "./tree";

export interface PlatformContract {
  platform: string;
  /** cluster-vars keys with their values (undefined when only the key is known). */
  clusterVars: Record<string, string | undefined>;
  /** Keys of Secret `cluster-secret-vars`; undefined when the platform has no such Secret. */
  secretVars?: string[];
  /** The kind of the root source (flux.source.kind); GitRepository when no stack says. */
  rootSourceKind?: RootSourceKind;
  /** The root Kustomization's path, e.g. `./clusters/de-prod`. */
  rootPath: string;
  /** Prod platforms must follow tags or semver. */
  prod: boolean;
  /** Where the keys came from, for messages, e.g. `Pulumi.local.yaml (render)`. */
  origin: string;
  /** Secrets the program creates before Flux (flux.extraSecrets), as `namespace/name`. */
  earlySecrets?: string[];
  /**
   * The push webhook's token Secret the program creates when the stack sets flux.receiver.token
   * (`flux-system/fleet-receiver-token`), as `namespace/name`; undefined when it creates none.
   */
  receiverSecret?: string;
  /** The shard controllers the program installs (flux.install.scaling.shards); undefined when not known (no stack file). */
  shards?: PlatformShards;
  /** Subsets of a Git root (flux.source.subsets): GitRepository name → directories. */
  subsets?: Record<string, string[]>;
  /** The Git URL the root source pulls from (flux.source.url, Git sources only), when known. */
  sourceUrl?: string;
  /** OCI roots: the Git repository the artifact is published from (flux.source.origin), when given. */
  sourceOrigin?: string;
  /** The root source's ref as configured (stack file and line), when known. */
  rootRef?: { kind: string; value: string; file: string; line: number };
}

/** A platform's Flux shards, as its stack file declares them. */
export interface PlatformShards {
  /** `flux.install.scaling.shards`, in the stack's order; empty: no shards. */
  names: string[];
  /**
   * API groups of the objects the shard controllers split: kustomize and helm with the install
   * manifests (one kustomize- and helm-controller per shard), source too with the operator (its
   * FluxInstance `spec.sharding` shards source-controller as well).
   */
  groups: string[];
  /** The stack file that declares them. */
  file: string;
}

/** The shards of a configuration (components/flux/manifests/scaling.ts and operator.ts render them). */
export function platformShards(config: PlatformConfig, file: string): PlatformShards {
  const groups = ["kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io"];
  return {
    names: config.flux.install.scaling?.shards ?? [],
    groups: config.flux.install.mode === "operator" ? [...groups, "source.toolkit.fluxcd.io"] : groups,
    file,
  };
}

/**
 * The line of a config path (`flux.source.ref`, as messages name it) in a stack file, else the line
 * of its namespace key, else 1.
 */
export function configLine(projectDir: string, file: string, configPath: string): number {
  try {
    const lines = new LineCounter();
    const doc = parseDocument(fs.readFileSync(path.join(projectDir, file), "utf8"), { lineCounter: lines });
    const [head, ...rest] = configPath.split(".");
    const keys = ["config", `platform:${head}`, ...rest];
    for (let n = keys.length; n >= 2; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: number[] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  } catch {
    return 1;
  }
}

/**
 * The root source's ref of a stack file; its line is found when first asked for (only a finding
 * names it): parsing every stack file again for it was a third of a 1,000-platform diff's time.
 */
function rootRefOf(
  projectDir: string,
  file: string,
  kind: string,
  value: string,
): NonNullable<PlatformContract["rootRef"]> {
  let line: number | undefined;
  return {
    kind,
    value,
    file,
    get line() {
      return (line ??= configLine(projectDir, file, "flux.source.ref"));
    },
  };
}

/** A stack file's contract from its configuration, with the given cluster-vars. */
export function contractOf(
  projectDir: string,
  file: string,
  config: PlatformConfig,
  clusterVars: Record<string, string | undefined>,
  origin: string,
): PlatformContract {
  const [kind, value] = Object.entries(config.flux.source.ref).find(([, v]) => v !== undefined) ?? [
    "branch",
    "master",
  ];
  return {
    platform: config.name,
    clusterVars,
    secretVars: Object.keys(config.flux.secretVars).length ? Object.keys(config.flux.secretVars) : undefined,
    rootPath: config.flux.sync.path ?? `./clusters/${config.name}`,
    prod: config.environment === "prod",
    origin,
    rootRef: rootRefOf(projectDir, file, kind, String(value)),
    earlySecrets: config.flux.extraSecrets.map((s) => `${s.namespace}/${s.name}`),
    ...(config.flux.receiver ? { receiverSecret: `${FLUX_NAMESPACE}/${RECEIVER_SECRET}` } : {}),
    shards: platformShards(config, file),
    rootSourceKind: config.flux.source.kind === "oci" ? "OCIRepository" : "GitRepository",
    ...(config.flux.source.kind === "git" ? { sourceUrl: config.flux.source.url } : {}),
    ...(config.flux.source.kind === "git" && config.flux.source.subsets
      ? { subsets: config.flux.source.subsets }
      : {}),
    ...(config.flux.source.kind === "oci" && config.flux.source.origin
      ? { sourceOrigin: config.flux.source.origin }
      : {}),
  };
}

/**
 * A contract as the cache (./cache.ts, kind `stack-contract`) holds it: JSON, so a key without a
 * value is kept as null and the root ref without its line (found when asked, rootRefOf).
 */
export interface StoredContract {
  contract: Omit<PlatformContract, "clusterVars" | "rootRef">;
  clusterVars: [string, string | null][];
  rootRef: { kind: string; value: string; file: string };
}

export function toStored(c: PlatformContract): StoredContract {
  const { clusterVars, rootRef, ...contract } = c;
  const { kind, value, file } = rootRef!;
  return {
    contract,
    clusterVars: Object.entries(clusterVars).map(([k, v]) => [k, v ?? null]),
    rootRef: { kind, value, file },
  };
}

export function fromStored(projectDir: string, s: StoredContract | undefined): PlatformContract | undefined {
  if (!s) return undefined;
  const { kind, value, file } = s.rootRef;
  return {
    ...s.contract,
    clusterVars: Object.fromEntries(s.clusterVars.map(([k, v]) => [k, v ?? undefined])),
    rootRef: rootRefOf(projectDir, file, kind, value),
  };
}
