/** The shared error handler in a real process: an error thrown in a callback, after the run returned control. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

describe("the shared error handler", () => {
  it("reports an error escaping the run (thrown in a callback) the same way, and ends the process", () => {
    const root = path.join(__dirname, "..", "..", "..");
    const dir = mkdtempSync(path.join(os.tmpdir(), "cli-escape-"));
    try {
      const script = path.join(dir, "escape.ts");
      writeFileSync(
        script,
        `import { start } from ${JSON.stringify(path.join(root, "cli", "common"))};
import { StackFileError } from ${JSON.stringify(path.join(root, "automation", "render", "stackFile"))};
start({
  spec: { name: "demo", summary: "demo", options: {} },
  run: async () => {
    setTimeout(() => { throw new StackFileError("Pulumi.x.yaml: escaped from a callback"); }, 10);
    await new Promise((r) => setTimeout(r, 5000));
    return 0;
  },
});
`,
      );
      const r = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [script], { encoding: "utf8" });
      expect([r.status, r.stdout, r.stderr]).toEqual([1, "", "Pulumi.x.yaml: escaped from a callback\n"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
