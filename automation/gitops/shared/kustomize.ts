/**
 * kustomize itself, as the gitops commands run it: one resolver (the project's cached build of the
 * pinned version, else a kustomize v5 on PATH) and a builder that runs `kustomize build` the way
 * kustomize-controller does (a directory without kustomization.yaml gets the generated one), with
 * origin annotations so every object can be traced back to its file. Sandboxed (./sandbox.ts): it
 * builds a mirror of the repository without `.git/`, oversized files or links leading out, with
 * kustomize's default load restrictor (a kustomization reads files in or below its own directory)
 * and an environment in which Git cannot fetch.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { MAX_YAML_ALIASES, mirrorRepo, sandboxEnv, type BadLink } from "./sandbox";
import { DiskCache, PROGRAM_VERSION, sha256 } from "./cache";

const VERSIONS_FILE = path.resolve(__dirname, "../../../scripts/tools/versions.env");

/** The command that builds (or finds) kustomize, as the user types it in the project directory. */
export const KUSTOMIZE_BUILD_COMMAND = "bash scripts/tools/kustomize.sh";

/** The pinned kustomize version (scripts/tools/versions.env). */
export function pinnedKustomizeVersion(): string {
  const m = /^KUSTOMIZE_VERSION=(\S+)$/m.exec(fs.readFileSync(VERSIONS_FILE, "utf8"));
  if (!m) throw new Error(`${VERSIONS_FILE} has no KUSTOMIZE_VERSION=`);
  return m[1];
}

/** kustomize is not installed: the message says how to get it. */
export class KustomizeMissing extends Error {}

export interface KustomizeTool {
  bin: string;
  version: string;
  /** `cache` (the project's build) or `PATH`. */
  source: "cache" | "PATH";
}

/** Where scripts/tools/kustomize.sh puts the pinned build. */
export function cachedKustomizePath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.PLATFORM_TOOLS_CACHE ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "platform-tools");
  return path.join(base, "kustomize", pinnedKustomizeVersion(), "kustomize");
}

function versionOf(bin: string, env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(bin, ["version"], { encoding: "utf8", env, timeout: 10_000 });
  return r.status === 0 ? /v\d+\.\d+\.\d+\S*/.exec(r.stdout)?.[0] : undefined;
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, "kustomize");
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

const resolved = new Map<string, KustomizeTool>();

/**
 * The kustomize the gitops commands use: the project's build of the pinned version, else a
 * kustomize v5 on PATH. Throws KustomizeMissing with the exact command to get one.
 */
export function resolveKustomize(env: NodeJS.ProcessEnv = process.env): KustomizeTool {
  const cached = cachedKustomizePath(env);
  const memo = `${cached}\0${env.PATH ?? ""}`;
  const hit = resolved.get(memo);
  if (hit) return hit;
  let tool: KustomizeTool | undefined;
  if (fs.existsSync(cached)) tool = { bin: cached, version: pinnedKustomizeVersion(), source: "cache" };
  let ignored = "";
  const found = tool ? undefined : onPath(env);
  if (found) {
    const version = versionOf(found, env);
    if (version?.startsWith("v5.")) tool = { bin: found, version, source: "PATH" };
    else ignored = ` (${found} is ${version ?? "not a working kustomize"}; v5 is needed)`;
  }
  if (!tool)
    throw new KustomizeMissing(
      `kustomize is needed to build the fleet repository as Flux does, and none was found: not in ${path.dirname(cached)}/, and no kustomize v5 on PATH${ignored}.\n` +
        `Build it (Go and the Go module proxy; about a minute, once) in the project directory with:\n  ${KUSTOMIZE_BUILD_COMMAND}`,
    );
  resolved.set(memo, tool);
  return tool;
}

/** Where kustomize says an object comes from (repository-relative), from `config.kubernetes.io/origin`. */
export interface Origin {
  /** The manifest file, for objects read from one. */
  file?: string;
  /** The kustomization.yaml whose generator made it, for generated objects. */
  configuredIn?: string;
}

export interface KustomizeOutput {
  objects: { object: Record<string, unknown>; origin?: Origin }[];
  /** kustomize's error, with paths relative to the repository. */
  error?: string;
}

const ORIGIN = "config.kubernetes.io/origin";

/**
 * What of a kustomize error may be printed: kustomize quotes what it could not parse (a line of a
 * file, a patch), and the output goes into a merge-request comment, so a PEM block, a backquoted
 * snippet or a long token-like run is replaced, and the message is cut at 800 characters.
 */
