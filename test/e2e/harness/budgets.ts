// The timed figures of the end-to-end scenario: each names the event it starts at (a user's action)
// and the event it ends at, and has a budget of 3× the figure docs/e2e.md documents for it. A figure
// over its budget fails the step that measured it, naming the figure, its value and its budget:
// a regression guard, not a target. docs/e2e.md shows this table (budgetTable(); a unit test checks
// that the page holds it as it is here).
import type { Harness } from "./run";

export interface FigureSpec {
  /** "from <start event> to <end event>". */
  label: string;
  /** The figure docs/e2e.md documents, in seconds. */
  documented: number;
  /** How `documented` was obtained, when it is not a measured figure (the interval path's bound). */
  note?: string;
}

/** The budget is this many times the documented figure. */
export const BUDGET_FACTOR = 3;

/** The root source's interval during the interval-path measurement (the e2e stack sets it then). */
export const INTERVAL_PATH_SECONDS = 15;

export const FIGURES = {
  firstUp: {
    label: "first `pulumi up`: from its start to its return (it waits for the Flux Deployments)",
    documented: 111.7,
  },
  controllersReady: {
    label: "from the first `pulumi up` returned to the four controllers answering their readiness probe",
    documented: 2,
  },
  rootReady: {
    label: "from the first `pulumi up` returned to the root Kustomization Ready at v1.0.0",
    documented: 2.1,
  },
  commitStatus: {
    label: "from a reconcile request of the root to its `success` commit status at the forge",
    documented: 1.6,
  },
  slicesReady: {
    label: "from the first `pulumi up` returned to slice 1-def922 Ready",
    documented: 8.4,
  },
  tagWebhook: {
    label: "from the push of tag v1.1.0 to slice 2-ab0001 Ready, through the push webhook (Receiver)",
    documented: 14.6,
  },
  tagInterval: {
    label: `from the push of tag v1.1.1 to slice 2-ab0003 Ready, by the source's interval (${INTERVAL_PATH_SECONDS} s), no request`,
    documented: 29.6,
    note: `the bound, not a measured value: the interval (${INTERVAL_PATH_SECONDS} s) plus the webhook figure (the same pull and apply, requested), since where a push falls in the interval is chance`,
  },
  pinBack: {
    label: "from the first `pulumi up` (pin back to v1.0.0) returned to slices 2-ab0001 and 2-ab0003 pruned",
    documented: 9.3,
  },
  tagMovedBack: {
    label: "from the push of tag stable moved back to slice 2-ab0001 pruned, through the push webhook",
    documented: 12.7,
  },
  badTag: {
    label: "from `pulumi up` to tag v1.2.0 (a missing variable) started to the failing Kustomization",
    documented: 41.2,
  },
  rollback: {
    label: "from `pulumi up` to tag v1.3.0 (replicas -1) started to Helm's rollback (Remediated)",
    documented: 30.2,
  },
  refresh: {
    label: "from `pulumi up --refresh` started to the source Ready again with the Secret it restored",
    documented: 20,
  },
  destroy: {
    label: "from `pulumi destroy` started to every Flux object, CRD and namespace gone",
    documented: 27.3,
  },
  ociUp: {
    label: "OCI: from `pulumi up` started to slice 1-def922 Ready and the commit status posted",
    documented: 72,
  },
  ociNewArtifact: {
    label:
      "OCI: from `gitops:publish` of v1.1.0 started to slice 2-ab0001 Ready, through a reconcile request (as `flux reconcile source oci` makes it)",
    documented: 14.3,
  },
  ociPinBack: {
    label: "OCI: from the first `pulumi up` (pin back to v1.0.0) returned to slice 2-ab0001 pruned",
    documented: 8,
  },
} satisfies Record<string, FigureSpec>;

export type FigureId = keyof typeof FIGURES;

/** BUDGET_FACTOR × the documented figure, to a tenth of a second. */
const budget = (documented: number) => Math.round(BUDGET_FACTOR * documented * 10) / 10;

export const budgetOf = (id: FigureId): number => budget(FIGURES[id].documented);

/**
 * Records figure `id` as the seconds from `start` to `end` (Date.now() values; `end` defaults to now),
 * and throws when it is over its budget: call it inside the step that measured it, so the step fails.
 */
export function recordFigure(
  h: Pick<Harness, "figure">,
  id: FigureId,
  start: number,
  end = Date.now(),
): number {
  const seconds = Math.round((end - start) / 100) / 10;
  const limit = budgetOf(id);
  h.figure(FIGURES[id].label, `${seconds}s (budget ${limit}s)`);
  if (seconds > limit)
    throw new Error(
      `figure over its budget: ${FIGURES[id].label}: ${seconds}s, budget ${limit}s (${BUDGET_FACTOR}× the ${FIGURES[id].documented}s docs/e2e.md documents); a regression, or a machine far slower than the one documented (test/e2e/harness/budgets.ts)`,
    );
  return seconds;
}

/** The Markdown table docs/e2e.md shows: each figure, its documented value and its budget. */
export function budgetTable(): string {
  const rows = Object.values(FIGURES as Record<string, FigureSpec>).map((f) => [
    f.label,
    `${f.documented}${f.note ? ` ¹` : ""}`,
    `${budget(f.documented)}`,
  ]);
  const head = ["figure (from start event to end event)", "documented (s)", "budget (s)"];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(" | ")} |`;
  const notes = Object.values(FIGURES as Record<string, FigureSpec>)
    .filter((f) => f.note)
    .map((f) => `¹ ${f.note}.`);
  return [
    line(head),
    `| ${width.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`,
    ...rows.map(line),
    ...(notes.length ? ["", ...notes] : []),
  ].join("\n");
}
