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
  "program/**/*.ts",
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
