/**
 * One gitops build cache (automation/gitops/shared/cache.ts) per Jest run, shared by every worker:
 * the lint tests lint dozens of copies of the shipped fleet repository that differ in one file, and
 * a kustomize build whose input files a test did not change is then read back instead of run again
 * (the cache is keyed by the content of every file a build reads, so a changed file is a new build;
 * failed builds and builds holding a plain-text Secret are never kept). Made fresh by Jest's
 * globalSetup (./jestGlobalSetup.ts) and removed by its globalTeardown: the program's version in the
 * key does not change while the code under test does, so no entry outlives the run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The variable globalSetup sets for the workers (they start after it). */
export const TEST_GITOPS_CACHE = "PLATFORM_TEST_GITOPS_CACHE";

/** The run's cache folder; outside a Jest run (no globalSetup), none: every build runs. */
export function testGitopsCache(): string | undefined {
  return process.env[TEST_GITOPS_CACHE] || undefined;
}

export function makeTestGitopsCache(): void {
  process.env[TEST_GITOPS_CACHE] = fs.mkdtempSync(path.join(os.tmpdir(), "platform-jest-gitops-cache-"));
}

export function removeTestGitopsCache(): void {
  const dir = testGitopsCache();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
