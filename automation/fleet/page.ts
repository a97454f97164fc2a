/**
 * `--html <file>`: the fleet report as one self-contained page (style and script inline, nothing
 * fetched), generated from the FleetReport the JSON holds: a summary line of counts, the run's facts,
 * the wave timeline of a rollout, then one table of every platform that works without JavaScript;
 * the script only filters (state, wave, free text) and sorts it.
 */
import { PAGE_SCRIPT, PAGE_STYLE, pagePolicy } from "./pageAssets";
import { esc, isNotReady, platformsTable } from "./pageTable";
import type { FleetReport } from "./report";
import { formatDuration } from "./table";

/** The generator mark `--html` looks for before it replaces a file. */
export const PAGE_GENERATOR = "platform-fleet-report";

const RESULTS = ["succeeded", "failed", "gate-failed", "cancelled", "skipped"] as const;
const READY = ["True", "False", "Unknown", "missing"] as const;
const TIMELINE_OPS: readonly string[] = ["preview", "up", "refresh", "destroy"];

type Stack = FleetReport["stacks"][number];

const count = (key: string, n: number, label: string) =>
  `<strong data-count="${esc(key)}">${esc(n)}</strong> ${esc(label)}`;

/** The counts line: platforms, each result, and (when Flux was read) each Ready state. */
export function summaryHtml(r: FleetReport): string {
  const n = (f: (s: Stack) => boolean) => r.stacks.filter(f).length;
  const parts = [
    `${count("platforms", r.stacks.length, "platforms")}: ` +
      RESULTS.map((k) =>
        count(
          `result:${k}`,
          n((s) => s.result === k),
          k,
        ),
      ).join(", "),
  ];
  if (r.stacks.some((s) => s.flux))
    parts.push(
      `${count("not-ready", n(isNotReady), "not Ready")} (Ready ` +
        [
          ...READY.map((k) =>
            count(
              `ready:${k}`,
              n((s) => s.flux?.ready === k),
              k,
            ),
          ),
          count(
            "ready:none",
            n((s) => s.flux === undefined),
            "not read",
          ),
        ].join(", ") +
        ")",
    );
  return `<p class="summary" id="summary">${parts.join("; ")}.</p>`;
}

const option = (value: string, label: string, n: number) =>
  n > 0 || value === "" ? `<option value="${esc(value)}">${esc(label)} (${esc(n)})</option>` : "";

/** The filter form: hidden until the script shows it (it does nothing without the script). */
export function filtersHtml(r: FleetReport): string {
  const n = (f: (s: Stack) => boolean) => r.stacks.filter(f).length;
  const states = [
    option("", "All platforms", r.stacks.length),
    option(
      "attention",
      "Needs attention",
      n((s) => s.result !== "succeeded" || isNotReady(s)),
    ),
    option("not-ready", "Not Ready", n(isNotReady)),
    ...RESULTS.map((k) =>
      option(
        `result:${k}`,
        `Result: ${k}`,
        n((s) => s.result === k),
      ),
    ),
    ...READY.map((k) =>
      option(
        `ready:${k}`,
        `Ready: ${k}`,
        n((s) => s.flux?.ready === k),
      ),
    ),
  ];
  const waves = [...new Set(r.stacks.map((s) => s.wave))].sort((a, b) => a - b);
  return [
    `<form id="filters" role="search" aria-label="Filter platforms" hidden>`,
    `<label for="f-state">State <select id="f-state">${states.join("")}</select></label>`,
    `<label for="f-wave">Wave <select id="f-wave">${option("", "All waves", r.stacks.length)}` +
      waves
        .map((w) =>
          option(
            String(w),
            `Wave ${w}`,
            n((s) => s.wave === w),
          ),
        )
        .join("") +
      `</select></label>`,
    `<label for="f-text">Search <input id="f-text" type="search" autocomplete="off" placeholder="name, revision, message…"></label>`,
    `</form>`,
    `<p id="shown" role="status">${esc(r.stacks.length)} platforms</p>`,
  ].join("\n");
}

