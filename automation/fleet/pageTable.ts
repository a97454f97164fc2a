/**
 * The platforms table of the fleet page: one row per stack, columns chosen by operation, every
 * value escaped (messages come from clusters). Sortable columns carry `data-sort`; a cell whose
 * sort value differs from its text carries it in `data-v`.
 */
import type { FleetReport } from "./report";
import { commitLink, formatAge, formatDuration, shortRevision } from "./table";
import type { Operation } from "./types";

type Stack = FleetReport["stacks"][number];

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text as HTML text or attribute value: `& < > " '` escaped. */
export const esc = (v: string | number | undefined): string =>
  String(v ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** A link when the URL is http(s), the text alone otherwise. */
export function link(url: string | undefined, text: string, title?: string): string {
  if (url === undefined || !/^https?:\/\//i.test(url)) return esc(text);
  return `<a href="${esc(url)}"${title ? ` title="${esc(title)}"` : ""}>${esc(text)}</a>`;
}

/** Whether a stack's root was read and is not Ready (the page's "not Ready" filter). */
export const isNotReady = (s: Stack): boolean => s.flux !== undefined && s.flux.ready !== "True";

interface Cell {
  html: string;
  /** Sort value when the text is not it. */
  v?: string | number;
  cls?: string;
}
interface Column {
  header: string;
  sort?: "num" | "text";
  cell: (s: Stack, now: number) => Cell;
}

const plain = (text: string | number | undefined, cls?: string): Cell => ({
  html: esc(text),
  ...(cls ? { cls } : {}),
});

const WAVE: Column = { header: "Wave", sort: "num", cell: (s) => plain(s.wave, "num") };
const GROUP: Column = { header: "Group", sort: "text", cell: (s) => plain(s.group) };
const RESULT: Column = {
  header: "Result",
  sort: "text",
  cell: (s) => ({ html: `<span class="r-${esc(s.result)}">${esc(s.result)}</span>` }),
};
const DECLARED: Column[] = [
  { header: "Cluster", sort: "text", cell: (s) => plain(s.declared?.clusterKind) },
  { header: "Flux", sort: "text", cell: (s) => plain(s.declared?.fluxVersion, "mono") },
  { header: "Desired ref", sort: "text", cell: (s) => plain(s.declared?.desiredRef, "mono") },
];
const FLUX: Column[] = [
  {
    header: "Applied revision",
    sort: "text",
    cell: (s) => {
      const rev = s.flux?.revision;
      if (rev === undefined) return { html: "" };
      const c = commitLink(s.flux);
      return {
        html: link(c?.url, shortRevision(rev), c && `commit ${c.sha}: its commit statuses`),
        v: rev,
        cls: "mono",
      };
    },
  },
  {
    header: "Ready",
    sort: "text",
    cell: (s) =>
      s.flux ? { html: `<span class="y-${esc(s.flux.ready)}">${esc(s.flux.ready)}</span>` } : plain("—"),
  },
  {
    header: "Since",
    sort: "text",
    cell: (s, now) => {
      const since = s.flux?.since;
      if (since === undefined) return { html: "", v: "" };
      return {
        html: `<time datetime="${esc(since)}" title="${esc(since)}">${esc(formatAge(since, now))}</time>`,
        v: since,
      };
    },
  },
  { header: "Slices", sort: "num", cell: (s) => plain(s.flux?.slices, "num") },
];
const CHANGES: Column = {
  header: "Changes",
  sort: "num",
  cell: ({ changes: c }) => ({
    html: esc(`+${c.create} ~${c.update} -${c.delete} ±${c.replace}`),
    v: c.create + c.update + c.delete + c.replace,
    cls: "num mono",
  }),
};
const DURATION: Column = {
  header: "Duration",
  sort: "num",
  cell: (s) => ({ html: esc(formatDuration(s.durationMs)), v: s.durationMs, cls: "num" }),
};
const RENDER: Column[] = [
  { header: "Resources", sort: "num", cell: (s) => plain(s.render?.resources, "num") },
  { header: "Objects", sort: "num", cell: (s) => plain(s.render?.objects, "num") },
];

/** What went wrong: the error or note, the failing Flux objects with their messages. */
export function problemsHtml(s: Stack): string {
  const parts: string[] = [];
  const text = s.error ?? (s.result !== "succeeded" || isNotReady(s) ? s.note : undefined);
  if (text) parts.push(`<div class="msg">${esc(text.trim())}</div>`);
  const f = s.flux;
  if (f?.failing?.length) {
    const items = f.failing.map(
      (o) =>
        `<li><span class="kind">${esc(o.kind)}</span> <span class="mono">${esc(`${o.namespace}/${o.name}`)}</span>` +
        `${o.reason ? ` ${esc(o.reason)}` : ""}${o.message ? `: <span class="msg">${esc(o.message)}</span>` : ""}</li>`,
    );
    const more = (f.failingTotal ?? 0) - f.failing.length;
    if (more > 0) items.push(`<li>and ${esc(more)} more</li>`);
    parts.push(`<ul class="failing">${items.join("")}</ul>`);
  }
  if (f?.detailsError)
    parts.push(`<div class="msg">could not list Flux objects: ${esc(f.detailsError)}</div>`);
  return parts.join("");
}

const PROBLEMS: Column = { header: "Problems", cell: (s) => ({ html: problemsHtml(s), cls: "problems" }) };

/** The columns of the page for an operation (after the platform's own, a row header). */
export function pageColumns(op: Operation): Column[] {
  if (op === "status") return [WAVE, GROUP, RESULT, ...DECLARED, ...FLUX, PROBLEMS];
  if (op === "render") return [WAVE, GROUP, RESULT, ...DECLARED, ...RENDER, DURATION, PROBLEMS];
  return [WAVE, GROUP, RESULT, ...DECLARED, ...FLUX, CHANGES, DURATION, PROBLEMS];
}

/** One `<tr>`: data attributes for the filters, the stack as row header, then the cells. */
export function rowHtml(s: Stack, columns: readonly Column[], now: number): string {
  const cells = columns.map((c) => {
    const { html, v, cls } = c.cell(s, now);
    return `<td${cls ? ` class="${cls}"` : ""}${v !== undefined ? ` data-v="${esc(v)}"` : ""}>${html}</td>`;
  });
  return (
    `<tr data-result="${esc(s.result)}" data-ready="${esc(s.flux?.ready)}" data-wave="${esc(s.wave)}">` +
    `<th scope="row">${esc(s.stack)}</th>${cells.join("")}</tr>`
  );
}

/** The whole table: caption, sortable headers, the rows. */
export function platformsTable(r: FleetReport, caption: string): string {
  const columns = pageColumns(r.operation);
  const now = Date.parse(r.finishedAt);
  const th = (header: string, sort?: string) =>
    `<th scope="col"${sort ? ` data-sort="${sort}"` : ""}>${esc(header)}</th>`;
  return [
    `<table id="platforms">`,
    `<caption>${esc(caption)}</caption>`,
    `<thead><tr>${th("Platform", "text")}${columns.map((c) => th(c.header, c.sort)).join("")}</tr></thead>`,
    `<tbody>`,
    ...r.stacks.map((s) => rowHtml(s, columns, now)),
    `</tbody>`,
    `</table>`,
  ].join("\n");
}
