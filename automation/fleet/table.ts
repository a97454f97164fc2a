/** The summary table of a fleet run (terminal and Markdown): columns chosen by operation. */
import { commitWebUrl } from "../gitops/shared/repoUrl";
import type { FluxSummary, Operation, StackResult } from "./types";

/** `12.3 s`, `2m05s`. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
}

/** Age of a timestamp, coarse: `45s`, `12m`, `3h12m`, `4d3h`; empty when unknown. */
export function formatAge(since: string | undefined, now: number): string {
  const t = since === undefined ? NaN : Date.parse(since);
  if (Number.isNaN(t)) return "";
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** Shorten `main@sha1:0123456789abcdef…` to `main@sha1:0123456789ab`. */
export function shortRevision(rev: string | undefined): string {
  if (rev === undefined) return "";
  return rev.replace(/(sha1|sha256):([0-9a-f]{12})[0-9a-f]+/, "$1:$2");
}

/**
 * The page of the commit the root applied, where GitHub and GitLab show the commit statuses the
 * fleet repository's notifications post (docs/gitops.md): the root's Git URL (https, ssh or
 * scp-like, on github… or gitlab… hosts) and the SHA of the applied revision; for an OCI root, the
 * repository it is published from and the commit its artifact records. Undefined otherwise (another
 * host, an OCI root without origin, no revision yet).
 */
export function commitLink(flux: FluxSummary | undefined): { sha: string; url: string } | undefined {
  const shaOf = (rev: string | undefined) => /(?:^|@)sha1:([0-9a-f]{40})$/.exec(rev ?? "")?.[1];
  const git = shaOf(flux?.revision);
  const [sha, repo] = git ? [git, flux?.sourceUrl] : [shaOf(flux?.originRevision), flux?.origin];
  const url = sha && repo ? commitWebUrl(repo, sha) : undefined;
  return sha && url ? { sha, url } : undefined;
}

/** A header, the plain cell, and the Markdown cell when it is not the plain one escaped. */
type Column = [
  header: string,
  cell: (r: StackResult, now: number) => string,
  markdown?: (r: StackResult) => string,
];

const HEAD: Column[] = [
  ["stack", (r) => r.stack],
  ["wave", (r) => String(r.wave)],
  ["group", (r) => r.group ?? ""],
  ["result", (r) => r.result],
];
const DURATION: Column = ["duration", (r) => formatDuration(r.durationMs)];
const output = (key: string): Column => [
  key,
  (r) => (r.outputs?.[key] === undefined ? "" : String(r.outputs[key])),
];

const COLUMNS: Record<"engine" | "render" | "status" | "outputs", Column[]> = {
  engine: [
    ...HEAD,
    ["+", (r) => String(r.changes.create)],
    ["~", (r) => String(r.changes.update)],
    ["-", (r) => String(r.changes.delete)],
    ["+-", (r) => String(r.changes.replace)],
    DURATION,
    ["Flux revision", (r) => shortRevision(r.flux?.revision)],
    ["Ready", (r) => r.flux?.ready ?? ""],
  ],
  render: [
    ...HEAD,
    ["resources", (r) => String(r.render?.resources ?? "")],
    ["objects", (r) => String(r.render?.objects ?? "")],
    DURATION,
    ["written to", (r) => r.render?.outDir ?? ""],
  ],
  status: [
    ...HEAD,
    ["Flux revision", (r) => shortRevision(r.flux?.revision)],
    ["Ready", (r) => r.flux?.ready ?? ""],
    ["reason", (r) => r.flux?.reason ?? ""],
    ["age", (r, now) => formatAge(r.flux?.since, now)],
    [
      "commit statuses",
      (r) => commitLink(r.flux)?.url ?? "—",
      (r) => {
        const link = commitLink(r.flux);
        return link ? `[${link.sha.slice(0, 12)}](${link.url})` : "—";
      },
    ],
  ],
  outputs: [
    ...HEAD,
    output("clusterName"),
    output("rootSourceUrl"),
    output("rootSourceRef"),
    output("rootPath"),
  ],
};

const columnsFor = (op: Operation): Column[] =>
  op === "render" || op === "status" || op === "outputs" ? COLUMNS[op] : COLUMNS.engine;

/** Column headers of the summary table for an operation. */
export const headersFor = (op: Operation): string[] => columnsFor(op).map(([h]) => h);

/** The rows of the summary table, as strings; `now` is when ages are measured from. */
export function summaryRows(
  stacks: readonly StackResult[],
  op: Operation = "up",
  now = Date.now(),
): string[][] {
  const cols = columnsFor(op);
  return stacks.map((r) => cols.map(([, cell]) => cell(r, now)));
}

/** The rows of the Markdown table: plain cells escaped with `escape`, links as Markdown links. */
export function markdownCells(
  stacks: readonly StackResult[],
  op: Operation,
  now: number,
  escape: (s: string) => string,
): string[][] {
  const cols = columnsFor(op);
  return stacks.map((r) => cols.map(([, cell, markdown]) => (markdown ? markdown(r) : escape(cell(r, now)))));
}

/** The plain-text summary table printed at the end of a run. */
export function summaryTable(stacks: readonly StackResult[], op: Operation = "up", now = Date.now()): string {
  const headers = headersFor(op);
  const rows = [headers, ...summaryRows(stacks, op, now)];
  const widths = headers.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
