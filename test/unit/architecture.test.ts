/**
 * No import cycles anywhere in the program's code (dpdm over the TypeScript sources, type-only imports
 * included). The direction of imports between layers is ESLint's no-restricted-imports (eslint.config.mjs).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

const ROOT = path.join(__dirname, "..", "..");
const SOURCES = [
  "index.ts",
  "cli/**/*.ts",
  "automation/**/*.ts",
  "stacks/**/*.ts",
  "components/**/*.ts",
  "policy/**/*.ts",
];

/** dpdm in a plain Node process (its ESM-only dependencies do not load in Jest's registry). */
function cyclesIn(dir: string, globs: string[]): { files: number; cycles: string[] } {
  const out = execFileSync(
    process.execPath,
    [path.join(__dirname, "..", "helpers", "importCycles.mjs"), dir, ...globs],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(out) as { files: number; cycles: string[] };
}

describe("import cycles", () => {
  it("there are none in the sources (type-only imports count too)", () => {
    const { files, cycles } = cyclesIn(ROOT, SOURCES);
    expect(files).toBeGreaterThan(100); // the globs found the tree
    expect(cycles).toEqual([]);
  });

  it("the check finds a cycle when there is one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cycles-"));
    try {
      writeFileSync(path.join(dir, "a.ts"), 'import type { B } from "./b";\nexport type A = B[];\n');
      writeFileSync(path.join(dir, "b.ts"), 'import type { A } from "./a";\nexport type B = { a?: A };\n');
      expect(cyclesIn(dir, ["a.ts"]).cycles).toEqual(["a.ts -> b.ts"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The messages of the import-direction rule for `code` standing at `filePath` (one case each). */
function layerMessages(cases: { filePath: string; code: string }[]): string[][] {
  const out = execFileSync(
    process.execPath,
    [path.join(__dirname, "..", "helpers", "layerLint.mjs"), ROOT, JSON.stringify(cases)],
    { encoding: "utf8" },
  );
  return JSON.parse(out) as string[][];
}

describe("imports point one way (eslint.config.mjs)", () => {
  const LAYERS = "imports point one way, cli → automation → stacks → components (see docs/architecture.md).";
  const ROOM = (room: string) =>
    `automation/gitops/${room}/ may not import a tool room (or the folder index, which re-exports them): move what both need to automation/gitops/shared/ (see docs/architecture.md).`;
  const cases: { filePath: string; code: string; expected: string[] }[] = [
    // Upward imports fail.
    {
      filePath: "components/flux/x.ts",
      code: 'import { parsePlatformConfig } from "../../stacks/config";\n',
      expected: [`components may not import stacks, automation, cli: ${LAYERS}`],
    },
    {
      filePath: "components/cluster/eks/x.ts",
      code: 'import type { PlatformConfig } from "../../../stacks/config";\n',
      expected: [`components may not import stacks, automation, cli: ${LAYERS}`],
    },
    {
      filePath: "components/x.ts",
      code: 'export { lintFleet } from "../automation/gitops";\n',
      expected: [`components may not import stacks, automation, cli: ${LAYERS}`],
    },
    {
      filePath: "stacks/args/x.ts",
      code: 'import { renderStack } from "../../automation/render";\n',
      expected: [`the stacks layer may not import automation, cli: ${LAYERS}`],
    },
    {
      filePath: "automation/fleet/x.ts",
      code: 'import { start } from "../../cli/common";\n',
      expected: [`automation may not import cli: ${LAYERS}`],
    },
    // A tool room importing another tool room, or the index that re-exports them, fails.
    {
      filePath: "automation/gitops/diff/x.ts",
      code: 'import { lintFleet } from "../lint/lint";\n',
      expected: [ROOM("diff")],
    },
    {
      filePath: "automation/gitops/slices/x.ts",
      code: 'import { publish } from "../publish";\n',
      expected: [ROOM("slices")],
    },
    {
      filePath: "automation/gitops/lint/x.ts",
      code: 'import { diffFleet } from "..";\n',
      expected: [ROOM("lint")],
    },
    {
      filePath: "automation/gitops/shared/x.ts",
      code: 'import { checkTree } from "../lint/checks";\n',
      expected: [ROOM("shared")],
    },
    // Downward and same-room imports pass.
    {
      filePath: "automation/gitops/lint/x.ts",
      code: 'import { walkTree } from "../shared/tree";\nimport { checkTree } from "./checks";\nimport { PlatformConfig } from "../../../stacks/config";\n',
      expected: [],
    },
    { filePath: "stacks/x.ts", code: 'import { FluxBootstrap } from "../components/flux";\n', expected: [] },
    // automation/cli/ is automation's own folder, not the top-level cli/.
    { filePath: "automation/fleet/x.ts", code: 'import { UsageError } from "../cli/args";\n', expected: [] },
    { filePath: "cli/x.ts", code: 'import { lintFleet } from "../automation/gitops";\n', expected: [] },
  ];

  it("fails each deliberate upward or cross-room import, with the fix, and passes the rest", () => {
    // ESLint names the import it refused before the rule's message.
    const refused = (code: string) => /from "([^"]+)"/.exec(code)?.[1] ?? "";
    expect(layerMessages(cases)).toEqual(
      cases.map((c) =>
        c.expected.map((m) => `'${refused(c.code)}' import is restricted from being used by a pattern. ${m}`),
      ),
    );
  });
});
