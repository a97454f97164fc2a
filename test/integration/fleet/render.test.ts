/**
 * The fleet render's pool of worker processes (each loads the program; `fleet render` uses one per
 * core by default): a stack that does not render, and the same output as one worker.
 */
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
    expect(lines.find((l) => l.startsWith("stack"))).toMatch(/p001 +1 +g0 +succeeded +9 +4 /);
  });
  it("writes the same files with a pool of workers as with one, and reports the same results", async () => {
    const project = path.join(tmp, "pool");
    await generateFleet({
      projectDir: ROOT,
      template: "local",
      count: 3,
      targetDir: project,
      waveOf: () => 1,
    });
    const { stacks } = await loadInventory(project);
    const one = await renderFleet(stacks, {
      projectDir: project,
      outDir: path.join(tmp, "pool-1"),
      workers: 1,
    });
    const done: string[] = [];
    // Two processes for three stacks: the first one done takes the third.
    const two = await renderFleet(stacks, {
      projectDir: project,
      outDir: path.join(tmp, "pool-2"),
      workers: 2,
      onDone: (r) => done.push(r.stack),
    });
    expect(done.sort()).toEqual(["p001", "p002", "p003"]);
    const comparable = (rs: typeof one, out: string) =>
      rs.map(({ durationMs: _, ...r }) => ({
        ...r,
        ...(r.render ? { render: { ...r.render, outDir: path.relative(out, r.render.outDir) } } : {}),
      }));
    expect(comparable(two, path.join(tmp, "pool-2"))).toEqual(comparable(one, path.join(tmp, "pool-1")));
    expect(two.map((r) => [r.stack, r.result])).toEqual([
      ["p001", "succeeded"],
      ["p002", "succeeded"],
      ["p003", "succeeded"],
    ]);
    const files1 = await tree(path.join(tmp, "pool-1"));
    expect(Object.keys(files1)).toHaveLength(
      3 * Object.keys(await tree(path.join(tmp, "pool-1", "p001"))).length,
    );
    expect(await tree(path.join(tmp, "pool-2"))).toEqual(files1);
  });
});

/** Every file under `dir`, by path relative to it, with its text. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const file = path.join(e.parentPath, e.name);
      out[path.relative(dir, file)] = await fs.readFile(file, "utf8");
    }
  return out;
}
