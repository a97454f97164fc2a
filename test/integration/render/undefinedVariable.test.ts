/**
 * `fleet render` (its default pool of worker processes, one per core) on a fleet repository using a
 * variable no platform defines; `render` on the same: test/unit/render/output.test.ts.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fleet } from "../../../cli/fleet";
import { fleetWithUndefinedVariable } from "../../helpers/undefinedVariable";
import { runCli } from "../../unit/cli/run";

jest.setTimeout(60_000);

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "output-"));
});
afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

it("fleet render fails on a variable of the tree no platform defines, and passes once it is defined", async () => {
  const { project, gitops, defineVariable } = await fleetWithUndefinedVariable(tmp);
  const report = path.join(tmp, "report.json");
  const fleetRender = [
    ...["render", "--project", project, "--gitops", gitops, "--out", path.join(tmp, "many")],
    ...["--json", report],
  ];
  const many = await runCli(fleet, fleetRender);
  expect(many.code).toBe(1);
  expect(many.out).toContain(
    "p001 failed:\nfleet repository: 1 variable(s) gitops/clusters/gen-p001 needs have no value",
  );
  expect(many.out).toContain("${SITE_CODE}: add it to flux.vars");
  expect(many.out).toContain("fleet render: FAILED");
  // Without the variable it passes.
  await defineVariable();
  const passing = await runCli(fleet, fleetRender);
  expect(passing.code).toBe(0);
  // The second run replaced its own report.
  expect(JSON.parse(await fs.readFile(report, "utf8"))).toMatchObject({
    kind: "platform-fleet-report",
    exitCode: 0,
  });
});
