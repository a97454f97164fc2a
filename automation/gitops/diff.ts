/**
 * `gitops:diff`: what each platform gets between two revisions of the fleet repository, offline.
 * Every platform's tree is built with kustomize at the revision its root follows (a platform pinned
 * to a tag or a semver range gets the tag, not the ref), substituted with its own cluster-vars, and
 * compared object by object: added, removed, renamed and changed (field by field). Secret values
 * are never shown.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { assumedContract, stackContracts, type PlatformContract } from "./contract";
import { DiffError, FleetGit, type Revision } from "./git";
import { diffMarkdown } from "./diffReport";
import { KustomizeBuilder, KustomizeMissing, resolveKustomize, type KustomizeTool } from "./kustomize";
import { ManifestCache, type K8sLike } from "./manifests";
import { substituteString, substitutionDisabled } from "./substitution";
import { variablesOf, walkTree, type BuiltObject, type KsNode } from "./tree";

export { DiffError };

export interface DiffOptions {
  /** The fleet repository (a Git repository or a directory inside one). */
  repoDir: string;
  /** @default the merge base of HEAD with the main branch */
  from?: string;
  /** @default the working tree */
  to?: string;
  /** Directory with the stack files. @default the parent of the repository */
  projectDir?: string;
  /** Contracts to use instead of rendering the stack files (tests). */
  contracts?: Map<string, PlatformContract>;
  kustomize?: KustomizeTool;
}

/** One object as a platform's tree applies it. */
export interface DiffObject {
  apiVersion: string;
  kind: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  name: string;
  /** The Flux Kustomization that applies it, `namespace/name`. */
  appliedBy: string;
  /** The file it comes from (repository-relative), when traced. */
  file: string;
}

export interface FieldChange {
  /** e.g. `spec.priority`, `data.values\.yaml`, `spec.sliceSubnets[1].name`. */
  path: string;
  /** Absent when the field is added. JSON values; secrets as "(redacted)". */
  from?: unknown;
  /** Absent when the field is removed. */
  to?: unknown;
}

export interface PlatformDiff {
  platform: string;
  /** What the root follows, e.g. `branch main`, `tag v1.0.0`, `semver >=1.0.0`. */
  follows: string;
  /** Built at a tag the refs do not decide. */
  pinned: boolean;
  from: Revision;
  to: Revision;
  added: (DiffObject & { object: Record<string, unknown> })[];
  removed: (DiffObject & { object: Record<string, unknown> })[];
  renamed: { from: DiffObject; to: DiffObject; fields: FieldChange[] }[];
  changed: (DiffObject & { fields: FieldChange[] })[];
  /** What kept a side from building completely (kustomize errors, missing paths, unknown tags). */
  problems: string[];
}

export interface FleetDiff {
  from: Revision;
  to: Revision;
  platforms: PlatformDiff[];
  /** Stack files that could not be read (their platforms are compared with assumed cluster-vars). */
  problems: string[];
  /** Whether any platform gets anything different. */
  changed: boolean;
  durationMs: number;
}

const REDACTED = "(redacted)";

/** Kinds kustomize's namespace transformer (targetNamespace) leaves alone. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterIssuer",
  "ClusterSecretStore",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
]);

/** An object as shown: Secret values and SOPS metadata replaced, so nothing secret is printed. */
export function redact(obj: Record<string, unknown>): Record<string, unknown> {
  if (obj.kind !== "Secret") return obj;
  const out: Record<string, unknown> = { ...obj };
  for (const f of ["data", "stringData"])
    if (out[f] && typeof out[f] === "object")
      out[f] = Object.fromEntries(Object.keys(out[f] as object).map((k) => [k, REDACTED]));
  if (out.sops) out.sops = REDACTED;
  return out;
}

const identity = (o: DiffObject) =>
  `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${o.kind}/${o.namespace}/${o.name}`;

