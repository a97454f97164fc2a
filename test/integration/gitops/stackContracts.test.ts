/**
 * The stack-file renders of the Git-side tools in a pool of worker processes (from 32 renders on, as a
 * 1,000-platform lint has them) give what the renders in the tool's own process give: the same
 * contracts in the same order, the same findings, whatever order the workers end in, and whether the
 * renders start before the stack files are parsed (every stack rendered) or after (`only`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startStackContracts } from "../../../automation/gitops/shared/stackContracts";
import { stacksProject } from "../../helpers/stacksProject";

const ROOT = path.resolve(__dirname, "../../..");
jest.setTimeout(120_000);

let project: string;
beforeAll(() => {
  project = stacksProject();
  // A rendered EKS platform beside local, and a stack that does not parse.
  fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(project, "Pulumi.dev.yaml"));
  const local = fs.readFileSync(path.join(project, "Pulumi.local.yaml"), "utf8");
  const bad = local.replace("platform:owner: platform-team", 'platform:owner: ""');
  if (bad === local) throw new Error("test setup: Pulumi.local.yaml has no platform:owner");
  fs.writeFileSync(
    path.join(project, "Pulumi.bad.yaml"),
    bad.replace("platform:name: local", "platform:name: bad"),
  );
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

describe("stack contracts rendered in worker processes", () => {
  it("are the ones rendered in this process, in stack order, with the same findings", async () => {
    const here = await (await startStackContracts(project, { workers: 0 })).done;
    // Renders that start after the parse (with `only`, as --changed-since has it) in platform order.
    const after = await (await startStackContracts(project, { workers: 2, only: () => true })).done;
    const started = await startStackContracts(project, { workers: 2 });
    // Known before any render ends: every platform, unrendered.
    expect([...started.unrendered.values()].map((c) => [c.platform, c.origin])).toEqual([
      ["de-dev", "Pulumi.dev.yaml (contract table; not rendered)"],
      ["local", "Pulumi.local.yaml (contract table; not rendered)"],
      ["de-prod", "Pulumi.prod.yaml (contract table; not rendered)"],
    ]);
    const local = await started.contract("local");
    const pooled = await started.done;
    expect(local).toEqual(pooled.contracts.get("local"));
    expect(await started.contract("no-such-platform")).toBeUndefined();
    expect([...pooled.contracts.entries()]).toEqual([...here.contracts.entries()]);
    expect(pooled.findings).toEqual(here.findings);
    expect([[...after.contracts.entries()], after.findings]).toEqual([
      [...here.contracts.entries()],
      here.findings,
    ]);
    expect(pooled.stacks).toEqual(["bad", "dev", "local", "local2", "prod"]);
    expect([...pooled.contracts.values()].map((c) => [c.platform, c.origin])).toEqual([
      ["de-dev", "Pulumi.dev.yaml (render)"],
      ["local", "Pulumi.local.yaml (render)"],
      ["de-prod", "Pulumi.prod.yaml (contract table; the render failed)"],
    ]);
    expect(pooled.findings.map((f) => `${f.file}:${f.line}: ${f.message.split(": ")[0]}`)).toEqual([
      "Pulumi.bad.yaml:8: cannot read the platform of stack bad",
      "Pulumi.local2.yaml:6: stack local2 defines platform local, and so does Pulumi.local.yaml",
      `Pulumi.prod.yaml:${pooled.findings[2].line}: stack prod does not render`,
    ]);
    expect(pooled.contracts.get("de-dev")?.clusterVars.CLUSTER_NAME).toBe("de-dev");
  });
});
