/**
 * `npm run fleet -- <operation> [options]`: the flags, checked together (a flag that does not apply
 * to the operation is an error, not silently ignored), with the messages a user sees.
 */
import { formatHelp, parseCommand, UsageError, type CommandSpec } from "../cli/args";
import type { FleetStack } from "./inventory";
import { defaultWorkers, parseDurationMs, positiveInt, readTimeoutMs } from "./argValues";
import { DEFAULT_READ_LIMITS } from "./reads";
import { parseLabels, parseShard, parseStackList, parseWave, SelectionError, type Selection } from "./select";
import type { Operation } from "./types";

export interface FleetArgs {
  operation: Operation;
  selection: Selection;
  projectDir: string;
  concurrency: number;
  failFast: boolean;
  policyPacks: string[];
  /** Path pattern of a policy config file; `{environment}`, `{stack}`, `{group}` are substituted per stack. */
  policyConfig?: string;
  expectNoChanges: boolean;
  refresh: boolean;
  /** `destroy`: drop the Kubernetes resources of a cluster that is gone from state (`--delete-unreachable`). */
  deleteUnreachable: boolean;
  gate: boolean;
  gateTimeoutMs: number;
  /** `status`, `up`: cluster reads in flight at once over the run (`--read-concurrency`). */
  readConcurrency: number;
  /** `status`, `up`: how long one cluster read may take (`--read-timeout`), in ms. */
  readTimeoutMs: number;
  jsonReport?: string;
  markdownReport?: string;
  /** `--html`: the fleet page (up, status, render). */
  htmlReport?: string;
  logsDir: string;
  /** `render`: output root and worker processes (default: the machine's cores). */
  outDir: string;
  /** `render`: the fleet repository; default `<project>/gitops`. */
  gitopsDir?: string;
  workers: number;
}

const ENGINE = ["preview", "up", "refresh", "destroy"] as const;

/** The fleet command: subcommands and options, the source of its parser, help and docs. */
export const FLEET_SPEC = {
  name: "fleet",
  summary:
    "Run many platform stacks from CI: select them by name, wave, group, label or shard, then preview, deploy, refresh, destroy, read or render them wave by wave (deploys gated on Flux readiness).",
  subcommands: {
    preview: "pulumi preview of every selected stack",
    up: "pulumi up, wave by wave; each wave waits for Flux to be Ready on its clusters",
    refresh: "pulumi refresh",
    destroy: "pulumi destroy, waves in reverse order",
    outputs: "print the stack outputs",
    status: "last update and Flux readiness of every stack",
    render: "offline render of every stack to <out>/<stack>/ (no cloud, no cluster, no Pulumi CLI)",
  },
  options: {
    stack: { type: "string", value: "<a,b>", description: "select stacks by name" },
    wave: { type: "string", value: "<n>", description: "select one wave (platform:fleet.wave)" },
    group: { type: "string", value: "<group>", description: "select one group (platform:fleet.group)" },
    label: { type: "string", value: "<k=v[,k=v]>", description: "select stacks carrying every label" },
    shard: {
      type: "string",
      value: "<i/n>",
      description: "take the i-th of n stable shards of the selection (CI parallel jobs)",
    },
    concurrency: {
      type: "string",
      value: "<n>",
      description: "Pulumi engines (stack operations) run at the same time",
      default: "4",
    },
    "read-concurrency": {
      type: "string",
      value: "<n>",
      description: "cluster reads (Flux status, gate polls) in flight at the same time, over all stacks",
      default: "50",
      only: ["up", "status"],
    },
    "read-timeout": {
      type: "string",
      value: "<duration>",
      description: "how long one cluster read may take before the cluster is reported as not answering",
      default: "15s",
      only: ["up", "status"],
    },
    "fail-fast": {
      type: "boolean",
      description: "stop starting stacks after the first failure",
      only: ENGINE,
    },
    yes: {
      type: "boolean",
      description: "confirm changing real infrastructure outside CI (CI=true confirms)",
      only: ["up", "destroy", "refresh"],
    },
    "policy-pack": {
      type: "string",
      value: "<dir[,dir]>",
      description: "CrossGuard policy packs to run",
      only: ["preview", "up"],
    },
    "policy-config": {
      type: "string",
      value: "<pattern>",
      description: "policy config file per stack; {environment}, {stack} and {group} are filled in",
      only: ["preview", "up"],
    },
    "expect-no-changes": {
      type: "boolean",
      description: "fail a stack whose operation would change anything",
      only: ["preview", "up", "refresh"],
    },
    refresh: { type: "boolean", description: "refresh the state first", only: ["preview", "up", "destroy"] },
    "delete-unreachable": {
      type: "boolean",
      description:
        "decommission: when a stack's cluster is gone, drop its Kubernetes resources from state instead of failing (the rest is destroyed as usual)",
      only: ["destroy"],
    },
    "no-gate": { type: "boolean", description: "do not wait for Flux readiness between waves", only: ["up"] },
    "gate-timeout": {
      type: "string",
      value: "<duration>",
      description: "how long a wave waits for Flux (90s, 10m, 1h30m)",
      default: "10m",
      only: ["up"],
    },
    json: { type: "string", value: "<file>", description: "write the JSON report (its folder must exist)" },
    markdown: {
      type: "string",
      value: "<file>",
      description: "write the Markdown report (its folder must exist)",
    },
    html: {
      type: "string",
      value: "<file>",
      description: "write the fleet page, a self-contained HTML file (its folder must exist)",
      only: ["up", "status", "render"],
    },
    logs: {
      type: "string",
      value: "<dir>",
      description: "folder of the full Pulumi output per stack",
      default: "fleet-logs",
    },
    out: {
      type: "string",
      value: "<dir>",
      description: "render root: each stack goes to <dir>/<stack>/",
      default: "render",
      only: ["render"],
    },
    gitops: {
      type: "string",
      value: "<dir>",
      description: "fleet repository each render's cluster-vars are checked against (skipped when absent)",
      default: "<project>/gitops",
      only: ["render"],
    },
    workers: {
      type: "string",
      value: "<n>",
      description: "render processes",
      default: "cores",
      only: ["render"],
    },
    project: {
      type: "string",
      value: "<dir>",
      description: "folder holding Pulumi.yaml and the stack files",
      default: ".",
    },
  },
} as const satisfies CommandSpec;