function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Field-level differences of two JSON values (arrays index by index). */
export function fieldChanges(a: unknown, b: unknown, at = ""): FieldChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  const p = (s: string) => (at + s).replace(/^\./, "");
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      if (i >= a.length) out.push({ path: p(`[${i}]`), to: b[i] });
      else if (i >= b.length) out.push({ path: p(`[${i}]`), from: a[i] });
      else out.push(...fieldChanges(a[i], b[i], `${at}[${i}]`));
    return out;
  }
  if (isObj(a) && isObj(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
    return keys.flatMap((k) => {
      if (!(k in bo)) return [{ path: p(segment(k)), from: ao[k] }];
      if (!(k in ao)) return [{ path: p(segment(k)), to: bo[k] }];
      return fieldChanges(ao[k], bo[k], at + segment(k));
    });
  }
  return [{ path: at.replace(/^\./, "") || ".", from: a, to: b }];
}

interface Side {
  objects: Map<string, DiffObject & { object: Record<string, unknown> }>;
  problems: string[];
}

function follows(contract: PlatformContract): { kind: string; value: string } {
  return contract.rootRef
    ? { kind: contract.rootRef.kind, value: contract.rootRef.value }
    : { kind: "", value: "" };
}

/**
 * An object as kustomize-controller applies it: known variables substituted into the YAML text, which
 * is then parsed as YAML 1.1 (so `priority: ${P}` with P=7 is the number 7, as on the cluster).
 * Unknown variables (secret ones, or keys without a value) stay as written.
 */
