/** Temporary folders removed after the command, in a detached process (automation/gitops/shared/removeLater.ts). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { removeInBackground } from "../../../automation/gitops/shared/removeLater";

/** Waits until `done` holds, checking every 50 ms for up to 20 s (a wait, not a timed assertion). */
async function eventually(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  return done();
}

describe("removeInBackground", () => {
  it("removes a folder with nested files, and nothing next to it", async () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), "remove-later-"));
    const dir = path.join(top, "work");
    for (let i = 0; i < 50; i++) {
      fs.mkdirSync(path.join(dir, String(i), "sub"), { recursive: true });
      fs.writeFileSync(path.join(dir, String(i), "sub", "kustomization.yaml"), "resources: []\n");
    }
    fs.writeFileSync(path.join(top, "keep.txt"), "kept\n");
    removeInBackground(dir);
    expect(await eventually(() => !fs.existsSync(dir))).toBe(true);
    expect(fs.readdirSync(top)).toEqual(["keep.txt"]);
    fs.rmSync(top, { recursive: true, force: true });
  });

  it("does nothing for a folder that does not exist", () => {
    expect(() => removeInBackground(path.join(os.tmpdir(), "remove-later-none", "x"))).not.toThrow();
  });
});
