/**
 * kustomize itself, as the gitops commands run it: one resolver (the project's cached build of the
 * pinned version, else a kustomize v5 on PATH) and a builder that runs `kustomize build` the way
 * kustomize-controller does (a directory without kustomization.yaml gets the generated one), with
 * origin annotations so every object can be traced back to its file. Sandboxed (./sandbox.ts): it
 * builds a mirror of the repository without `.git/`, oversized files or links leading out, with
 * kustomize's default load restrictor (a kustomization reads files in or below its own directory)
 * and an environment in which Git cannot fetch.
 *
 * A build's output depends only on the files it reads and where they lie relative to the directory
 * built (kustomize names no absolute path in its output; the origin annotations are relative to the
 * build, and are kept so): builds whose inputs have the same contents at the same relative paths
 * are made once, in a run and in the disk cache (./kustomizeOutput.ts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { sandboxEnv, type BadLink } from "./sandbox";
import { BuildMirror } from "./mirror";
import { ContentHashes, DiskCache } from "./cache";
import { resolveKustomize, tidyError, type KustomizeTool } from "./kustomizeTool";
import {
  layoutKey,
  parseOutput,
  relocatable,
  relocated,
  type KustomizeOutput,
  type BuildRequest,
  type Relocatable,
} from "./kustomizeOutput";
import { Spawner, type Ran } from "./spawner";
import { removeInBackground } from "./removeLater";

export {
  cachedKustomizePath,
  KUSTOMIZE_BUILD_COMMAND,
  KustomizeMissing,
  pinnedKustomizeVersion,
  resolveKustomize,
  withoutContent,
  type KustomizeTool,
} from "./kustomizeTool";
export type { KustomizeOutput, Origin } from "./kustomizeOutput";

const GENERATED = "kustomization.yaml";
const TIMED_OUT = "kustomize did not finish";
/** How long one `kustomize build` may take: a tree must not hold a merge-request pipeline forever. */
export const KUSTOMIZE_TIMEOUT_MS = 120_000;

/** Where a build's result was found, or the keys to keep it under. */
interface Lookup {
  memoKey: string;
  layoutKey?: string;
  result?: KustomizeOutput;
}

/**
 * Runs `kustomize build` on directories of one repository checkout (its mirror, made at the first
 * build); results cached per directory, and per content and relative layout of what a build reads.
 */
export class KustomizeBuilder {
  /** kustomize processes run (a build failing in a partial mirror runs twice). */
  runs = 0;
  private readonly work: string;
  private readonly results = new Map<string, KustomizeOutput>();
  private readonly layouts = new Map<string, Relocatable>();
  private count = 0;
  private mirror?: BuildMirror;
  private spawner?: Spawner;
  private env?: NodeJS.ProcessEnv;
  /** Content hashes of the repository's paths, as the mirror holds them (./cache.ts). */
  private hashes?: ContentHashes;
  /** Builds kept on disk (./cache.ts), when a cache folder is given. */
  readonly disk?: DiskCache<Relocatable>;

  constructor(
    readonly repoDir: string,
    readonly tool: KustomizeTool = resolveKustomize(),
    cacheRoot?: string,
  ) {
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-kustomize-"));
    if (cacheRoot) this.disk = new DiskCache<Relocatable>(cacheRoot, "kustomize");
  }

