/**
 * The end-to-end tools an integration test needs (built by scripts/e2e/build-tools.sh), found
 * without building: PLATFORM_E2E_TOOLS, else a folder of the e2e cache holding every one of them.
 */
import { existsSync, readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A tools folder with every path of `needed` (e.g. `bin/registry`), or undefined. */
export function findE2eToolsDir(needed: readonly string[]): string | undefined {
  const given = process.env.PLATFORM_E2E_TOOLS;
  const cache = process.env.PLATFORM_E2E_CACHE ?? path.join(os.homedir(), ".cache", "platform-e2e");
  const candidates = given
    ? [given]
    : existsSync(cache)
      ? readdirSync(cache).map((d) => path.join(cache, d))
      : [];
  return candidates.find((d) => needed.every((f) => existsSync(path.join(d, f))));
}
