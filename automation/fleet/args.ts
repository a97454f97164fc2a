/**
 * `npm run fleet -- <operation> [options]`: the flags, checked together (a flag that does not apply
 * to the operation is an error, not silently ignored), with the messages a user sees.
 */
import { parseArgs } from "node:util";
import type { FleetStack } from "./inventory";
import { parseLabels, parseShard, parseStackList, parseWave, SelectionError, type Selection } from "./select";
import { OPERATIONS, type Operation } from "./types";

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
  gate: boolean;
  gateTimeoutMs: number;
  jsonReport?: string;
  markdownReport?: string;
  logsDir: string;
  /** `render`: output root and worker processes. */
  outDir: string;
  workers: number;
}

export const USAGE = `usage: npm run fleet -- <${OPERATIONS.join("|")}> [options]
selection:  --stack a,b  --wave N  --group G  --label k=v[,k=v]  --shard i/n
running:    --concurrency N (default 4)  --fail-fast  --yes (up/destroy outside CI)
engine:     --policy-pack dir[,dir]  --policy-config 'policy/config/{environment}.json'
            --expect-no-changes  --refresh
Flux gate:  --no-gate  --gate-timeout 10m (up only)
reports:    --json file  --markdown file  --logs fleet-logs
render:     --out render  --workers N (default 1)
project:    --project .`;

const SPEC = {
  stack: "string",
  wave: "string",
  group: "string",
  label: "string",
  shard: "string",
  concurrency: "string",
  "fail-fast": "boolean",
  "policy-pack": "string",
  "policy-config": "string",
  "expect-no-changes": "boolean",
  refresh: "boolean",
  yes: "boolean",
  "no-gate": "boolean",
  "gate-timeout": "string",
  json: "string",
  markdown: "string",
  logs: "string",
  out: "string",
  workers: "string",
  project: "string",
} as const;
type Flag = keyof typeof SPEC;

/** Operations each flag applies to (flags not listed apply to all). */
const APPLIES: Partial<Record<Flag, readonly Operation[]>> = {
  "fail-fast": ["preview", "up", "refresh", "destroy"],
  "policy-pack": ["preview", "up"],
  "policy-config": ["preview", "up"],
  "expect-no-changes": ["preview", "up", "refresh"],
  refresh: ["preview", "up", "destroy"],
  yes: ["up", "destroy", "refresh"],
  "no-gate": ["up"],
  "gate-timeout": ["up"],
  out: ["render"],
  workers: ["render"],
};

/** Go-style duration (`90s`, `10m`, `1h30m`) or plain seconds, in ms. */
export function parseDurationMs(text: string, flag: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "")
    throw new SelectionError(`${flag} "${text}": expected a duration such as 90s, 10m or 1h30m`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new SelectionError(`${flag} "${text}": expected a whole number from 1`);
  return Number(text);
}

/** Whether this is a CI job (GitLab CI, GitHub Actions and most others set CI=true). */
export const isCi = (env: NodeJS.ProcessEnv) =>
  env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";

/** Parse and check the fleet flags. Throws SelectionError with the message to show. */
export function parseFleetArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): FleetArgs {
  let values: Partial<Record<Flag, string | boolean>>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: Object.fromEntries(Object.entries(SPEC).map(([k, type]) => [k, { type }])),
    }));
  } catch (e) {
    throw new SelectionError(`${(e as Error).message}\n${USAGE}`);
  }
  if (positionals.length !== 1) throw new SelectionError(USAGE);
  const operation = positionals[0] as Operation;
  if (!OPERATIONS.includes(operation))
    throw new SelectionError(
      `unknown operation "${positionals[0]}": expected one of ${OPERATIONS.join(", ")}`,
    );
  for (const [flag, ops] of Object.entries(APPLIES) as [Flag, readonly Operation[]][])
    if (values[flag] !== undefined && !ops.includes(operation))
      throw new SelectionError(`--${flag} does not apply to ${operation} (only to ${ops.join(", ")})`);
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
    gate: !bool("no-gate"),
    gateTimeoutMs:
      str("gate-timeout") !== undefined ? parseDurationMs(str("gate-timeout")!, "--gate-timeout") : 600_000,
    ...(str("json") !== undefined ? { jsonReport: str("json") } : {}),
    ...(str("markdown") !== undefined ? { markdownReport: str("markdown") } : {}),
    logsDir: str("logs") ?? "fleet-logs",
    outDir: str("out") ?? "render",
    workers: str("workers") !== undefined ? positiveInt(str("workers")!, "--workers") : 1,
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