export function withoutContent(message: string): string {
  const out = message
    .replace(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, "(a PEM block, not shown)")
    .replace(/-----END [A-Z0-9 ]+-----/g, "(not shown)")
    .replace(/`[^`]*`/g, "`(not shown)`")
    .replace(/invalid document separator: .*?(?=': |$)/g, "invalid document separator")
    .replace(/[A-Za-z0-9+=]{40,}/g, "(not shown)");
  return out.length > 800 ? `${out.slice(0, 800)}…` : out;
}

/** kustomize's error without the wrapper's layers of "accumulating resources" (they name no file). */
function tidyError(stderr: string): string {
  return withoutContent(stderr)
    .trim()
    .replace(/^Error: /, "")
    .replace(
      /accumulating resources: accumulation err='accumulating resources from '[^']*': (read [^']*: is a directory|'[^']*' must resolve to a file)': /,
      "",
    )
    .replace(/^recursed accumulation of path '([^']*)': /, "in $1: ");
}

const GENERATED = "kustomization.yaml";
/** How long one `kustomize build` may take: a tree must not hold a merge-request pipeline forever. */
export const KUSTOMIZE_TIMEOUT_MS = 120_000;

/**
 * Runs `kustomize build` on directories of one repository checkout (its mirror, made at the first
 * build); results cached per directory.
 */
export class KustomizeBuilder {
  private readonly work: string;
  private readonly results = new Map<string, KustomizeOutput>();
  private count = 0;
  private mirror?: string;
  /** Symbolic links of the repository left out of the mirror (set by the first build). */
  badLinks: BadLink[] = [];
  /** Content hashes of the mirror's paths (undefined: holds a link, so not cacheable). */
  private readonly hashes = new Map<string, string | undefined>();
  /** Builds kept on disk (./cache.ts), when a cache folder is given. */
  readonly disk?: DiskCache<KustomizeOutput>;

  constructor(
    readonly repoDir: string,
    readonly tool: KustomizeTool = resolveKustomize(),
    cacheRoot?: string,
  ) {
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-kustomize-"));
    if (cacheRoot) this.disk = new DiskCache<KustomizeOutput>(cacheRoot, "kustomize");
  }

  /** The content hash of a path of the mirror: a file's bytes, a directory's entries, recursively. */
  private hashOf(rel: string): string | undefined {
    if (this.hashes.has(rel)) return this.hashes.get(rel);
    const abs = path.join(this.mirrored(), rel);
    let out: string | undefined;
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!st) out = "missing";
    else if (st.isSymbolicLink()) out = undefined;
    else if (st.isFile()) out = `file:${sha256(fs.readFileSync(abs))}`;
    else if (st.isDirectory()) {
      const parts: string[] = [];
      for (const name of fs.readdirSync(abs).sort()) {
        const h = this.hashOf(rel === "." ? name : `${rel}/${name}`);
        if (h === undefined) {
          parts.push("");
          break;
        }
        parts.push(`${name}\0${h}`);
      }
      // A directory holding a link (anywhere below) is not cacheable.
      out = parts.includes("") ? undefined : `dir:${sha256(parts.join("\n"))}`;
    }
    this.hashes.set(rel, out);
    return out;
  }

  /**
   * The disk-cache key of a build: kustomize's and the program's versions, what is built, and the
   * content of every path it may read (`inputs`, BuildResult.inputs); undefined when not cacheable.
   */
  private diskKey(dir: string, resources: string[] | undefined, inputs: string[] | undefined) {
    if (!this.disk || !inputs) return undefined;
    const parts = [
      `kustomize ${this.tool.version}`,
      `platform ${PROGRAM_VERSION}`,
      dir,
      ...(resources ?? []),
    ];
    for (const i of [...new Set(inputs)].sort()) {
      if (i === ".." || i.startsWith("../")) continue;
      const h = this.hashOf(i);
      if (h === undefined) return undefined;
      parts.push(`${i}\0${h}`);
    }
    return parts.join("\n");
  }

  private mirrored(): string {
    if (!this.mirror) {
      const dir = path.join(this.work, "repo");
      fs.mkdirSync(dir);
      this.badLinks = mirrorRepo(this.repoDir, dir);
      this.mirror = dir;
    }
    return this.mirror;
  }

  /**
   * Build `dir` (repository-relative). `resources` lists what kustomize-controller's generated
   * kustomization.yaml would hold when the directory has none; undefined when it has one.
   */
  build(dir: string, resources?: string[], inputs?: string[]): KustomizeOutput {
    const memoKey = `${dir}\0${resources?.join("\0") ?? ""}`;
    const memo = this.results.get(memoKey);
    if (memo) return memo;
    const mirror = this.mirrored();
    const diskKey = this.diskKey(dir, resources, inputs);
    const stored = diskKey ? this.disk?.get(diskKey) : undefined;
    if (stored) {
      this.results.set(memoKey, stored);
      return stored;
    }
    // A directory without kustomization.yaml gets the generated one in the directory itself, as
    // kustomize-controller does, so the default load restrictor holds (every file it lists is below
    // it; removed after the build); one with its own is listed by a wrapper outside the mirror.
    let wrapper = path.join(mirror, dir);
    if (!resources) {
      wrapper = path.join(this.work, String(this.count++));
      fs.mkdirSync(wrapper);
    }
    const listed = resources
      ? resources.map((p) => path.posix.relative(dir, p))
      : [path.relative(wrapper, path.join(mirror, dir)).split(path.sep).join("/")];
    fs.writeFileSync(
      path.join(wrapper, GENERATED),
      stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        buildMetadata: ["originAnnotations"],
        resources: listed,
      }),
    );
    try {
      const result = this.run(wrapper, mirror);
      this.results.set(memoKey, result);
      // Never a Secret in plain text on disk: a build holding one that SOPS did not encrypt is not kept.
      // Failures are not kept (a timeout may be the machine's load).
      if (
        diskKey &&
        !result.error &&
        !result.objects.some((o) => o.object.kind === "Secret" && !o.object.sops)
      )
        this.disk?.put(diskKey, result);
      return result;
    } finally {
      if (resources) fs.rmSync(path.join(wrapper, GENERATED));
    }
  }

  private run(wrapper: string, mirror: string): KustomizeOutput {
    let stdout: string;
    try {
      // kustomize's default load restrictor (LoadRestrictionsRootOnly), said out loud.
      stdout = execFileSync(
        this.tool.bin,
        ["build", "--load-restrictor", "LoadRestrictionsRootOnly", wrapper],
        {
          encoding: "utf8",
          maxBuffer: 256 * 1024 * 1024,
          stdio: ["ignore", "pipe", "pipe"],
          env: sandboxEnv(),
          cwd: mirror,
          timeout: KUSTOMIZE_TIMEOUT_MS,
          killSignal: "SIGKILL",
        },
      );
    } catch (e) {
      if ((e as { signal?: unknown }).signal === "SIGKILL")
        return {
          objects: [],
          error: `kustomize did not finish within ${KUSTOMIZE_TIMEOUT_MS / 1000} s and was stopped`,
        };
      const stderr = String((e as { stderr?: unknown }).stderr ?? (e as Error).message);
      return { objects: [], error: this.repoRelative(wrapper, mirror, tidyError(stderr)) };
    }
    const objects: KustomizeOutput["objects"] = [];
    for (const doc of parseAllDocuments(stdout)) {
      const object = (doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? undefined) as
        Record<string, unknown> | undefined;
      if (!object) continue;
      const metadata = (object.metadata ?? {}) as { annotations?: Record<string, string> };
      const raw = metadata.annotations?.[ORIGIN];
      let origin: Origin | undefined;
      if (raw !== undefined) {
        delete metadata.annotations![ORIGIN];
        if (!Object.keys(metadata.annotations!).length) delete metadata.annotations;
        const o = parse(raw) as { path?: string; configuredIn?: string };
        const toRepo = (p?: string) => {
          if (!p) return undefined;
          const r = path.relative(mirror, path.resolve(wrapper, p)).split(path.sep).join("/");
          return r.startsWith("..") ? undefined : r;
        };
        origin = { file: toRepo(o.path), configuredIn: toRepo(o.configuredIn) };
      }
      objects.push({ object, origin });
    }
    return { objects };
  }

  /** kustomize's message with the wrapper's and the mirror's paths made repository-relative. */
  private repoRelative(wrapper: string, mirror: string, message: string): string {
    let out = message.split(`${mirror}/`).join("").split(mirror).join(".");
    if (!wrapper.startsWith(`${mirror}/`)) {
      const prefix = `${path.relative(wrapper, mirror).split(path.sep).join("/")}/`;
      out = out.split(`${wrapper}/`).join("").split(prefix).join("");
    }
    return out.split(`${this.repoDir}/`).join("").split(this.work).join("<build>");
  }

  /** Remove the temporary folder. */
  dispose(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