type Flag = keyof typeof FLEET_SPEC.options;

/** Whether this is a CI job (GitLab CI, GitHub Actions and most others set CI=true). */
export const isCi = (env: NodeJS.ProcessEnv) =>
  env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";

/** Parse and check the fleet flags. Throws SelectionError with the message to show. */
export function parseFleetArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): FleetArgs {
  const parsed = parseCommand(FLEET_SPEC, argv);
  if (parsed.help) throw new UsageError("--help is handled by the CLI", formatHelp(FLEET_SPEC));
  const operation = parsed.subcommand as Operation;
  const values = parsed.values as Partial<Record<Flag, string | boolean>>;
  const str = (f: Flag) => values[f] as string | undefined;
  const bool = (f: Flag) => values[f] === true;
  if ((operation === "up" || operation === "destroy") && !bool("yes") && !isCi(env))
    throw new SelectionError(
      `${operation} changes real infrastructure on every selected stack: add --yes to confirm (in CI, where CI=true is set, it is not needed)`,
    );
  const selection: Selection = {};
  if (str("stack") !== undefined) selection.stacks = parseStackList(str("stack")!);
  if (str("wave") !== undefined) selection.wave = parseWave(str("wave")!);
  if (str("group") !== undefined) selection.group = str("group");
  if (str("label") !== undefined) selection.labels = parseLabels(str("label")!);
  if (str("shard") !== undefined) selection.shard = parseShard(str("shard")!);
  return {
    operation,
    selection,
    projectDir: str("project") ?? ".",
    concurrency: str("concurrency") !== undefined ? positiveInt(str("concurrency")!, "--concurrency") : 4,
    failFast: bool("fail-fast"),
    policyPacks:
      str("policy-pack")
        ?.split(",")
        .filter((p) => p !== "") ?? [],
    ...(str("policy-config") !== undefined ? { policyConfig: str("policy-config") } : {}),
    expectNoChanges: bool("expect-no-changes"),
    refresh: bool("refresh"),
    deleteUnreachable: bool("delete-unreachable"),
    gate: !bool("no-gate"),
    gateTimeoutMs:
      str("gate-timeout") !== undefined ? parseDurationMs(str("gate-timeout")!, "--gate-timeout") : 600_000,
    readConcurrency:
      str("read-concurrency") !== undefined
        ? positiveInt(str("read-concurrency")!, "--read-concurrency")
        : DEFAULT_READ_LIMITS.concurrency,
    readTimeoutMs:
      str("read-timeout") !== undefined ? readTimeoutMs(str("read-timeout")!) : DEFAULT_READ_LIMITS.timeoutMs,
    ...(str("json") !== undefined ? { jsonReport: str("json") } : {}),
    ...(str("markdown") !== undefined ? { markdownReport: str("markdown") } : {}),
    ...(str("html") !== undefined ? { htmlReport: str("html") } : {}),
    logsDir: str("logs") ?? "fleet-logs",
    outDir: str("out") ?? "render",
    ...(str("gitops") !== undefined ? { gitopsDir: str("gitops") } : {}),
    workers: str("workers") !== undefined ? positiveInt(str("workers")!, "--workers") : defaultWorkers(),
  };
}

/** The policy config file of a stack: the pattern with `{environment}`, `{stack}`, `{group}` filled in. */
export function policyConfigFor(pattern: string, s: FleetStack): string {
  return pattern.replace(/\{(environment|stack|group)\}/g, (_, key: string) => {
    const value = key === "stack" ? s.stack : key === "group" ? s.group : s.labels.environment;
    if (value === undefined)
      throw new SelectionError(
        `--policy-config "${pattern}": ${s.file} has no ${key === "group" ? "platform:fleet.group" : "platform:environment"} to fill {${key}} with`,
      );
    return value;
  });
}

// Every operation has its line in the help.
const _everyOperation: Record<Operation, string> = FLEET_SPEC.subcommands;
void _everyOperation;
