/**
 * What the browser test checks on one fleet page against the JSON report it was generated with.
 * Every expected value comes from the JSON (never from the page generator), every observed one
 * from Chromium's DOM after the page's own script ran (or with JavaScript off).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { FleetReport } from "../../automation/fleet/report";

type Stack = FleetReport["stacks"][number];
export interface Check {
  name: string;
  run: () => Promise<void>;
}

const RESULTS = ["succeeded", "failed", "gate-failed", "cancelled", "skipped"];
const READY = ["True", "False", "Unknown", "missing"];
const notReady = (s: Stack) => s.flux !== undefined && s.flux.ready !== "True";

function same(what: string, got: unknown, want: unknown): void {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}:\n  page:     ${g.slice(0, 600)}\n  expected: ${w.slice(0, 600)}`);
}

/** The counts the summary must show, computed from the JSON. */
export function expectedCounts(r: FleetReport): Record<string, number> {
  const n = (f: (s: Stack) => boolean) => r.stacks.filter(f).length;
  const out: Record<string, number> = { platforms: r.stacks.length };
  for (const k of RESULTS) out[`result:${k}`] = n((s) => s.result === k);
  if (r.stacks.some((s) => s.flux)) {
    out["not-ready"] = n(notReady);
    for (const k of READY) out[`ready:${k}`] = n((s) => s.flux?.ready === k);
    out["ready:none"] = n((s) => s.flux === undefined);
  }
  return out;
}

/** A page opened from its file:// URL, with every request, console error, page error and dialog recorded. */
export async function openPage(browser: Browser, url: string, javaScriptEnabled = true) {
  const context: BrowserContext = await browser.newContext({
    javaScriptEnabled,
    viewport: { width: 1400, height: 900 },
  });
  const requests: string[] = [];
  const problems: string[] = [];
  // Anything but the page itself is refused (and recorded): the page must need nothing else.
  await context.route("**/*", (route) =>
    route.request().url() === url ? route.continue() : route.abort("blockedbyclient"),
  );
  const page = await context.newPage();
  page.on("request", (req) => requests.push(req.url()));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog (${d.type()}): ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: "load" });
  return { context, page, requests, problems };
}

/** Names of the visible rows of the platforms table, in order. */
const visibleNames = (page: Page) =>
  page.$$eval("#platforms tbody tr", (rows) =>
    rows
      .filter((r) => !(r as unknown as { hidden: boolean }).hidden)
      .map((r) => r.querySelector("th")!.textContent),
  );

/** The text of one column (by header) of every row, in order. */
const column = (page: Page, header: string) =>
  page.$eval(
    "#platforms",
    (t, h) => {
      /** The parts of HTMLTableElement used here (the test's TypeScript has no DOM library). */
      type Cell = { textContent: string | null; getAttribute(n: string): string | null };
      const table = t as unknown as {
        tHead: { rows: { cells: Cell[] }[] };
        tBodies: { rows: { cells: Cell[] }[] }[];
      };
      const i = [...table.tHead.rows[0].cells].findIndex((c) => c.textContent!.trim() === h);
      if (i < 0) throw new Error(`no column ${h}`);
      return [...table.tBodies[0].rows].map(
        (r) => r.cells[i].getAttribute("data-v") ?? r.cells[i].textContent!.trim(),
      );
    },
    header,
  );

async function select(page: Page, id: string, value: string): Promise<void> {
  await page.selectOption(`#${id}`, value);
}

