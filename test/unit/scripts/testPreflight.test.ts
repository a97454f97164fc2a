/** `npm test` (scripts/test.mjs) on a machine without shellcheck stops at once with the install command. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

it("npm test without shellcheck fails at once, runs nothing, and prints the install command", () => {
  // PATH holds only the folder of this Node (node, npm, npx): no shellcheck on it.
  const r = spawnSync(process.execPath, ["scripts/test.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: path.dirname(process.execPath), HOME: process.env.HOME ?? "/tmp" },
    timeout: 30_000,
  });
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
