import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateFleet } from "../../../automation/fleet/generate";
import { loadInventory } from "../../../automation/fleet/inventoryFile";
import { renderFleet } from "../../../automation/fleet/render";
import { fleetMain } from "../../../automation/fleet/main";

const ROOT = path.join(__dirname, "../../..");
// Loading the program and rendering is slow on a loaded 2-core machine; these are not timing tests.
jest.setTimeout(60000);

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-render-"));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe("fleet render", () => {
  it("generates a fleet from the local stack and renders every stack offline, one after another", async () => {
    const project = path.join(tmp, "gen");
    const names = await generateFleet({
      projectDir: ROOT,
      template: "local",
      count: 4,
      targetDir: project,
      waveOf: (i) => (i === 0 ? 1 : 2),
    });
    expect(names).toEqual(["p001", "p002", "p003", "p004"]);
    const inv = await loadInventory(project);
    expect(inv.stacks.map((s) => [s.stack, s.wave, s.group])).toEqual([
      ["p001", 1, "g0"],
      ["p002", 2, "g1"],
      ["p003", 2, "g2"],
      ["p004", 2, "g3"],
    ]);
    const t0 = performance.now();
    const results = await renderFleet(inv.stacks, {
      projectDir: project,
      outDir: path.join(tmp, "out"),
      workers: 1,
    });
    console.log(
      `fleet render: 4 generated stacks in ${(performance.now() - t0).toFixed(0)} ms (benchmark of 100: npx tsx automation/fleet/benchRender.ts 100)`,
    );
    expect(results.map((r) => r.result)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(results[0].render).toEqual({ resources: 8, objects: 4, outDir: path.join(tmp, "out", "p001") });
    const cm = await fs.readFile(
      path.join(tmp, "out", "p003", "k8s", "flux-system", "ConfigMap.cluster-vars.yaml"),
      "utf8",
    );
    expect(cm).toContain("PLATFORM_NAME: gen-p003");
  });

  it("reports a stack that does not render, and keeps rendering the others", async () => {
    const project = path.join(tmp, "bad");
    await generateFleet({
      projectDir: ROOT,
      template: "local",
      count: 2,
      targetDir: project,
      waveOf: () => 1,
    });
    const file = path.join(project, "Pulumi.p002.yaml");
    await fs.writeFile(
      file,
      (await fs.readFile(file, "utf8")).replace("platform:owner: platform-team", 'platform:owner: ""'),
    );
    const lines: string[] = [];
    const code = await fleetMain(["render", "--project", project, "--out", path.join(tmp, "bad-out")], {
      out: (l) => lines.push(l),
      interactive: false,
      stopSignal: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(lines.join("\n")).toContain(
      'p002 failed:\nInvalid configuration for stack "p002" (Pulumi.p002.yaml), 1 problem:\n  - owner:',
    );
    expect(lines.find((l) => l.startsWith("stack"))).toMatch(/p001 +1 +g0 +succeeded +8 +4 /);
  });
  // With a pool of worker processes: test/integration/fleet/render.test.ts.
});