function asFluxApplies(built: BuiltObject, vars: Record<string, string | undefined> | undefined): K8sLike {
  const raw = built.doc.object;
  const known = Object.fromEntries(
    Object.entries(vars ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (!vars || substitutionDisabled(built.obj.metadata)) return { ...built.obj };
  try {
    const parsed = parse(substituteString(stringify(raw), known), { version: "1.1" }) as K8sLike;
    return parsed && typeof parsed === "object" ? { ...parsed, metadata: parsed.metadata ?? {} } : built.obj;
  } catch {
    return { ...built.obj };
  }
}

/** One platform's tree at one checkout: its objects by identity, and what kept it from building. */
function buildSide(
  checkout: string,
  builders: Map<string, { cache: ManifestCache; builder: KustomizeBuilder }>,
  tool: KustomizeTool,
  contract: PlatformContract,
): Side {
  let b = builders.get(checkout);
  if (!b) {
    b = { cache: new ManifestCache(checkout), builder: new KustomizeBuilder(checkout, tool) };
    builders.set(checkout, b);
  }
  const side: Side = { objects: new Map(), problems: [] };
  if (!fs.existsSync(path.join(checkout, contract.rootPath))) {
    side.problems.push(`${contract.rootPath} does not exist`);
    return side;
  }
  const tree = walkTree(
    b.cache,
    {
      platform: contract.platform,
      rootPath: contract.rootPath,
      clusterVars: contract.clusterVars,
      secretVars: contract.secretVars,
    },
    b.builder,
  );
  for (const f of tree.findings)
    if (["path", "kustomize", "yaml"].includes(f.rule))
      side.problems.push(`${f.file}:${f.line}: ${f.message}`);
  const appliedBy = (n: KsNode) => `${n.namespace}/${n.name}`;
  for (const node of tree.nodes)
    for (const built of node.built) {
      const applied = asFluxApplies(built, variablesOf(node, tree));
      const meta = applied.metadata;
      const namespace = CLUSTER_SCOPED.has(applied.kind)
        ? ""
        : String(node.spec.targetNamespace ?? meta.namespace ?? "");
      // As Flux applies it: targetNamespace set on every namespaced object.
      const object = namespace ? { ...applied, metadata: { ...meta, namespace } } : applied;
      const o = {
        apiVersion: applied.apiVersion,
        kind: applied.kind,
        namespace,
        name: String(meta.name ?? ""),
        appliedBy: appliedBy(node),
        file: built.doc.file,
        object,
      };
      side.objects.set(identity(o), o);
    }
  return side;
}

const strip = <T extends DiffObject & { object: Record<string, unknown> }>({
  object: _o,
  ...rest
}: T): DiffObject => rest;

/** Compare a platform's two sides. */
function compare(from: Side, to: Side): Pick<PlatformDiff, "added" | "removed" | "renamed" | "changed"> {
  const added = [...to.objects].filter(([k]) => !from.objects.has(k)).map(([, o]) => o);
  const removed = [...from.objects].filter(([k]) => !to.objects.has(k)).map(([, o]) => o);
  const changed: PlatformDiff["changed"] = [];
  for (const [k, before] of from.objects) {
    const after = to.objects.get(k);
    if (!after) continue;
    // Secret values are compared by hash and shown as "(redacted)".
    const fields = fieldChanges(redactFields(before.object), redactFields(after.object)).map(hideHashes);
    if (fields.length) changed.push({ ...strip(after), fields });
  }
  // A rename: removed and added objects of one kind and namespace, equal but for the name.
  const renamed: PlatformDiff["renamed"] = [];
  const unnamed = (o: Record<string, unknown>) =>
    JSON.stringify({ ...o, metadata: { ...(o.metadata as object), name: undefined } });
  for (const gone of [...removed]) {
    const match = added.find(
      (n) =>
        n.kind === gone.kind && n.namespace === gone.namespace && unnamed(n.object) === unnamed(gone.object),
    );
    if (!match) continue;
    renamed.push({
      from: strip(gone),
      to: strip(match),
      fields: [{ path: "metadata.name", from: gone.name, to: match.name }],
    });
    removed.splice(removed.indexOf(gone), 1);
    added.splice(added.indexOf(match), 1);
  }
  const show = <T extends { object: Record<string, unknown> }>(o: T) => ({ ...o, object: redact(o.object) });
  return { added: added.map(show), removed: removed.map(show), renamed, changed };
}

/** Secret values compared by value but shown as "(redacted)": a changed value shows as changed. */
function redactFields(o: Record<string, unknown>): Record<string, unknown> {
  if (o.kind !== "Secret") return o;
  const out: Record<string, unknown> = { ...o };
  for (const f of ["data", "stringData"])
    if (out[f] && typeof out[f] === "object") {
      const values = out[f] as Record<string, unknown>;
      out[f] = Object.fromEntries(Object.keys(values).map((k) => [k, `${REDACTED}#${hashOf(values[k])}`]));
    }
  if (out.sops) out.sops = `${REDACTED}#${hashOf(out.sops)}`;
  return out;
}

/** A changed secret value shows as changed, never with its value or its hash. */
function hideHashes(f: FieldChange): FieldChange {
  const hidden = (v: unknown) => (typeof v === "string" && v.startsWith(`${REDACTED}#`) ? REDACTED : v);
  return {
    ...f,
    ...("from" in f ? { from: hidden(f.from) } : {}),
    ...("to" in f ? { to: hidden(f.to) } : {}),
  };
}

function hashOf(v: unknown): string {
  return createHash("sha256").update(JSON.stringify(v)).digest("hex");
}

/** The platforms to compare: those with a stack file, and those with a clusters/<platform>/ at either side. */
function platformsOf(contracts: Map<string, PlatformContract>, checkouts: string[]): PlatformContract[] {
  const names = new Set(contracts.keys());
  for (const dir of checkouts) {
    const clusters = path.join(dir, "clusters");
    if (fs.existsSync(clusters))
      for (const e of fs.readdirSync(clusters, { withFileTypes: true }))
        if (e.isDirectory()) names.add(e.name);
  }
  return [...names].sort().map((n) => contracts.get(n) ?? assumedContract(n, [], /(^|-)prod$/.test(n)));
}

/** Diff the fleet: every platform between two revisions. */
export async function diffFleet(options: DiffOptions): Promise<FleetDiff> {
  const started = Date.now();
  const tool = options.kustomize ?? resolveKustomize();
  const repoDir = path.resolve(options.repoDir);
  const git = new FleetGit(repoDir);
  const builders = new Map<string, { cache: ManifestCache; builder: KustomizeBuilder }>();
  try {
    const from: Revision = options.from
      ? { label: options.from, commit: git.commit(options.from) }
      : git.mergeBase();
    const to: Revision = options.to
      ? { label: options.to, commit: git.commit(options.to) }
      : { label: "working tree" };
    const checkouts = [git.checkout(from), git.checkout(to)];
    let contracts = options.contracts;
    const problems: string[] = [];
    if (!contracts) {
      const read = await stackContracts(options.projectDir ?? path.dirname(repoDir));
      contracts = read.contracts;
      problems.push(...read.findings.map((f) => `${f.file}:${f.line}: ${f.message}`));
    }
    const platforms: PlatformDiff[] = [];
    for (const contract of platformsOf(contracts, checkouts)) {
      const ref = follows(contract);
      const pinned = ref.kind === "tag" || ref.kind === "semver";
      const sideRev = (rev: Revision): Revision | string => {
        if (ref.kind === "tag")
          return tagCommit(git, ref.value)
            ? { label: `tag ${ref.value}`, commit: tagCommit(git, ref.value) }
            : `tag ${ref.value} does not exist in the repository`;
        if (ref.kind === "semver") {
          const tag = git.newestMatching(ref.value, rev);
          return tag
            ? { label: `tag ${tag}`, commit: git.commit(`refs/tags/${tag}`) }
            : `no tag reachable from ${rev.label} matches ${ref.value}`;
        }
        return rev;
      };
      const fromRev = sideRev(from);
      const toRev = sideRev(to);
      const unbuilt: Side = { objects: new Map(), problems: [] };
      const fromSide =
        typeof fromRev === "string"
          ? { ...unbuilt, problems: [fromRev] }
          : buildSide(git.checkout(fromRev), builders, tool, contract);
      const toSide =
        typeof toRev === "string"
          ? { ...unbuilt, problems: [toRev] }
          : buildSide(git.checkout(toRev), builders, tool, contract);
      platforms.push({
        platform: contract.platform,
        follows: ref.kind ? `${ref.kind} ${ref.value}` : "the refs (no stack file)",
        pinned,
        from: typeof fromRev === "string" ? { label: fromRev } : fromRev,
        to: typeof toRev === "string" ? { label: toRev } : toRev,
        ...compare(fromSide, toSide),
        problems: [
          ...fromSide.problems.map((p) => (typeof fromRev === "string" ? p : `at ${fromRev.label}: ${p}`)),
          ...toSide.problems.map((p) => (typeof toRev === "string" ? p : `at ${toRev.label}: ${p}`)),
        ].filter((p, i, all) => all.indexOf(p) === i),
      });
    }
    const changed = platforms.some(
      (p) => p.added.length + p.removed.length + p.renamed.length + p.changed.length > 0,
    );
    return { from, to, platforms, problems, changed, durationMs: Date.now() - started };
  } finally {
    for (const b of builders.values()) b.builder.dispose();
    git.dispose();
  }
}

function tagCommit(git: FleetGit, tag: string): string | undefined {
  try {
    return git.commit(`refs/tags/${tag}`);
  } catch {
    return undefined;
  }
}

const DIFF_USAGE =
  "usage: npm run gitops:diff -- [<from-ref> [<to-ref>]] [--repo <fleet repo dir>] [--project <dir with Pulumi.<stack>.yaml>] [--json]\n" +
  "  refs of the fleet repository (branches, tags, commits); from defaults to the merge base with main, to to the working tree\n" +
  "  exit code: 0 no platform changes, 1 some platform changes, 2 the diff could not be made";

/**
 * The gitops:diff command: parses argv, prints Markdown (or JSON with --json) and returns the exit
 * code: 0 nothing changes, 1 something changes, 2 a user error (printed without a stack trace).
 */
export async function runGitopsDiff(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void },
  cwd = process.cwd(),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: "string" },
        project: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${DIFF_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(DIFF_USAGE);
    return 0;
  }
  if (positionals.length > 2) {
    io.err(`too many refs (${positionals.join(" ")}): give at most <from-ref> <to-ref>\n${DIFF_USAGE}`);
    return 2;
  }
  try {
    const diff = await diffFleet({
      repoDir: path.resolve(cwd, values.repo ?? "gitops"),
      from: positionals[0],
      to: positionals[1],
      projectDir: values.project ? path.resolve(cwd, values.project) : undefined,
    });
    io.out(values.json ? JSON.stringify(diff, null, 2) : diffMarkdown(diff));
    io.err(
      `gitops:diff: ${diff.platforms.length} platforms, ${diff.platforms.filter((p) => p.added.length + p.removed.length + p.renamed.length + p.changed.length).length} with changes (${diff.durationMs} ms)`,
    );
    return diff.changed ? 1 : 0;
  } catch (e) {
    if (e instanceof DiffError || e instanceof KustomizeMissing) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
}
