import { createHash } from "node:crypto";
import { htmlReport, summaryHtml, timelineHtml } from "../../../automation/fleet/page";
import { PAGE_SCRIPT, pagePolicy } from "../../../automation/fleet/pageAssets";
import { esc, link, pageColumns, platformsTable, rowHtml } from "../../../automation/fleet/pageTable";
import { buildReport, type FleetReport, type ReportInput } from "../../../automation/fleet/report";
import { NO_CHANGES, type StackResult } from "../../../automation/fleet/types";

const NOW = Date.parse("2026-11-22T10:12:00Z");
const SCRIPT = '<script>alert("x")</script>';

const gateFailed: StackResult = {
  stack: "fr-prod",
  wave: 2,
  group: "fr",
  result: "gate-failed",
  changes: { create: 1, update: 2, delete: 0, replace: 1, same: 9 },
  durationMs: 65_400,
  error: `Flux gate: Kustomization failed: ${SCRIPT}`,
  flux: {
    revision: "v1.4.0@sha1:4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",
    ready: "False",
    reason: "BuildFailed",
    since: "2026-11-22T07:00:00Z",
    sourceUrl: "ssh://git@github.com/acme-telco/platform-fleet.git",
    failing: [
      { kind: "Kustomization", namespace: "flux-system", name: "flux-system", message: SCRIPT },
      {
        kind: "HelmRelease",
        namespace: "vendor-a",
        name: "upf",
        reason: "InstallFailed",
        message: "a & b <i>",
      },
    ],
    failingTotal: 3,
    slices: 4,
  },
  declared: { clusterKind: "baremetal", fluxVersion: "2.9.4", desiredRef: "tag v1.4.0" },
};
const ready: StackResult = {
  stack: "de-prod",
  wave: 1,
  result: "succeeded",
  changes: NO_CHANGES,
  durationMs: 1200,
  flux: { revision: "main@sha1:9e8d7c6b5a4f", ready: "True", since: "2026-11-22T10:11:00Z" },
};
const skipped: StackResult = {
  stack: "it-prod",
  wave: 3,
  result: "skipped",
  changes: NO_CHANGES,
  durationMs: 0,
  note: "wave 2 did not pass (fr-prod), so later waves did not start",
};

const report = (over: Partial<ReportInput> = {}): FleetReport =>
  buildReport({
    operation: "up",
    project: "/p",
    selection: "all fleet stacks",
    startedAt: new Date("2026-11-22T10:00:00Z"),
    finishedAt: new Date("2026-11-22T10:12:00Z"),
    exitCode: 1,
    haltedBecause: "wave 2 did not pass (fr-prod), so later waves did not start",
    options: {
      concurrency: 4,
      failFast: false,
      gate: true,
      expectNoChanges: false,
      refresh: false,
      policyPacks: [],
    },
    outside: [],
    stacks: [ready, gateFailed, skipped],
    waves: [
      {
        wave: 1,
        stacks: 1,
        state: "passed",
        startedAt: "2026-11-22T10:00:00.000Z",
        gateStartedAt: "2026-11-22T10:03:00.000Z",
        finishedAt: "2026-11-22T10:06:00.000Z",
        durationMs: 360_000,
      },
      {
        wave: 2,
        stacks: 1,
        state: "failed",
        startedAt: "2026-11-22T10:06:00.000Z",
        finishedAt: "2026-11-22T10:12:00.000Z",
        durationMs: 360_000,
      },
      { wave: 3, stacks: 1, state: "skipped" },
    ],
    ...over,
  });

/** The cells of a row, each as it is written. */
const cells = (row: string) => row.split(/(?=<t[hd][ >])/).slice(1);