const clock = (iso: string | undefined) =>
  iso === undefined
    ? ""
    : `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(iso.slice(11, 19))}</time>`;

/** The rollout's waves: state, platforms, start, gate, end, duration and a bar on the run's time axis. */
export function timelineHtml(r: FleetReport): string {
  if (!r.waves?.length || !TIMELINE_OPS.includes(r.operation)) return "";
  const t0 = Date.parse(r.startedAt);
  const total = Math.max(1, r.durationMs);
  const pct = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - t0) / total) * 100));
  const seg = (cls: string, from: string, to: string) =>
    `<span class="seg ${cls}" style="left:${pct(from).toFixed(2)}%;width:${Math.max(0.3, pct(to) - pct(from)).toFixed(2)}%"></span>`;
  const rows = r.waves.map((w) => {
    const bar =
      w.startedAt && w.finishedAt
        ? seg("run", w.startedAt, w.gateStartedAt ?? w.finishedAt) +
          (w.gateStartedAt ? seg("gate", w.gateStartedAt, w.finishedAt) : "")
        : "";
    return (
      `<tr class="w-${esc(w.state)}"><th scope="row">${esc(w.wave)}</th>` +
      `<td><span class="r-${w.state === "passed" ? "succeeded" : esc(w.state)}">${esc(w.state)}</span></td>` +
      `<td class="num">${esc(w.stacks)}</td><td>${clock(w.startedAt)}</td><td>${clock(w.gateStartedAt)}</td>` +
      `<td>${clock(w.finishedAt)}</td><td class="num">${w.durationMs === undefined ? "" : esc(formatDuration(w.durationMs))}</td>` +
      `<td><div class="track" aria-hidden="true">${bar}</div></td></tr>`
    );
  });
  return [
    `<section aria-labelledby="waves-h"><h2 id="waves-h">Waves</h2>`,
    `<table id="waves"><caption>Each wave: started, gated (waiting for Flux from), finished, and how it ended. ` +
      `<span class="legend"><i class="key run"></i>Pulumi <i class="key gate"></i>Flux gate</span></caption>`,
    `<thead><tr><th scope="col">Wave</th><th scope="col">State</th><th scope="col">Platforms</th><th scope="col">Started</th>` +
      `<th scope="col">Gated from</th><th scope="col">Finished</th><th scope="col">Duration</th><th scope="col">Timeline</th></tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody></table></section>`,
  ].join("\n");
}

function metaHtml(r: FleetReport): string {
  const items: [string, string][] = [
    ["Selection", esc(r.selection)],
    ["Started", `<time datetime="${esc(r.startedAt)}">${esc(r.startedAt)}</time>`],
    ["Duration", esc(formatDuration(r.durationMs))],
    ["Exit code", esc(r.exitCode)],
  ];
  if (r.operation !== "render" && r.operation !== "status")
    items.push(["Concurrency", esc(r.options.concurrency)]);
  if (r.operation === "up") items.push(["Flux gate", r.options.gate ? "on" : "off"]);
  return `<dl class="meta">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join("")}</dl>`;
}

/** The whole page for a report. */
export function htmlReport(r: FleetReport): string {
  const verdict = r.exitCode === 0 ? "passed" : "FAILED";
  const title = `Fleet ${r.operation}: ${verdict}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(pagePolicy())}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${PAGE_GENERATOR}">
<title>${esc(`${title} (${r.finishedAt})`)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${summaryHtml(r)}
${metaHtml(r)}
${r.haltedBecause ? `<p class="halted"><strong>Stopped:</strong> ${esc(r.haltedBecause)}</p>` : ""}
</header>
<main>
${timelineHtml(r)}
<h2>Platforms</h2>
<noscript><p>Filtering and sorting need JavaScript; every platform is in the table below.</p></noscript>
${filtersHtml(r)}
${platformsTable(r, `${r.stacks.length} platforms, fleet ${r.operation} of ${r.finishedAt}`)}
${r.outside.length ? `<p>Not in the fleet (no platform:fleet): ${esc(r.outside.join(", "))}.</p>` : ""}
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
