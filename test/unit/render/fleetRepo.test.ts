import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderStack, type RenderResult } from "../../../automation/render";
import { checkFleetRepo, describeFleetRepo, fleetRepoFails } from "../../../automation/render/fleetRepo";

const ROOT = path.join(__dirname, "..", "..", "..");

describe("render against the local fleet repository", () => {
  let local: RenderResult;
  let tmp: string;
  beforeAll(async () => {
    local = await renderStack(ROOT, "local");
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-repo-"));
    await fs.cp(path.join(ROOT, "gitops"), path.join(tmp, "gitops"), { recursive: true });
  }, 30_000);
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it("draws the tree and finds cluster-vars complete for the shipped gitops/", async () => {
    const report = await checkFleetRepo(local, path.join(ROOT, "gitops"));
    expect(report?.missing).toEqual([]);
    expect(report?.tree).toContain('src[("GitRepository flux-system (branch main)")]');
    expect(report?.tree).toContain("k_flux_system_slices -. dependsOn .-> k_flux_system_apps");
    expect(describeFleetRepo(report!)).toEqual([
      "fleet repository: cluster-vars cover every variable gitops/clusters/local needs; tree.md written",
    ]);
  });

  it("names each variable the tree uses without a value, with file and line", async () => {
    const apps = path.join(tmp, "gitops", "clusters", "local", "apps.yaml");
    const text = await fs.readFile(apps, "utf8");
    await fs.writeFile(apps, text.replace("  timeout: 3m\n", "  timeout: ${APPS_TIMEOUT}\n"));
    const report = await checkFleetRepo(local, path.join(tmp, "gitops"));
    expect(report?.missing.map(({ variable, file, line }) => ({ variable, file, line }))).toEqual([
      {
        variable: "APPS_TIMEOUT",
        file: "clusters/local/apps.yaml",
        line: text.split("\n").indexOf("  timeout: 3m") + 1,
      },
    ]);
    expect(describeFleetRepo(report!)[0]).toBe(
      "fleet repository: 1 variable(s) gitops/clusters/local needs have no value (Flux 2.9 fails the reconcile):",
    );
  });

  it("fails when the repository has no tree at the platform's root path, and skips a missing repository", async () => {
    await fs.rm(path.join(tmp, "gitops", "clusters", "local"), { recursive: true });
    const report = await checkFleetRepo(local, path.join(tmp, "gitops"));
    expect(report).toEqual({ repoDir: path.join(tmp, "gitops"), rootPath: "./clusters/local", missing: [] });
    expect(describeFleetRepo(report!)).toEqual([
      "fleet repository: gitops/clusters/local does not exist, so Flux would fail the root Kustomization: set flux.sync.path to the platform's folder, or add ./clusters/local to the repository",
    ]);
    expect(fleetRepoFails(report)).toBe(true);
    expect(await checkFleetRepo(local, path.join(tmp, "nope"))).toBeUndefined();
    expect(fleetRepoFails(undefined)).toBe(false);
  });
});
