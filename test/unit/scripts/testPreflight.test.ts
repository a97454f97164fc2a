/** `npm test` (scripts/test.mjs) on a machine without shellcheck stops at once with the install command. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

it("npm test without shellcheck fails at once, runs nothing, and prints the install command", () => {
  // PATH holds a folder with only this Node in it (the folder Node lives in may hold shellcheck,
  // as /usr/bin does), and the preflight-only switch stops the script before it could start the
  // suite inside the suite, whatever the machine has.
  const bin = mkdtempSync(path.join(tmpdir(), "platform-preflight-"));
  symlinkSync(process.execPath, path.join(bin, "node"));
  const env = { PATH: bin, HOME: process.env.HOME ?? "/tmp", PLATFORM_TEST_PREFLIGHT_ONLY: "1" };
  const r = spawnSync(process.execPath, ["scripts/test.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
    env,
    timeout: 30_000,
  });
  rmSync(bin, { recursive: true, force: true });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    "npm test: shellcheck is not installed (needed by the bare-metal install script tests and scripts/node-env.sh's test). Install it with:\n\n  ",
  );
  expect(r.stderr).toMatch(
    /apt-get update && (sudo )?apt-get install -y shellcheck|brew install shellcheck|dnf install/,
  );
  expect(r.stderr).toContain("Nothing was run.");
  expect(r.stdout).toBe("");
});