describe("the fleet page", () => {
  it("escapes & < > \" ' in text and attributes", () => {
    expect(esc(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
    expect(esc(undefined)).toBe("");
    expect(esc(3)).toBe("3");
  });

  it("links only http(s) URLs", () => {
    expect(link("https://h/c/1", "v<1>", 'the "commit"')).toBe(
      '<a href="https://h/c/1" title="the &quot;commit&quot;">v&lt;1&gt;</a>',
    );
    expect(link("javascript:alert(1)", "v1")).toBe("v1");
    expect(link(undefined, "v1")).toBe("v1");
  });

  it("a rollout row: every cell exactly, the untrusted messages as text", () => {
    expect(cells(rowHtml(gateFailed, pageColumns("up"), NOW))).toEqual([
      '<th scope="row">fr-prod</th>',
      '<td class="num">2</td>',
      "<td>fr</td>",
      '<td><span class="r-gate-failed">gate-failed</span></td>',
      "<td>baremetal</td>",
      '<td class="mono">2.9.4</td>',
      '<td class="mono">tag v1.4.0</td>',
      '<td class="mono" data-v="v1.4.0@sha1:4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39">' +
        '<a href="https://github.com/acme-telco/platform-fleet/commit/4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39" ' +
        'title="commit 4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39: its commit statuses">v1.4.0@sha1:4f1c2a9e8b7d</a></td>',
      '<td><span class="y-False">False</span></td>',
      '<td data-v="2026-11-22T07:00:00Z"><time datetime="2026-11-22T07:00:00Z" title="2026-11-22T07:00:00Z">3h12m</time></td>',
      '<td class="num">4</td>',
      '<td class="num mono" data-v="4">+1 ~2 -0 ±1</td>',
      '<td class="num" data-v="65400">1m05s</td>',
      '<td class="problems"><div class="msg">Flux gate: Kustomization failed: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</div>' +
        '<ul class="failing"><li><span class="kind">Kustomization</span> <span class="mono">flux-system/flux-system</span>: ' +
        '<span class="msg">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</span></li>' +
        '<li><span class="kind">HelmRelease</span> <span class="mono">vendor-a/upf</span> InstallFailed: ' +
        '<span class="msg">a &amp; b &lt;i&gt;</span></li><li>and 1 more</li></ul></td></tr>',
    ]);
    expect(rowHtml(gateFailed, pageColumns("up"), NOW)).toMatch(
      /^<tr data-result="gate-failed" data-ready="False" data-wave="2">/,
    );
  });

  it("a skipped row shows why; a row without a reading has Ready —", () => {
    const c = cells(rowHtml(skipped, pageColumns("up"), NOW));
    expect(c[8]).toBe("<td>—</td>");
    expect(c.at(-1)).toBe(
      '<td class="problems"><div class="msg">wave 2 did not pass (fr-prod), so later waves did not start</div></td></tr>',
    );
    expect(rowHtml(skipped, pageColumns("up"), NOW)).toMatch(
      /^<tr data-result="skipped" data-ready="" data-wave="3">/,
    );
  });

  it("columns by operation", () => {
    const headers = (r: FleetReport) =>
      [...platformsTable(r, "c").matchAll(/<th scope="col"[^>]*>([^<]*)</g)].map((m) => m[1]);
    const declared = ["Cluster", "Flux", "Desired ref"];
    const flux = ["Applied revision", "Ready", "Since", "Slices"];
    expect(headers(report())).toEqual([
      "Platform",
      "Wave",
      "Group",
      "Result",
      ...declared,
      ...flux,
      "Changes",
      "Duration",
      "Problems",
    ]);
    expect(headers(report({ operation: "status" }))).toEqual([
      "Platform",
      "Wave",
      "Group",
      "Result",
      ...declared,
      ...flux,
      "Problems",
    ]);
    expect(headers(report({ operation: "render" }))).toEqual([
      "Platform",
      "Wave",
      "Group",
      "Result",
      ...declared,
      "Resources",
      "Objects",
      "Duration",
      "Problems",
    ]);
    expect(platformsTable(report(), "3 platforms")).toContain(
      '<caption>3 platforms</caption>\n<thead><tr><th scope="col" data-sort="text">Platform</th><th scope="col" data-sort="num">Wave</th>',
    );
  });

  it("the summary line counts results and Ready states", () => {
    const text = summaryHtml(report()).replace(/<[^>]+>/g, "");
    expect(text).toBe(
      "3 platforms: 1 succeeded, 0 failed, 1 gate-failed, 0 cancelled, 1 skipped; " +
        "1 not Ready (Ready 1 True, 1 False, 0 Unknown, 0 missing, 1 not read).",
    );
    expect(summaryHtml(report())).toContain('<strong data-count="result:gate-failed">1</strong> gate-failed');
    expect(summaryHtml(report({ stacks: [skipped] }))).not.toContain("Ready");
  });

  it("the wave timeline: times, durations and bars on the run's axis; a skipped wave has none", () => {
    const html = timelineHtml(report());
    expect(html).toContain(
      '<tr class="w-passed"><th scope="row">1</th><td><span class="r-succeeded">passed</span></td><td class="num">1</td>' +
        '<td><time datetime="2026-11-22T10:00:00.000Z" title="2026-11-22T10:00:00.000Z">10:00:00</time></td>' +
        '<td><time datetime="2026-11-22T10:03:00.000Z" title="2026-11-22T10:03:00.000Z">10:03:00</time></td>' +
        '<td><time datetime="2026-11-22T10:06:00.000Z" title="2026-11-22T10:06:00.000Z">10:06:00</time></td>' +
        '<td class="num">6m00s</td><td><div class="track" aria-hidden="true">' +
        '<span class="seg run" style="left:0.00%;width:25.00%"></span><span class="seg gate" style="left:25.00%;width:25.00%"></span></div></td></tr>',
    );
    expect(html).toContain('<span class="seg run" style="left:50.00%;width:50.00%"></span></div>');
    expect(html).toContain(
      '<tr class="w-skipped"><th scope="row">3</th><td><span class="r-skipped">skipped</span></td><td class="num">1</td>' +
        '<td></td><td></td><td></td><td class="num"></td><td><div class="track" aria-hidden="true"></div></td></tr>',
    );
    expect(timelineHtml(report({ operation: "status" }))).toBe("");
    expect(timelineHtml(report({ waves: undefined }))).toBe("");
  });

  it("the page: one <script>, the page's own, allowed by hash; nothing else may load", () => {
    const page = htmlReport(report());
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain(`<script>${PAGE_SCRIPT}</script>`);
    const hash = createHash("sha256").update(PAGE_SCRIPT).digest("base64");
    expect(pagePolicy()).toBe(
      `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${esc(pagePolicy())}">`);
    expect(page).not.toMatch(/\b(src|href)="(?!https:\/\/github\.com\/)/);
    expect(page).toContain(
      '<p class="halted"><strong>Stopped:</strong> wave 2 did not pass (fr-prod), so later waves did not start</p>',
    );
    expect(page).toContain('<form id="filters" role="search" aria-label="Filter platforms" hidden>');
    expect(page).toContain(
      '<label for="f-state">State <select id="f-state"><option value="">All platforms (3)</option>' +
        '<option value="attention">Needs attention (2)</option><option value="not-ready">Not Ready (1)</option>',
    );
  });
});
