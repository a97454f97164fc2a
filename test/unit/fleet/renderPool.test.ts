/**
 * With a pool, `fleet render`'s parent only hands stacks out: loading automation/fleet/render.ts
 * loads none of the program (the Pulumi SDKs, the stacks), which only the workers need.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "../../..");

it("loads no Pulumi SDK and no stack module in the process that runs the pool", () => {
  const probe = [
    'require("./automation/fleet/render.ts");',
    "const loaded = Object.keys(require.cache).map((f) => f.slice(process.cwd().length + 1));",
    "console.log(JSON.stringify(loaded.filter((f) => /^(node_modules\\/@pulumi\\/|stacks\\/)/.test(f)).slice(0, 3)));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--import", "./scripts/ts-hooks.mjs", "-e", probe], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, "[]", ""]);
});