/** The checks of one page (JavaScript on) against its report. */
export function pageChecks(page: () => Page, r: FleetReport, reload: () => Promise<void>): Check[] {
  const names = r.stacks.map((s) => s.stack);
  const checks: Check[] = [
    {
      name: "the summary's counts are the JSON's",
      run: async () => {
        const got = await page().$$eval("#summary [data-count]", (els) =>
          Object.fromEntries(els.map((e) => [e.getAttribute("data-count"), Number(e.textContent)])),
        );
        same("summary counts", got, expectedCounts(r));
      },
    },
    {
      name: "every platform is a row, in the report's order, with its wave, result and Ready",
      run: async () => {
        same("rows", await visibleNames(page()), names);
        same(
          "wave column",
          await column(page(), "Wave"),
          r.stacks.map((s) => String(s.wave)),
        );
        same(
          "result column",
          await column(page(), "Result"),
          r.stacks.map((s) => s.result),
        );
        if (r.operation !== "render")
          same(
            "Ready column",
            await column(page(), "Ready"),
            r.stacks.map((s) => s.flux?.ready ?? "—"),
          );
      },
    },
    {
      name: 'filtering to "not Ready" shows exactly the JSON\'s not-Ready platforms',
      run: async () => {
        const want = r.stacks.filter(notReady).map((s) => s.stack);
        const offered = await page().$$eval('#f-state option[value="not-ready"]', (o) => o.length);
        if (want.length === 0) return same("a not-Ready option with none not Ready", offered, 0);
        await select(page(), "f-state", "not-ready");
        same("not-Ready rows", await visibleNames(page()), want);
        same(
          "shown",
          await page().textContent("#shown"),
          `Showing ${want.length} of ${names.length} platforms`,
        );
      },
    },
    {
      name: "filtering by wave shows exactly that wave's platforms",
      run: async () => {
        for (const w of [...new Set(r.stacks.map((s) => s.wave))].slice(0, 5)) {
          await select(page(), "f-wave", String(w));
          same(
            `wave ${w}`,
            await visibleNames(page()),
            r.stacks.filter((s) => s.wave === w).map((s) => s.stack),
          );
        }
      },
    },
    {
      name: "free text keeps exactly the rows containing it",
      run: async () => {
        const target = names[Math.floor(names.length / 2)];
        await page().fill("#f-text", target.toUpperCase());
        const want = await page().$$eval(
          "#platforms tbody tr",
          (rows, q) =>
            rows
              .filter((row) => row.textContent!.toLowerCase().includes(q))
              .map((row) => row.querySelector("th")!.textContent),
          target.toLowerCase(),
        );
        const got = await visibleNames(page());
        same("free-text rows", got, want);
        if (!got.includes(target)) throw new Error(`searching ${target} hid its own row`);
      },
    },
    {
      name: "a failed stack's message (a failed gate's reason) and its failing Flux objects are visible, as text",
      run: async () => {
        const bad = r.stacks.filter((s) => s.result === "gate-failed" || s.result === "failed").slice(0, 5);
        if (r.stacks.some((s) => s.result === "gate-failed") !== bad.some((s) => s.result === "gate-failed"))
          throw new Error("no gate-failed stack among those checked");
        const flat = (t: string) => t.replace(/\s+/g, " ").trim();
        for (const s of bad) {
          const cell = page()
            .locator("#platforms tbody tr", { has: page().locator(`th:text-is("${s.stack}")`) })
            .locator("td.problems");
          if (!(await cell.isVisible())) throw new Error(`${s.stack}: its problems cell is not visible`);
          const text = flat(await cell.innerText());
          for (const want of [s.error ?? "", ...(s.flux?.failing ?? []).map((o) => o.message ?? "")])
            if (!text.includes(flat(want)))
              throw new Error(`${s.stack}: the page does not show "${want}" (it shows "${text}")`);
        }
        same("script elements in the page", await page().$$eval("script", (s) => s.length), 1);
      },
    },
    {
      name: "sorting: the headers are buttons; Platform ascending then descending, Wave numerically",
      run: async () => {
        const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
        const sorted = [...names].sort((a, b) => collator.compare(a, b));
        const platform = page().locator("#platforms thead th", { hasText: "Platform" });
        await platform.locator("button").click();
        same("aria-sort", await platform.getAttribute("aria-sort"), "ascending");
        same("ascending", await visibleNames(page()), sorted);
        await platform.locator("button").click();
        same("aria-sort", await platform.getAttribute("aria-sort"), "descending");
        same("descending", await visibleNames(page()), [...sorted].reverse());
        await page().locator("#platforms thead th", { hasText: "Wave" }).locator("button").click();
        const waves = (await column(page(), "Wave")).map(Number);
        same(
          "waves ascending",
          waves,
          [...r.stacks.map((s) => s.wave)].sort((a, b) => a - b),
        );
        same("aria-sort of Platform after sorting by Wave", await platform.getAttribute("aria-sort"), null);
      },
    },
    {
      name: "keyboard: Tab reaches the three filters, then the sort buttons; Enter sorts",
      run: async () => {
        const order: string[] = [];
        for (let i = 0; i < 4; i++) {
          await page().keyboard.press("Tab");
          order.push(
            await page().evaluate(
              // A string: the test's TypeScript has no DOM library.
              'document.activeElement.id || document.activeElement.textContent || ""',
            ),
          );
        }
        same("focus order", order, ["f-state", "f-wave", "f-text", "Platform"]);
        await page().keyboard.press("Enter");
        same(
          "aria-sort after Enter",
          await page().locator("#platforms thead th", { hasText: "Platform" }).getAttribute("aria-sort"),
          "ascending",
        );
      },
    },
  ];
  if (r.waves?.length && r.operation !== "status")
    checks.push({
      name: "the wave timeline lists each wave with its state",
      run: async () => {
        const rows = await page().$$eval("#waves tbody tr", (trs) =>
          trs.map((tr) => [tr.querySelector("th")!.textContent, tr.cells[1].textContent]),
        );
        same(
          "waves",
          rows,
          r.waves!.map((w) => [String(w.wave), w.state]),
        );
      },
    });
  return checks.map((c) => ({ ...c, run: async () => (await reload(), await c.run()) }));
}

/** With JavaScript off: the whole table is there and visible, the (inert) filters are not. */
export async function noScriptCheck(page: Page, r: FleetReport): Promise<void> {
  same(
    "rows without JavaScript",
    await visibleNames(page),
    r.stacks.map((s) => s.stack),
  );
  const visibleRows = await page.locator("#platforms tbody tr:visible").count();
  same("visible rows without JavaScript", visibleRows, r.stacks.length);
  same("filter form visible", await page.locator("#filters").isVisible(), false);
  same("sort buttons", await page.locator("#platforms thead button").count(), 0);
}
