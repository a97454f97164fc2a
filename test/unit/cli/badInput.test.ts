/** Bad input to every CLI, table-driven: the rows and how to add one are in ./badInputRows.ts. */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { check } from "../../../cli/check";
import { fleet } from "../../../cli/fleet";
import { gitopsLint } from "../../../cli/gitops-lint";
import { gitopsNewSlice } from "../../../cli/gitops-new-slice";
import { render } from "../../../cli/render";
import { rows } from "./badInputRows";
import { runCli, STACK_LINE } from "./run";

const ROOT = path.join(__dirname, "..", "..", "..");
// Loading the program on a loaded 2-core machine is slow; these are not timing tests.
jest.setTimeout(60_000);

/** Every file under `dir` (hidden ones too) with a hash of its content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    const key = path.relative(dir, p) + (e.isDirectory() ? "/" : "");
    out[key] = e.isDirectory()
      ? ""
      : createHash("sha256")
          .update(await fs.readFile(p))
          .digest("hex");
  }
  return out;
}

describe("bad CLI input", () => {
  let base: string;
  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), "bad-input-"));
  });
  afterAll(() => fs.rm(base, { recursive: true, force: true }));

  it("has rows for every CLI", () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const cli of [render, check, gitopsLint, gitopsNewSlice, fleet])
      expect(rows.filter((r) => r.cli === cli).length).toBeGreaterThanOrEqual(5);
  });

  it.each(rows.map((r, i) => [`${i + 1} ${r.cli.spec.name} ${r.argv.join(" ")}`, r] as const))(
    "%s",
    async (_, row) => {
      const tmp = await fs.mkdtemp(path.join(base, "row-"));
      const fill = (s: string) => s.replaceAll("{tmp}", tmp).replaceAll("{root}", ROOT);
      for (const [file, content] of Object.entries(row.files ?? {})) {
        await fs.mkdir(path.dirname(path.join(tmp, file)), { recursive: true });
        await fs.writeFile(path.join(tmp, file), content);
      }
      const before = await snapshot(tmp);
      const gitopsBefore = await snapshot(path.join(ROOT, "gitops"));
      const r = await runCli(row.cli, row.argv.map(fill));
      const printed = `${r.out}\n${r.err}`;
      expect({ code: r.code, printed }).toEqual({ code: row.code, printed: expect.any(String) });
      for (const s of row.says) expect(printed).toContain(fill(s).replaceAll(`${ROOT}/`, ""));
      expect(printed).not.toMatch(STACK_LINE);
      expect(printed).not.toContain("internal error");
      expect(await snapshot(tmp)).toEqual(before);
      expect(await snapshot(path.join(ROOT, "gitops"))).toEqual(gitopsBefore);
    },
  );
});
