/**
 * The real runner: the project on disk through the Automation API. Every stack gets a LocalWorkspace
 * of its own (own env, own command runs) on the project folder, so one source serves the CLI and CI.
 * The only state those workspaces share is the CLI's "selected stack" file for the folder, written by
 * `stack select/init`; those short calls are serialized, and every operation names its stack
 * explicitly (`--stack`), so concurrent operations never depend on it.
 */
import { LocalWorkspace, PulumiCommand, Stack, type EngineEvent } from "@pulumi/pulumi/automation";
import type { FleetStack } from "./inventory";
import {
  countChanges,
  type ChangeCounts,
  type FleetRunner,
  type RunRequest,
  type RunResult,
  type StackOutputs,
} from "./types";

export interface LocalRunnerOptions {
  /** The project folder (Pulumi.yaml). */
  projectDir: string;
  /** Extra environment for every Pulumi command (the process environment is inherited). */
  envVars?: Record<string, string>;
}

/** Count steps from engine events as they arrive (the live line); the final counts come from the summary. */
export function tallyEvent(
  counts: ChangeCounts,
  event: EngineEvent,
  preview: boolean,
): ChangeCounts | undefined {
  const op = (preview ? event.resourcePreEvent?.metadata : event.resOutputsEvent?.metadata)?.op;
  const key = op === "import" ? "create" : op;
  if (key === "create" || key === "update" || key === "delete" || key === "replace" || key === "same")
    return { ...counts, [key]: counts[key] + 1 };
  return undefined;
}

/** The Pulumi CLI is missing or unusable: reported once, before any stack starts. */
export class PulumiCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PulumiCliError";
  }
}

/** Check once that a Pulumi CLI is on PATH; resolves to its version. */
export async function checkPulumiCli(): Promise<string> {
  try {
    const cmd = await PulumiCommand.get({ skipVersionCheck: true });
    return cmd.version?.toString() ?? "unknown version";
  } catch (e) {
    const detail = (e as Error).message.includes("ENOENT")
      ? "`pulumi` is not on PATH"
      : (e as Error).message.trim();
    throw new PulumiCliError(
      `the fleet driver needs the Pulumi CLI: ${detail}. Install it (https://www.pulumi.com/docs/install/) or put its folder on PATH; \`npm run fleet -- render\` works without it.`,
    );
  }
}

export class LocalWorkspaceRunner implements FleetRunner {
  #selecting: Promise<unknown> = Promise.resolve();
  constructor(private readonly o: LocalRunnerOptions) {}

  /** Select (or, for up/preview, create) the stack; serialized across concurrent stacks. */
  private async stack(name: string, create: boolean): Promise<Stack> {
    const ws = await LocalWorkspace.create({
      workDir: this.o.projectDir,
      envVars: { PULUMI_SKIP_UPDATE_CHECK: "true", ...(this.o.envVars ?? {}) },
    }).catch((e: unknown) => {
      throw new Error(
        `cannot start the Pulumi CLI (is \`pulumi\` on PATH? install it from https://www.pulumi.com/docs/install/): ${(e as Error).message}`,
        { cause: e },
      );
    });
    const next = this.#selecting.then(() =>
      create ? Stack.createOrSelect(name, ws) : Stack.select(name, ws),
    );
    this.#selecting = next.catch(() => undefined);
    try {
      return await next;
    } catch (e) {
      const backend = process.env.PULUMI_BACKEND_URL ?? "the logged-in backend";
      throw new Error(
        create
          ? `cannot select or create stack ${name} in ${backend}: ${(e as Error).message}`
          : `cannot select stack ${name} in ${backend} (does it exist? run up first, or check PULUMI_BACKEND_URL): ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  async run(req: RunRequest): Promise<RunResult> {
    const { operation, options, signal } = req;
    const stack = await this.stack(req.stack.stack, operation === "up" || operation === "preview");
    let live: ChangeCounts = countChanges({});
    const onEvent = (e: EngineEvent) => {
      const next = tallyEvent(live, e, operation === "preview");
      if (next) req.onChanges((live = next));
    };
    const common = {
      onOutput: req.onOutput,
      onError: req.onOutput,
      onEvent,
      signal,
      color: "never" as const,
    };
    const policy = { policyPacks: options.policyPacks, policyPackConfigs: options.policyPackConfigs };
    switch (operation) {
      case "preview": {
        const r = await stack.preview({
          ...common,
          ...policy,
          expectNoChanges: options.expectNoChanges,
          refresh: options.refresh,
        });
        return { changes: countChanges(r.changeSummary) };
      }
      case "up": {
        const r = await stack.up({
          ...common,
          ...policy,
          expectNoChanges: options.expectNoChanges,
          refresh: options.refresh,
        });
        return { changes: countChanges(r.summary.resourceChanges), outputs: r.outputs as StackOutputs };
      }
      case "refresh": {
        const r = await stack.refresh({ ...common, expectNoChanges: options.expectNoChanges });
        return { changes: countChanges(r.summary.resourceChanges) };
      }
      case "destroy": {
        const r = await stack.destroy({ ...common, refresh: options.refresh });
        return { changes: countChanges(r.summary.resourceChanges) };
      }
    }
  }

  async outputs(s: FleetStack, _signal: AbortSignal): Promise<StackOutputs> {
    const stack = await this.stack(s.stack, false);
    return (await stack.outputs()) as StackOutputs;
  }
}

/**
 * Environment for every Pulumi command of the run. `--delete-unreachable` sets the Kubernetes
 * provider's `PULUMI_K8S_DELETE_UNREACHABLE`, so a destroy whose cluster is gone removes that
 * cluster's objects from state instead of failing on them (docs/lifetime.md, decommissioning).
 */
export function engineEnv(args: { deleteUnreachable: boolean }): Record<string, string> | undefined {
  return args.deleteUnreachable ? { PULUMI_K8S_DELETE_UNREACHABLE: "true" } : undefined;
}
