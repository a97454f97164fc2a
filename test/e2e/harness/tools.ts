// Finds the end-to-end tools built by scripts/e2e/build-tools.sh (building them when needed) and
// reads their build figures.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { secondsSince } from "./util";

export const REPO_ROOT = path.resolve(__dirname, "../../..");

export interface Tools {
  /** The cache folder: `bin/` and `crds/`. */
  dir: string;
  bin: string;
  crds: string;
  /** Flux's install.yaml built offline from flux2's manifests/install (build_flux_install). */
  fluxInstall: string;
  path(tool: string): string;
  /** Wall time of the build-tools run this process made (a no-op run when everything is cached). */
  ensureSeconds: number;
  /** Per tool: "cold" with its build seconds when built by this run, else "cached" with the cold figure. */
  figures: { tool: string; state: string; seconds: string }[];
  /** What each tool was built from, by tool: `key=value` pairs of build-tools.sh (e.g. pulumi's `pkg=v3.277.0`). */
  builtFrom: Record<string, Record<string, string>>;
}

/**
 * Runs `scripts/e2e/build-tools.sh --print-dir [tools...]` (its progress goes to our stderr).
 * PLATFORM_E2E_TOOLS=<cache dir> skips the run and uses that folder as it is.
 */
export async function ensureTools(tools: string[] = []): Promise<Tools> {
  const start = Date.now();
  let dir = process.env.PLATFORM_E2E_TOOLS;
  if (!dir) {
    const script = path.join(REPO_ROOT, "scripts/e2e/build-tools.sh");
    dir = await new Promise<string>((resolve, reject) => {
      const child = spawn("bash", [script, "--print-dir", ...tools], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.on("error", reject);
      child.on("exit", (code) => {
        if (code === 0 && out.trim()) resolve(out.trim().split("\n").pop() as string);
        else
          reject(
            new Error(
              `scripts/e2e/build-tools.sh exited ${code}: the end-to-end tools are missing (see its messages above; ` +
                "it needs Go >= 1.26 and the Go module proxy)",
            ),
          );
      });
    });
  }
  const ensureSeconds = secondsSince(start);
  const bin = path.join(dir, "bin");
  const figures: Tools["figures"] = [];
  const timings = path.join(dir, "timings.txt");
  if (fs.existsSync(timings)) {
    for (const line of fs.readFileSync(timings, "utf8").split("\n")) {
      const [tool, state, seconds] = line.trim().split(/\s+/);
      if (tool && state && seconds) figures.push({ tool, state, seconds });
    }
  }
  const builtFrom: Tools["builtFrom"] = {};
  const built = path.join(dir, "built-from.txt");
  if (fs.existsSync(built))
    for (const line of fs.readFileSync(built, "utf8").split("\n")) {
      const [tool, ...pairs] = line.trim().split(/\s+/);
      if (tool)
        builtFrom[tool] = Object.fromEntries(
          pairs
            .filter((p) => p.includes("="))
            .map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
        );
    }
  return {
    dir,
    bin,
    builtFrom,
    crds: path.join(dir, "crds"),
    fluxInstall: path.join(dir, "flux-install.yaml"),
    path(tool: string) {
      const p = path.join(bin, tool);
      if (!fs.existsSync(p)) throw new Error(`${p} is missing: run scripts/e2e/build-tools.sh ${tool}`);
      return p;
    },
    ensureSeconds,
    figures,
  };
}
