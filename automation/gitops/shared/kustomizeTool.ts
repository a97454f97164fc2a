/**
 * Which kustomize the gitops commands run: the project's cached build of the pinned version, else a
 * kustomize v5 on PATH; and what of kustomize's error messages may be printed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

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
export function tidyError(stderr: string): string {
  return withoutContent(stderr)
    .trim()
    .replace(/^Error: /, "")
    .replace(
      /accumulating resources: accumulation err='accumulating resources from '[^']*': (read [^']*: is a directory|'[^']*' must resolve to a file)': /,
      "",
    )
    .replace(/^recursed accumulation of path '([^']*)': /, "in $1: ");
}
