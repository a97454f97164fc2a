/**
 * With a pool, `fleet render`'s parent reads the inventory and hands stacks out: it loads none of
 * the program (the Pulumi SDKs, the stacks' config and components), which only the workers need.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "../../..");

/** Modules of the program that `module` loads (the first three), in a fresh process. */
function programModules(module: string): unknown {
  const probe = [
    `require(${JSON.stringify(module)});`,
    "const loaded = Object.keys(require.cache).map((f) => f.slice(process.cwd().length + 1));",
    "const program = /^(node_modules\\/@pulumi\\/|stacks\\/(config|platform)\\.ts|components\\/flux\\/index\\.ts)/;",
    "console.log(JSON.stringify(loaded.filter((f) => program.test(f)).slice(0, 3)));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--import", "./scripts/ts-hooks.mjs", "-e", probe], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return [r.status, r.stdout.trim(), r.stderr];
}

it.each(["./automation/fleet/render.ts", "./automation/fleet/main.ts"])(
  "%s loads no Pulumi SDK and none of the program",
  (module) => {
    expect(programModules(module)).toEqual([0, "[]", ""]);
  },
);
