/**
 * The fleet page's inline style and script (no network: the page is one file). The script only
 * filters and sorts the table the server rendered; with JavaScript off the whole table is there and
 * the filter form stays hidden. Plain ES2020 in a string, so no transform touches it on its way to
 * the browser; test/browser/fleetPage.ts runs it in Chromium.
 */
import { createHash } from "node:crypto";

export const PAGE_STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --info: #0969da; --band: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #3d444d; --ok: #3fb950; --bad: #f85149; --warn: #d29922; --info: #4493f8; --band: #151b23; } }
* { box-sizing: border-box; }
body { margin: 0 1.5rem 2rem; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
a { color: var(--info); }
.summary { font-size: 1.05rem; margin: .25rem 0 .75rem; }
.summary strong { font-variant-numeric: tabular-nums; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0; color: var(--muted); }
.meta div { display: flex; gap: .35rem; } .meta dt::after { content: ":"; } .meta dd { margin: 0; color: var(--fg); }
.halted { border-left: 4px solid var(--bad); padding: .25rem .75rem; background: var(--band); }
form { display: flex; flex-wrap: wrap; align-items: end; gap: .75rem 1.25rem; margin: 1rem 0 .5rem; }
form[hidden] { display: none; }
label { display: flex; flex-direction: column; font-weight: 600; gap: .2rem; }
select, input { font: inherit; padding: .3rem .45rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); min-width: 12rem; }
:focus-visible { outline: 3px solid var(--info); outline-offset: 1px; }
#shown { margin: 0 0 .5rem; color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--band); white-space: nowrap; z-index: 1; }
thead th button { all: unset; cursor: pointer; font-weight: 600; }
thead th button::after { content: " \\2195"; color: var(--muted); }
thead th[aria-sort="ascending"] button::after { content: " \\25B2"; color: var(--fg); }
thead th[aria-sort="descending"] button::after { content: " \\25BC"; color: var(--fg); }
tbody th { font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, monospace; font-size: 12.5px; }
.r-succeeded, .y-True { color: var(--ok); } .r-failed, .r-gate-failed, .y-False, .y-missing { color: var(--bad); font-weight: 600; }
.r-cancelled, .r-skipped, .y-Unknown { color: var(--warn); }
td { white-space: nowrap; }
td.problems { white-space: normal; min-width: 20rem; max-width: 48rem; }
.msg { white-space: pre-wrap; overflow-wrap: anywhere; }
ul.failing { margin: .2rem 0 0; padding-left: 1.1rem; }
.track { position: relative; height: .9rem; min-width: 16rem; background: var(--band); border-radius: 3px; }
.seg { position: absolute; top: 0; bottom: 0; border-radius: 3px; }
.seg.run { background: var(--info); } .seg.gate { background: var(--warn); }
.w-failed .seg.gate, .w-failed .seg.run { background: var(--bad); }
.legend { font-weight: normal; color: var(--muted); }
.key { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -1px; margin: 0 .2rem 0 .8rem; }
.key.run { background: var(--info); } .key.gate { background: var(--warn); }
`;

export const PAGE_SCRIPT = `(function () {
  "use strict";
  var table = document.getElementById("platforms");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
  var state = document.getElementById("f-state");
  var wave = document.getElementById("f-wave");
  var query = document.getElementById("f-text");
  var shown = document.getElementById("shown");
  var notReady = { False: true, Unknown: true, missing: true };
  function keep(r, i, st, wv, words) {
    var d = r.dataset;
    if (wv !== "" && d.wave !== wv) return false;
    if (st === "not-ready" && !notReady[d.ready]) return false;
    if (st === "attention" && d.result === "succeeded" && !notReady[d.ready]) return false;
    if (st.indexOf("result:") === 0 && d.result !== st.slice(7)) return false;
    if (st.indexOf("ready:") === 0 && d.ready !== st.slice(6)) return false;
    for (var w = 0; w < words.length; w++) if (text[i].indexOf(words[w]) === -1) return false;
    return true;
  }
  function apply() {
    var st = state.value, wv = wave.value, n = 0;
    var words = query.value.toLowerCase().split(/\\s+/).filter(Boolean);
    rows.forEach(function (r, i) {
      var ok = keep(r, i, st, wv, words);
      if (r.hidden === ok) r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n === rows.length
      ? "Showing all " + rows.length + " platforms"
      : "Showing " + n + " of " + rows.length + " platforms";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function value(r, col, numeric) {
    var c = r.cells[col];
    var v = c.hasAttribute("data-v") ? c.getAttribute("data-v") : c.textContent.trim();
    return numeric ? (v === "" ? NaN : Number(v)) : v;
  }
  function sortBy(th, col) {
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var numeric = th.getAttribute("data-sort") === "num";
    var sign = dir === "ascending" ? 1 : -1;
    var keyed = rows.map(function (r, i) { return [value(r, col, numeric), i, r]; });
    keyed.sort(function (a, b) {
      var ea = numeric ? isNaN(a[0]) : a[0] === "", eb = numeric ? isNaN(b[0]) : b[0] === "";
      if (ea !== eb) return ea ? 1 : -1;
      var c = ea ? 0 : numeric ? a[0] - b[0] : collator.compare(a[0], b[0]);
      return c !== 0 ? sign * c : a[1] - b[1];
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k[2]); });
    tbody.appendChild(frag);
  }
  heads.forEach(function (th, col) {
    if (!th.hasAttribute("data-sort")) return;
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = th.textContent;
    b.title = "Sort by " + th.textContent;
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () { sortBy(th, col); });
  });
})();
`;

/** The Content-Security-Policy of the page: nothing from anywhere; only this script runs. */
export function pagePolicy(): string {
  const hash = createHash("sha256").update(PAGE_SCRIPT, "utf8").digest("base64");
  return [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}