  /** The build's key by content and relative layout (./kustomizeOutput.ts); undefined when not cacheable. */
  private layoutKey(request: BuildRequest): string | undefined {
    if (!request.inputs) return undefined;
    this.hashes ??= new ContentHashes(this.repoDir);
    return layoutKey(request, this.hashes, this.tool.version);
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

  /** A build already made in this run (of this directory, or of the same inputs elsewhere) or kept on disk. */
  private lookup(request: BuildRequest): Lookup {
    const { dir, resources } = request;
    const memoKey = `${dir}\0${resources?.join("\0") ?? ""}`;
    const memo = this.results.get(memoKey);
    if (memo) return { memoKey, result: memo };
    const layoutKey = this.layoutKey(request);
    const stored = layoutKey ? (this.layouts.get(layoutKey) ?? this.disk?.get(layoutKey)) : undefined;
    if (!stored) return { memoKey, layoutKey };
    if (layoutKey) this.layouts.set(layoutKey, stored);
    const result = relocated(stored, dir);
    this.results.set(memoKey, result);
    return { memoKey, layoutKey, result };
  }

  /**
   * The kustomization.yaml kustomize builds: a directory without one gets the generated one in the
   * directory itself, as kustomize-controller does, so the default load restrictor holds (every file
   * it lists is below it; removed after the build); one with its own is listed by a wrapper outside
   * the mirror. Returns the wrapper directory and how to remove what was written.
   */
  private wrap({ dir, resources }: BuildRequest, inputs: readonly string[] | undefined) {
    const mirror = this.mirrored(inputs);
    let wrapper = path.join(mirror, dir);
    if (!resources) {
      wrapper = path.join(this.work, String(this.count++));
      fs.mkdirSync(wrapper);
    }
    const listed = resources
      ? resources.map((p) => path.posix.relative(dir, p))
      : [path.relative(wrapper, path.join(mirror, dir)).split(path.sep).join("/")];
    // The mirror's files are hard links to the repository's (./mirror.ts): a name is unlinked before
    // it is written, so nothing written here can reach the repository.
    fs.rmSync(path.join(wrapper, GENERATED), { force: true });
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

  /**
   * Keep a result for this run; a success also for every directory with the same layout, and on
   * disk unless it holds a Secret SOPS did not encrypt (never a Secret in plain text on disk).
   * Failures are kept for this directory only: their messages name it, and a timeout may be the load.
   */
  private keep({ memoKey, layoutKey }: Lookup, dir: string, result: KustomizeOutput): KustomizeOutput {
    this.results.set(memoKey, result);
    if (!layoutKey || result.error) return result;
    const stored = relocatable(result, dir);
    this.layouts.set(layoutKey, stored);
    if (!result.objects.some((o) => o.object.kind === "Secret" && !o.object.sops))
      this.disk?.put(layoutKey, stored);
    return result;
  }

  /**
   * The runs of one build, as a generator: it yields each wrapper to run kustomize on and takes what
   * the run gave, so that one sequence serves the blocking `build` and the parallel `prefetch`. A
   * failure in a partial mirror (./mirror.ts) is run again in the whole one: the outcome is a whole
   * mirror's.
   */
  private *attempts(request: BuildRequest): Generator<string, KustomizeOutput, Ran> {
    let result: KustomizeOutput | undefined;
    for (const from of [request.inputs, undefined]) {
      if (result && !this.again(result)) break;
      const { wrapper, done } = this.wrap(request, from);
      try {
        this.runs++;
        result = this.outcome(wrapper, yield wrapper);
      } finally {
        done();
      }
    }
    return result as KustomizeOutput;
  }

  /** Whether a failure in a partial mirror is to be checked in the whole one. */
  private again(result: KustomizeOutput): boolean {
    return !!result.error && !this.mirror?.complete && !result.error.startsWith(TIMED_OUT);
  }

  /**
   * Build `dir` (repository-relative). `resources` lists what kustomize-controller's generated
   * kustomization.yaml would hold when the directory has none; undefined when it has one. `inputs`
   * (BuildResult.inputs) are what it may read: with them, the build is shared by content and kept
   * in the disk cache.
   */
  build(dir: string, resources?: string[], inputs?: string[]): KustomizeOutput {
    const request = { dir, resources, inputs };
    const hit = this.lookup(request);
    if (hit.result) return hit.result;
    const steps = this.attempts(request);
    let step = steps.next();
    while (!step.done) step = steps.next(this.runSync(step.value));
    return this.keep(hit, dir, step.value);
  }

  /**
   * Run the builds not made yet, `concurrency` kustomize processes at a time (every core by
   * default), so that `build` finds them made. One directory, or one layout, is never built twice.
   */
  async prefetch(requests: BuildRequest[], concurrency = os.availableParallelism()): Promise<void> {
    const queue: { request: BuildRequest; hit: Lookup }[] = [];
    const queued = new Set<string>();
    for (const request of requests) {
      const hit = this.lookup(request);
      const key = hit.layoutKey ?? hit.memoKey;
      if (hit.result || queued.has(key) || queued.has(hit.memoKey)) continue;
      queued.add(key).add(hit.memoKey);
      queue.push({ request, hit });
    }
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { request, hit } = next;
        const steps = this.attempts(request);
        let step = steps.next();
        while (!step.done) step = steps.next(await this.runAsync(step.value));
        this.keep(hit, request.dir, step.value);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }

  // kustomize's default load restrictor (LoadRestrictionsRootOnly), said out loud.
  private readonly args = (wrapper: string) => [
    "build",
    "--load-restrictor",
    "LoadRestrictionsRootOnly",
    wrapper,
  ];
  private options() {
    this.env ??= sandboxEnv();
    return {
      maxBuffer: 256 * 1024 * 1024,
      env: this.env,
      cwd: this.mirrored(null),
      timeout: KUSTOMIZE_TIMEOUT_MS,
      killSignal: "SIGKILL" as const,
    };
  }

  private runSync(wrapper: string): Ran {
    try {
      return {
        stdout: execFileSync(this.tool.bin, this.args(wrapper), {
          ...this.options(),
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        }),
      };
    } catch (error) {
      return { error };
    }
  }

  /** As runSync, without blocking, started by a small helper process (./spawner.ts). */
  private runAsync(wrapper: string): Promise<Ran> {
    this.spawner ??= new Spawner();
    return this.spawner.run(this.tool.bin, this.args(wrapper), this.options());
  }

  /** What a run gave: the objects kustomize printed, or its error made repository-relative. */
  private outcome(wrapper: string, run: Ran): KustomizeOutput {
    const mirror = this.mirrored(null);
    if ("error" in run) {
      const e = run.error as { signal?: unknown; stderr?: unknown; message?: unknown };
      if (e.signal === "SIGKILL")
        return {
          objects: [],
          error: `${TIMED_OUT} within ${KUSTOMIZE_TIMEOUT_MS / 1000} s and was stopped`,
        };
      const stderr = String(e.stderr || e.message);
      return { objects: [], error: this.repoRelative(wrapper, mirror, tidyError(stderr)) };
    }
    return parseOutput(run.stdout, wrapper, (abs) => {
      const r = path.relative(mirror, abs).split(path.sep).join("/");
      return r.startsWith("..") ? undefined : r;
    });
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

  /** Remove the temporary folder, and let the helper that starts kustomize exit. */
  dispose(): void {
    this.spawner?.dispose();
    removeInBackground(this.work);
  }
}
