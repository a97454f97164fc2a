/**
 * Fleet reports: the JSON report (with its schema, so CI tooling can rely on it), the Markdown
 * report (a merge-request comment or job summary) and the terminal summary table.
 */
import { z } from "zod";
import { formatDuration, headersFor, markdownCells } from "./table";
import { OPERATIONS, type Operation, type StackResult, type WaveTiming } from "./types";

export { commitLink, formatAge, formatDuration, shortRevision, summaryTable } from "./table";

const counts = z.strictObject({
  create: z.number().int().min(0),
  update: z.number().int().min(0),
  delete: z.number().int().min(0),
  replace: z.number().int().min(0),
  same: z.number().int().min(0),
});

const failingObject = z.strictObject({
  kind: z.enum(["Kustomization", "HelmRelease"]),
  namespace: z.string(),
  name: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  since: z.string().optional(),
});

const waveTiming = z.strictObject({
  wave: z.number().int().min(1),
  stacks: z.number().int().min(0),
  state: z.enum(["passed", "failed", "skipped", "cancelled"]),
  startedAt: z.iso.datetime().optional(),
  gateStartedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  durationMs: z.number().min(0).optional(),
});

export const stackResultSchema = z.strictObject({
  stack: z.string().min(1),
  wave: z.number().int().min(1),
  group: z.string().optional(),
  result: z.enum(["succeeded", "failed", "gate-failed", "cancelled", "skipped"]),
  changes: counts,
  durationMs: z.number().min(0),
  error: z.string().optional(),
  note: z.string().optional(),
  flux: z
    .strictObject({
      revision: z.string().optional(),
      ready: z.enum(["True", "False", "Unknown", "missing"]),
      reason: z.string().optional(),
      message: z.string().optional(),
      since: z.string().optional(),
      sourceUrl: z.string().optional(),
      originRevision: z.string().optional(),
      origin: z.string().optional(),
      failing: z.array(failingObject).optional(),
      failingTotal: z.number().int().min(0).optional(),
      slices: z.number().int().min(0).optional(),
      detailsError: z.string().optional(),
    })
    .optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  logFile: z.string().optional(),
  render: z
    .strictObject({ resources: z.number().int(), objects: z.number().int(), outDir: z.string() })
    .optional(),
  declared: z
    .strictObject({
      clusterKind: z.string().optional(),
      fluxVersion: z.string().optional(),
      desiredRef: z.string().optional(),
    })
    .optional(),
});

/** Schema of `--json <file>`; `kind` and `version` change only with the shape. */
export const fleetReportSchema = z.strictObject({
  kind: z.literal("platform-fleet-report"),
  version: z.literal(1),
  operation: z.enum(OPERATIONS),
  project: z.string(),
  selection: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().min(0),
  exitCode: z.number().int(),
  haltedBecause: z.string().optional(),
  options: z.strictObject({
    concurrency: z.number().int().min(1),
    failFast: z.boolean(),
    gate: z.boolean(),
    expectNoChanges: z.boolean(),
    refresh: z.boolean(),
    policyPacks: z.array(z.string()),
  }),
  /** Stack files without platform:fleet, left out of every run. */
  outside: z.array(z.string()),
  stacks: z.array(stackResultSchema),
  /** The waves of a driver run, in order (added in the same version: optional). */
  waves: z.array(waveTiming).optional(),
});
export type FleetReport = z.infer<typeof fleetReportSchema>;

export interface ReportInput {
  operation: Operation;
  project: string;
  selection: string;
  startedAt: Date;
  finishedAt: Date;
  exitCode: number;
  haltedBecause?: string;
  options: FleetReport["options"];
  outside: string[];
  stacks: StackResult[];
  waves?: WaveTiming[];
}

export function buildReport(i: ReportInput): FleetReport {
  return fleetReportSchema.parse({
    kind: "platform-fleet-report",
    version: 1,
    operation: i.operation,
    project: i.project,
    selection: i.selection,
    startedAt: i.startedAt.toISOString(),
    finishedAt: i.finishedAt.toISOString(),
    durationMs: i.finishedAt.getTime() - i.startedAt.getTime(),
    exitCode: i.exitCode,
    ...(i.haltedBecause !== undefined ? { haltedBecause: i.haltedBecause } : {}),
    options: i.options,
    outside: i.outside,
    stacks: i.stacks,
    ...(i.waves !== undefined ? { waves: i.waves } : {}),
  });
}

const RESULT_ICON: Record<StackResult["result"], string> = {
  succeeded: "✅",
  failed: "❌",
  "gate-failed": "⛔",
  cancelled: "⏹️",
  skipped: "⏭️",
};

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown report: a headline, the table, then what went wrong per stack. */
export function markdownReport(r: FleetReport): string {
  const count = (k: StackResult["result"]) => r.stacks.filter((s) => s.result === k).length;
  const lines = [
    `## Fleet ${r.operation}: ${r.exitCode === 0 ? "passed" : "FAILED"}`,
    "",
    `${r.selection}; ${r.stacks.length} stack(s): ${count("succeeded")} succeeded, ${count("failed")} failed, ` +
      `${count("gate-failed")} gate failed, ${count("cancelled")} cancelled, ${count("skipped")} skipped ` +
      `in ${formatDuration(r.durationMs)} (concurrency ${r.options.concurrency}${r.options.failFast ? ", fail-fast" : ""}${r.operation === "up" ? (r.options.gate ? ", Flux gate on" : ", Flux gate off") : ""}).`,
    "",
  ];
  if (r.haltedBecause) lines.push(`**Stopped:** ${md(r.haltedBecause)}`, "");
  const headers = headersFor(r.operation);
  lines.push(`| ${headers.join(" | ")} |`, `|${headers.map(() => " --- ").join("|")}|`);
  const rows = markdownCells(r.stacks, r.operation, Date.parse(r.finishedAt), md);
  r.stacks.forEach((s, i) => {
    const row = rows[i];
    row[3] = `${RESULT_ICON[s.result]} ${row[3]}`;
    lines.push(`| ${row.join(" | ")} |`);
  });
  const problems = r.stacks.filter((s) => s.error ?? (s.result !== "succeeded" ? s.note : undefined));
  if (problems.length) {
    lines.push("", "### Details", "");
    for (const s of problems)
      lines.push(
        `<details><summary>${s.stack}: ${s.result}${s.note ? ` (${s.note})` : ""}</summary>`,
        "",
        "```",
        (s.error ?? s.note ?? "").trim(),
        "```",
        s.logFile ? `\nFull Pulumi output: \`${s.logFile}\`` : "",
        "</details>",
      );
  }
  if (r.outside.length) lines.push("", `Not in the fleet (no platform:fleet): ${r.outside.join(", ")}.`);
  return lines.join("\n") + "\n";
}
