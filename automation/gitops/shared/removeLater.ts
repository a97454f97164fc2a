/**
 * Removing a tool's temporary folder after it is done, without making the user wait for it: the
 * build mirror and the checkouts of a 1,000-platform fleet repository hold tens of thousands of
 * files, and removing them took a fifth of a cold gitops:lint on a busy machine. A detached `rm -rf`
 * removes them while the command exits; where it cannot start, the folder is removed here.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";

export function removeInBackground(dir: string): void {
  if (!fs.existsSync(dir)) return;
  try {
    const rm = spawn("rm", ["-rf", "--", dir], { detached: true, stdio: "ignore" });
    if (rm.pid !== undefined) {
      rm.on("error", () => fs.rmSync(dir, { recursive: true, force: true }));
      rm.unref();
      return;
    }
  } catch {
    /* removed below */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
