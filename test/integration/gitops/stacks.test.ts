/**
 * gitops:lint and gitops:diff with the project's stack files, run as the user runs them: each CLI a
 * process (seconds each, so here in `npm run test:integration`). The broken render fails inside the
 * offline engine, outside any promise the lint awaits, which only a real process (not a test worker)
 * shows. The same messages in-process: test/unit/gitops/stacks.test.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { formatFinding, type FleetDiff, type LintResult } from "../../../automation/gitops";
import {
  DIFF_FOLLOWS,
  DIFF_PROBLEMS,
  lintStackFindings,
  PLATFORMS,
  stacksProject,
} from "../../helpers/stacksProject";

const ROOT = path.resolve(__dirname, "../../..");
/** tsx's loader, by URL: the CLI runs in another directory than the project. */
const TSX = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

describe("gitops:lint and gitops:diff as processes, with the project's stack files", () => {
  let project: string;
  beforeAll(() => {
    project = stacksProject();
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  it("gitops:lint reports the broken stack at its line, the duplicate platform, and checks every platform", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", TSX, path.join(ROOT, "cli/gitops-lint.ts"), "gitops", "--json"],
      { cwd: project, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as LintResult;
    expect(
      result.findings.filter((f) => f.rule === "stack").map((f) => formatFinding(f, "gitops/", "./")),
    ).toEqual(lintStackFindings(project));
    expect(result.platforms).toEqual(PLATFORMS);
  });

  it("gitops:diff reports the broken stack file too, and compares every platform", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", TSX, path.join(ROOT, "cli/gitops-diff.ts"), "HEAD", "--json"],
      { cwd: project, encoding: "utf8", timeout: 120_000 },
    );
    // de-prod follows tag v1.0.0, which this repository does not have: its tree cannot be built, exit 2.
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^gitops:diff: 3 platforms, 0 with changes, 2 skipped as unchanged \(\d+ ms\)\ngitops:diff: incomplete: 1 platform could not be built completely; fix what the report lists \(npm run gitops:lint names the file and line\)\n$/,
    );
    const diff = JSON.parse(run.stdout) as FleetDiff;
    expect(diff.problems.map((p) => p.replace(/:\d+: /, ":<line>: "))).toEqual(DIFF_PROBLEMS);
    expect(diff.platforms.map((p) => `${p.platform}: ${p.follows}`)).toEqual(DIFF_FOLLOWS);
  });
});
