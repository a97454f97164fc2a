// The fleet page (`fleet up|status|render --html`) in a real browser: Debian's Chromium, driven by
// playwright-core. Not part of `npm test` (it needs Chromium); .ci/run runs it.
//
//   npm run test:fleet-page                          # reports it generates (small, and 1,000 platforms)
//   npm run test:fleet-page -- --pairs <dir>         # every <name>.json + <name>.html in <dir> (the fleet e2e's)
//   npm run test:fleet-page -- --docs-screenshot     # also rewrite docs/img/fleet-page.png
//
// Each page is loaded from its file:// URL and checked against the JSON report of the same run:
// no request but the page itself, no console or page error, the summary's counts, the rows, the
// "not Ready", wave and free-text filters, a failed gate's message shown as text, sorting, the
// keyboard path to the filters, and the full table with JavaScript off. Chromium: CHROMIUM_PATH,
// else /usr/bin/chromium (apt-get install chromium); missing, the test fails and says so.
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { htmlReport } from "../../automation/fleet/page";
import { fleetReportSchema, type FleetReport } from "../../automation/fleet/report";
import { largeFleetReport } from "../helpers/fleetLargeReport";
import { smallFleetRun } from "../helpers/fleetPageReports";
import { noScriptCheck, openPage, pageChecks, type Check } from "./fleetPageChecks";

const ROOT = path.join(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "artifacts", "fleet-page");
const DOCS_SHOT = path.join(ROOT, "docs", "img", "fleet-page.png");

interface Pair {
  name: string;
  json: string;
  html: string;
  screenshot?: string;
}

function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(p)) return p;
  console.error(
    `fleet page test: no Chromium at ${p}. Install Debian's (as root: apt-get update && apt-get install -y chromium)` +
      " or point CHROMIUM_PATH at one. Nothing was checked.",
  );
  process.exit(1);
}

/** The report pairs: those of a folder, or generated here. */
async function pairs(args: string[]): Promise<Pair[]> {
  const at = args.indexOf("--pairs");
  if (at >= 0) {
    const dir = path.resolve(args[at + 1] ?? "");
    const found = (await fs.readdir(dir))
      .filter((f) => f.endsWith(".json") && existsSync(path.join(dir, f.replace(/\.json$/, ".html"))))
      .sort()
      .map((f) => ({
        name: f.replace(/\.json$/, ""),
        json: path.join(dir, f),
        html: path.join(dir, f.replace(/\.json$/, ".html")),
      }));
    if (!found.length) throw new Error(`--pairs ${dir}: no <name>.json with a <name>.html beside it`);
    return found;
  }
  await fs.rm(ARTIFACTS, { recursive: true, force: true });
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const small = await smallFleetRun(ARTIFACTS);
  const large = largeFleetReport(1000);
  const json = path.join(ARTIFACTS, "large-1000.json");
  const html = path.join(ARTIFACTS, "large-1000.html");
  await fs.writeFile(json, JSON.stringify(large, null, 2) + "\n");
  await fs.writeFile(html, htmlReport(large));
  return [
    { name: "small up (a failed gate, a failed stack, a skipped wave)", ...small.up },
    { name: "small status (not-Ready roots, one unreadable)", ...small.status },
    { name: "1,000 platforms", json, html, screenshot: path.join(ARTIFACTS, "fleet-1000.png") },
  ];
}

async function checkPair(browser: Browser, pair: Pair, docsShot: boolean): Promise<[number, number]> {
  const report: FleetReport = fleetReportSchema.parse(JSON.parse(await fs.readFile(pair.json, "utf8")));
  const url = pathToFileURL(pair.html).href;
  console.log(
    `\n${pair.name}: ${path.relative(process.cwd(), pair.html)} (${report.stacks.length} platforms)`,
  );
  const loading = Date.now();
  const on = await openPage(browser, url);
  // From page.goto to the load event (the script has filtered once by then).
  console.log(`  loaded in ${Date.now() - loading} ms (${(await fs.stat(pair.html)).size} bytes)`);
  const reload = async () => void (await on.page.goto(url, { waitUntil: "load" }));
  const checks: Check[] = [
    ...pageChecks(() => on.page, report, reload),
    {
      name: "with JavaScript off the full table is there (and the inert filters are not)",
      run: async () => {
        const off = await openPage(browser, url, false);
        try {
          await noScriptCheck(off.page, report);
          on.requests.push(...off.requests);
          on.problems.push(...off.problems);
        } finally {
          await off.context.close();
        }
      },
    },
    {
      name: "no request but the page itself; no console error, page error or dialog",
      run: async () => {
        const others = [...new Set(on.requests.filter((u) => u !== url))];
        const found = [...(others.length ? [`requests: ${others.join(", ")}`] : []), ...new Set(on.problems)];
        if (found.length) throw new Error(found.join("\n"));
      },
    },
  ];
  let passed = 0;
  let failed = 0;
  for (const c of checks) {
    try {
      await c.run();
      passed++;
      console.log(`  ok   ${c.name}`);
    } catch (e) {
      failed++;
      console.log(`  FAIL ${c.name}\n       ${(e as Error).message.split("\n").join("\n       ")}`);
    }
  }
  if (pair.screenshot || docsShot) {
    await reload();
    if (pair.screenshot) {
      await on.page.screenshot({ path: pair.screenshot });
      console.log(`  screenshot: ${path.relative(process.cwd(), pair.screenshot)}`);
    }
    if (docsShot && pair.screenshot) {
      // The docs show the rows that need attention, wide enough for their messages.
      await on.page.setViewportSize({ width: 1700, height: 1000 });
      await on.page.selectOption("#f-state", "attention");
      await fs.mkdir(path.dirname(DOCS_SHOT), { recursive: true });
      await on.page.screenshot({ path: DOCS_SHOT });
      console.log(`  docs screenshot: ${path.relative(process.cwd(), DOCS_SHOT)}`);
    }
  }
  await on.context.close();
  return [passed, failed];
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const executablePath = chromiumPath();
  const list = await pairs(args);
  const browser = await chromium.launch({ executablePath });
  console.log(`Chromium ${browser.version()} (${executablePath})`);
  let passed = 0;
  let failed = 0;
  try {
    for (const p of list) {
      const [ok, bad] = await checkPair(browser, p, args.includes("--docs-screenshot"));
      passed += ok;
      failed += bad;
    }
  } finally {
    await browser.close();
  }
  console.log(`\nfleet-page: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
