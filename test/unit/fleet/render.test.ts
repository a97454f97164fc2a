import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateFleet } from "../../../automation/fleet/generate";
import { loadInventory } from "../../../automation/fleet/inventoryFile";
import { renderFleet } from "../../../automation/fleet/render";

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
    expect(results[0].render).toEqual({ resources: 9, objects: 4, outDir: path.join(tmp, "out", "p001") });
    const cm = await fs.readFile(
      path.join(tmp, "out", "p003", "k8s", "flux-system", "ConfigMap.cluster-vars.yaml"),
      "utf8",
    );
    expect(cm).toContain("PLATFORM_NAME: gen-p003");
  });

  // A stack that does not render, and the pool of worker processes `fleet render` uses by default
  // (one per core): test/integration/fleet/render.test.ts.
});
