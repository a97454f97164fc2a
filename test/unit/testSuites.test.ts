/**
 * Where each Jest test runs: `npm test` runs every test under test/ except test/e2e/ (its own
 * runners) and test/integration/ (whole programs as processes), which `npm run test:integration`
 * runs with the same transform, and which CI runs right after `npm test`.
 */
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { testGitopsCache } from "../helpers/gitopsCache";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
type Config = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (file: string) => require(path.join(ROOT, file)) as Config;

describe("the Jest suites", () => {
  const unit = load("jest.config.js");
  const integration = load("jest.integration.config.js");

  it("npm test's run leaves out only test/e2e/ and test/integration/", () => {
    expect([unit.roots, unit.testMatch, unit.testPathIgnorePatterns]).toEqual([
      ["<rootDir>/test"],
      ["**/*.test.ts"],
      ["/node_modules/", "<rootDir>/test/e2e/", "<rootDir>/test/integration/"],
    ]);
  });

  it("test:integration runs test/integration/ with the unit run's transform and module map", () => {
    const { roots, testPathIgnorePatterns, ...rest } = integration;
    const { roots: _r, testPathIgnorePatterns: _t, ...unitRest } = unit;
    expect([roots, testPathIgnorePatterns, rest]).toEqual([
      ["<rootDir>/test/integration"],
      ["/node_modules/"],
      unitRest,
    ]);
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect([scripts.test, scripts["test:integration"]]).toEqual([
      "node scripts/test.mjs",
      "jest -c jest.integration.config.js",
    ]);
  });

  it("every worker has the run's gitops build cache, made by globalSetup (test/helpers/gitopsCache.ts)", () => {
    expect([unit.globalSetup, unit.globalTeardown]).toEqual([
      "<rootDir>/test/helpers/jestGlobalSetup.ts",
      "<rootDir>/test/helpers/jestGlobalTeardown.ts",
    ]);
    const dir = testGitopsCache() ?? "(not set)";
    expect([path.basename(dir).replace(/-\w{6}$/, "-XXXXXX"), statSync(dir).isDirectory()]).toEqual([
      "platform-jest-gitops-cache-XXXXXX",
      true,
    ]);
  });

  it("CI runs test:integration right after npm test", () => {
    const commands = read(".ci/run")
      .split("\n")
      .filter((l) => /^npm (test|run test:)/.test(l));
    expect(commands.slice(0, 2)).toEqual(["npm test", "npm run test:integration"]);
  });
});
