/**
 * On a Node older than the project needs (the machines here ship Node 20 as /usr/bin/node), every
 * entry point stops at once with one line naming the fix (scripts/node-check.cjs), instead of an
 * engine warning and a crash inside a dependency (`module.registerHooks is not a function`). Run
 * with the machine's old Node when there is one; skipped, saying why, where there is none.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const OLD_NODE = process.env.PLATFORM_OLD_NODE ?? "/usr/bin/node";

/** The old Node's version, or why the test cannot run. */
function oldNode(): { version: string } | { why: string } {
  if (!existsSync(OLD_NODE)) return { why: `${OLD_NODE} does not exist` };
  const r = spawnSync(OLD_NODE, ["--version"], { encoding: "utf8" });
  const version = r.stdout?.trim() ?? "";
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  if (!(major < 22 || (major === 22 && minor < 15)))
    return { why: `${OLD_NODE} is ${version || "unusable"}, not older than 22.15` };
  return { version };
}

const old = oldNode();
if ("why" in old)
  console.log(
    `skipped: the Node-version check needs a Node older than 22.15 (${old.why}); set PLATFORM_OLD_NODE to one`,
  );

const SCRIPTS = (
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/** npm scripts that run no project code on Node, each with why it needs no check. */
const EXEMPT: Record<string, string> = {
  typecheck: "tsc only reads the sources",
  lint: "ESLint and Prettier only read the sources",
  format: "Prettier only rewrites the sources",
  "e2e:tools": "a bash script building Go tools",
};

(("why" in old ? describe.skip : describe) as jest.Describe)("entry points on an old Node", () => {
  const line = (version: string) =>
    `platform needs Node.js >= 22.15, but this is ${version} (${OLD_NODE}): run \`. scripts/node-env.sh\` in this shell (it installs Node 24 into ~/.cache/platform/ when the machine's Node is older), then run the command again\n`;

  it("the exempt scripts exist", () => {
    expect(Object.keys(EXEMPT).filter((s) => !(s in SCRIPTS))).toEqual([]);
  });

  it.each(Object.keys(SCRIPTS).filter((s) => !(s in EXEMPT)))(
    "npm run %s stops at once with one line naming the fix, exit 1",
    (script) => {
      // The old Node (and its npm, when beside it) first on PATH, as on a fresh machine.
      const r = spawnSync("npm", ["run", "-s", script, "--", "local"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, PATH: `${path.dirname(OLD_NODE)}:${process.env.PATH ?? ""}` },
      });
      expect({ code: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({
        code: 1,
        stderr: line((old as { version: string }).version),
        stdout: "",
      });
    },
  );
});
