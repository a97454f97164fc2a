/** Bad input to every CLI, table-driven: the rows and how to add one are in ./badInputRows.ts. */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { check } from "../../../cli/check";
import { execute } from "../../../cli/common";
import { fleet } from "../../../cli/fleet";
import { gitopsLint } from "../../../cli/gitops-lint";
import { gitopsNewSlice } from "../../../cli/gitops-new-slice";
import { render } from "../../../cli/render";
import { boundsRows } from "./badInputRows.bounds";
import { rows as generalRows } from "./badInputRows";
import { gitsideRows } from "./badInputRows.gitside";
import { privilegeRows } from "./badInputRows.privilege";
import { rows as secretRows } from "./badInputRows.secrets";
import { rowTitle, runRow } from "./badInputRun";

const ROOT = path.join(__dirname, "..", "..", "..");
const rows = [...generalRows, ...privilegeRows, ...secretRows, ...boundsRows, ...gitsideRows];
// Loading the program on a loaded 2-core machine is slow; these are not timing tests.
jest.setTimeout(60_000);

describe("bad CLI input", () => {
  let base: string;
  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), "bad-input-"));
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));

  it("has rows for every CLI", () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
    expect(gitsideRows.length).toBeGreaterThanOrEqual(50);
    for (const cli of [render, check, gitopsLint, gitopsNewSlice, fleet])
      expect(rows.filter((r) => r.cli === cli).length).toBeGreaterThanOrEqual(5);
  });

  it.each(rows.map((r, i) => [rowTitle(r, i), r] as const))("%s", async (_, row) => {
    const tmp = await fs.mkdtemp(path.join(base, "row-"));
    const r = await runRow(row, { tmp, root: ROOT, execute, cli: row.cli });
    // On failure, what was printed shows beside the reason.
    expect({
      outcome: r.outcome,
      why: r.why,
      printed: r.outcome === "refused cleanly" ? "" : r.printed,
      leaked: (row.never ?? []).filter((s) => r.printed.includes(s)),
    }).toEqual({
      outcome: "refused cleanly",
      why: "",
      printed: "",
      leaked: [],
    });
  });
});
