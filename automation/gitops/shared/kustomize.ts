/**
 * kustomize itself, as the gitops commands run it: one resolver (the project's cached build of the
 * pinned version, else a kustomize v5 on PATH) and a builder that runs `kustomize build` the way
 * kustomize-controller does (a directory without kustomization.yaml gets the generated one), with
 * origin annotations so every object can be traced back to its file. Sandboxed (./sandbox.ts): it
 * builds a mirror of the repository without `.git/`, oversized files or links leading out, with
 * kustomize's default load restrictor (a kustomization reads files in or below its own directory)
 * and an environment in which Git cannot fetch.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { MAX_YAML_ALIASES, sandboxEnv, type BadLink } from "./sandbox";
import { BuildMirror } from "./mirror";
import { ContentHashes, DiskCache, PROGRAM_VERSION } from "./cache";
import { resolveKustomize, tidyError, type KustomizeTool } from "./kustomizeTool";

export {
  cachedKustomizePath,
  KUSTOMIZE_BUILD_COMMAND,
  KustomizeMissing,
  pinnedKustomizeVersion,
  resolveKustomize,
  withoutContent,
  type KustomizeTool,
} from "./kustomizeTool";

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

const GENERATED = "kustomization.yaml";
const TIMED_OUT = "kustomize did not finish";
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
  private mirror?: BuildMirror;
  /** Content hashes of the repository's paths, as the mirror holds them (./cache.ts). */
  private hashes?: ContentHashes;
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

  /**
   * The disk-cache key of a build: kustomize's and the program's versions, what is built, and the
   * content of every path it may read (`inputs`, BuildResult.inputs); undefined when not cacheable.
   */
  private diskKey(dir: string, resources: string[] | undefined, inputs: string[] | undefined) {
    if (!this.disk || !inputs) return undefined;
    this.hashes ??= new ContentHashes(this.repoDir);
    const parts = [
      `kustomize ${this.tool.version}`,
      `platform ${PROGRAM_VERSION}`,
      dir,
      ...(resources ?? []),
    ];
    for (const i of [...new Set(inputs)].sort()) {
      if (i === ".." || i.startsWith("../")) continue;
      const h = this.hashes.of(i);
      if (h === undefined) return undefined;
      parts.push(`${i}\0${h}`);
    }
    return parts.join("\n");
  }

  /** Symbolic links of the repository left out of the mirror (known once a build ran). */
  get badLinks(): BadLink[] {
    return this.mirror?.badLinks ?? [];
  }

  /** The mirror (./mirror.ts), with `inputs` in it (undefined: the whole repository). */
  private mirrored(inputs: readonly string[] | undefined | null): string {
    this.mirror ??= new BuildMirror(this.repoDir, path.join(this.work, "repo"));
    if (inputs !== null) this.mirror.ensure(inputs);
    return this.mirror.dir;
  }

  /** A build already made in this run or kept on disk; else what running it needs. */
  private lookup(dir: string, resources?: string[], inputs?: string[]) {
    const memoKey = `${dir}\0${resources?.join("\0") ?? ""}`;
    const memo = this.results.get(memoKey);
    if (memo) return { memoKey, result: memo };
    const diskKey = this.diskKey(dir, resources, inputs);
    const stored = diskKey ? this.disk?.get(diskKey) : undefined;
    if (stored) this.results.set(memoKey, stored);
    return { memoKey, diskKey, result: stored };
  }

  /**
   * The kustomization.yaml kustomize builds: a directory without one gets the generated one in the
   * directory itself, as kustomize-controller does, so the default load restrictor holds (every file
   * it lists is below it; removed after the build); one with its own is listed by a wrapper outside
   * the mirror. Returns the wrapper directory and how to remove what was written.
   */
  private wrap(
    dir: string,
    resources: string[] | undefined,
    inputs: readonly string[] | undefined,
  ): { wrapper: string; done: () => void } {
    const mirror = this.mirrored(inputs);
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
    return { wrapper, done: () => (resources ? fs.rmSync(path.join(wrapper, GENERATED)) : undefined) };
  }

  /** Keep a result for this run, and on disk unless it failed or holds a Secret SOPS did not encrypt. */
  private keep(memoKey: string, diskKey: string | undefined, result: KustomizeOutput): KustomizeOutput {
    this.results.set(memoKey, result);
    // Never a Secret in plain text on disk; failures are not kept (a timeout may be the machine's load).
    if (diskKey && !result.error && !result.objects.some((o) => o.object.kind === "Secret" && !o.object.sops))
      this.disk?.put(diskKey, result);
    return result;
  }

  /**
   * Build `dir` (repository-relative). `resources` lists what kustomize-controller's generated
   * kustomization.yaml would hold when the directory has none; undefined when it has one. `inputs`
   * (BuildResult.inputs) are what it may read: with them, the build is kept in the disk cache.
   */
  build(dir: string, resources?: string[], inputs?: string[]): KustomizeOutput {
    const hit = this.lookup(dir, resources, inputs);
    if (hit.result) return hit.result;
    const once = (from: string[] | undefined) => {
      const { wrapper, done } = this.wrap(dir, resources, from);
      try {
        return this.outcome(wrapper, () => ({ stdout: this.runSync(wrapper) }));
      } finally {
        done();
      }
    };
    let result = once(inputs);
    if (this.again(result)) result = once(undefined);
    return this.keep(hit.memoKey, hit.diskKey, result);
  }

  /** A failure in a partial mirror (./mirror.ts) is checked in the whole one: the outcome is a full mirror's. */
  private again(result: KustomizeOutput): boolean {
    return !!result.error && !this.mirror?.complete && !result.error.startsWith(TIMED_OUT);
  }

  /**
   * Run the builds not made yet, `concurrency` kustomize processes at a time (every core by
   * default), so that `build` finds them made. One directory is never built twice at once.
   */
  async prefetch(
    requests: { dir: string; resources?: string[]; inputs?: string[] }[],
    concurrency = os.availableParallelism(),
  ): Promise<void> {
    const queue = requests
      .map((r) => ({ ...r, hit: this.lookup(r.dir, r.resources, r.inputs) }))
      .filter((r, i, all) => !r.hit.result && all.findIndex((o) => o.dir === r.dir) === i);
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const request = r;
        const once = async (from: string[] | undefined) => {
          const { wrapper, done } = this.wrap(request.dir, request.resources, from);
          try {
            const stdout = await this.runAsync(wrapper);
            return this.outcome(wrapper, () => stdout);
          } finally {
            done();
          }
        };
        let result = await once(r.inputs);
        if (this.again(result)) result = await once(undefined);
        this.keep(r.hit.memoKey, r.hit.diskKey, result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }

  private readonly args = (wrapper: string) => [
    "build",
    "--load-restrictor",
    "LoadRestrictionsRootOnly",
    wrapper,
  ];
  private readonly options = () => ({
    encoding: "utf8" as const,
    maxBuffer: 256 * 1024 * 1024,
    env: sandboxEnv(),
    cwd: this.mirrored(null),
    timeout: KUSTOMIZE_TIMEOUT_MS,
    killSignal: "SIGKILL" as const,
  });

  // kustomize's default load restrictor (LoadRestrictionsRootOnly), said out loud.
  private runSync(wrapper: string): string {
    return execFileSync(this.tool.bin, this.args(wrapper), {
      ...this.options(),
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  /** As runSync, without blocking: resolves to stdout, or to the error execFileSync would throw. */
  private runAsync(wrapper: string): Promise<{ stdout: string } | { error: unknown }> {
    return new Promise((resolve) => {
      const child = execFile(this.tool.bin, this.args(wrapper), this.options(), (e, stdout, stderr) =>
        resolve(e ? { error: Object.assign(e, { stderr }) } : { stdout }),
      );
      child.stdin?.end();
    });
  }

  /** What a run gave: the objects kustomize printed, or its error made repository-relative. */
  private outcome(wrapper: string, run: () => { stdout: string } | { error: unknown }): KustomizeOutput {
    const mirror = this.mirrored(null);
    let stdout: string;
    try {
      const out = run();
      if ("error" in out) throw out.error;
      stdout = out.stdout;
    } catch (e) {
      if ((e as { signal?: unknown }).signal === "SIGKILL")
        return {
          objects: [],
          error: `${TIMED_OUT} within ${KUSTOMIZE_TIMEOUT_MS / 1000} s and was stopped`,
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
