// The real Pulumi engine, built by scripts/e2e/build-tools.sh, with nothing downloaded: plugins are
// found on PATH (the tools folder first), a file:// backend and a passphrase secrets provider in
// the work folder, update checks and plugin acquisition off.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Tools } from "./tools";
import { run, type RunResult } from "./util";

export interface PulumiCli {
  env: NodeJS.ProcessEnv;
  /** Runs `pulumi <args>` in `cwd` (bounded); the output is also appended to `<logDir>/pulumi.log`. */
  run(
    args: string[],
    opts?: {
      cwd?: string;
      timeoutMs?: number;
      allowFailure?: boolean;
      input?: string;
      /** Extra environment for this command only. */
      env?: NodeJS.ProcessEnv;
    },
  ): Promise<RunResult & { ok: boolean }>;
}

export function pulumiCli(tools: Tools, workDir: string, logDir: string, projectDir: string): PulumiCli {
  const home = path.join(workDir, "pulumi-home");
  const state = path.join(workDir, "pulumi-state");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(state, { recursive: true });
  const nodeDir = path.dirname(process.execPath);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The Node.js dynamic provider plugin (pulumi-resource-pulumi-nodejs), which the CLI's release
    // archives ship beside `pulumi` and a CLI built from source lacks, is the SDK's own script.
    PATH: [
      tools.bin,
      path.join(projectDir, "node_modules", "@pulumi", "pulumi"),
      nodeDir,
      process.env.PATH ?? "",
    ].join(path.delimiter),
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: "platform-e2e",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    NO_COLOR: "1",
  };
  const log = path.join(logDir, "pulumi.log");
  return {
    env,
    async run(args, opts = {}) {
      fs.appendFileSync(log, `\n$ pulumi ${args.join(" ")}\n`);
      try {
        const r = await run(tools.path("pulumi"), ["--non-interactive", ...args], {
          cwd: opts.cwd ?? projectDir,
          env: opts.env ? { ...env, ...opts.env } : env,
          timeoutMs: opts.timeoutMs ?? 10 * 60_000,
          input: opts.input,
        });
        fs.appendFileSync(log, r.stdout + r.stderr);
        return { ...r, ok: true };
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        fs.appendFileSync(log, msg);
        if (opts.allowFailure) return { stdout: msg, stderr: "", ok: false };
        throw new Error(
          `pulumi ${args.join(" ")} failed (log ${log}):\n${msg.split("\n").slice(-40).join("\n")}`,
          { cause: e },
        );
      }
    },
  };
}
