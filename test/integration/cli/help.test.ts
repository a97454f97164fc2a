/** Every CLI as a user starts it: through npm and the TypeScript loader, one process each. */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { formatHelp } from "../../../automation/cli/args";
import { CLIS, cliReference } from "../../../cli/docs";

const ROOT = path.join(__dirname, "..", "..", "..");
// Each subprocess starts npm and the TypeScript loader: slow on a loaded 2-core machine.
jest.setTimeout(120_000);

function npmRun(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: ROOT });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("--help", () => {
  it("every CLI is an npm script that answers --help with exit 0 (subprocesses, as a user runs them)", async () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    for (const cli of CLIS) {
      expect(scripts[cli.spec.name]).toBeDefined();
      const r = await npmRun(cli.spec.name, ["--help"]);
      expect([cli.spec.name, r.code, r.out.trim()]).toEqual([cli.spec.name, 0, formatHelp(cli.spec)]);
    }
    const typo = await npmRun("render", ["local", "--ouy", "x"]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain(
      "unknown option --ouy: did you mean --out?\n\nusage: npm run render -- <stack> [options]",
    );
  });
});

describe("docs/cli.md", () => {
  it("`npx tsx cli/docs.ts` prints the reference (test/unit/cli/help.test.ts compares the file with it)", () => {
    const printed = spawnSync("npx", ["tsx", "cli/docs.ts"], { cwd: ROOT, encoding: "utf8" });
    expect([printed.status, printed.stdout]).toEqual([0, `${cliReference()}\n`]);
  });
});
