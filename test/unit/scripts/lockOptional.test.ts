/** CONTRIBUTING's lock-file repair, run as written: on the committed lock it has nothing to add. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");

it("node scripts/lock-optional.mjs leaves the committed lock as it is", () => {
  const lock = path.join(ROOT, "package-lock.json");
  const before = readFileSync(lock, "utf8");
  const r = spawnSync(process.execPath, ["scripts/lock-optional.mjs"], { cwd: ROOT, encoding: "utf8" });
  expect([r.status, r.stdout.trim()]).toEqual([0, "lock-optional: nothing to add"]);
  expect(readFileSync(lock, "utf8")).toBe(before);
});
