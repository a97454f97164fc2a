import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  diffFleet as diffFleetUncached,
  diffMarkdown,
  fieldChanges,
  runGitopsDiff,
} from "../../../automation/gitops";
import { testGitopsCache } from "../../helpers/gitopsCache";
import { createFleetRepo, FLEET_CONTRACTS } from "./fleetRepo";

/**
 * The diffs of this file through the run's build cache (test/helpers/gitopsCache.ts): the revisions
 * share most trees, built once; test/integration/gitops/incremental.test.ts shows a cached diff
 * equals an uncached one.
 */
const diffFleet = (o: Parameters<typeof diffFleetUncached>[0]) =>
  diffFleetUncached({ ...o, cacheRoot: testGitopsCache() });

const FIXTURES = path.resolve(__dirname, "../../fixtures/gitops-diff");
const expected = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

describe("gitops:diff on a fleet repository with tags", () => {
  let repo: string;
  beforeAll(() => {
    repo = createFleetRepo();
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("v1.0.0 → main: a rename, a removed slice, a variable only dev sees, a secret redacted, prod shielded by its tag", async () => {
    const diff = await diffFleet({ repoDir: repo, from: "v1.0.0", to: "main", contracts: FLEET_CONTRACTS() });
    expect(diffMarkdown(diff)).toBe(expected("v1.0.0-main.txt"));
    expect(diff.changed).toBe(true);
    expect(JSON.stringify(diff)).not.toContain("bmV3");
    expect(JSON.stringify(diff)).not.toContain("b2xk");
  });

  it("v1.1.0 → main: lab follows v1.1.0 on both sides, only dev's new slice shows", async () => {
    const diff = await diffFleet({ repoDir: repo, from: "v1.1.0", to: "main", contracts: FLEET_CONTRACTS() });
    expect(diffMarkdown(diff)).toBe(expected("v1.1.0-main.txt"));
  });

  it("--tag v1.1.0: prod's pin moves, and it gets v1.1.0's changes with its own values", async () => {
    const diff = await diffFleet({
      repoDir: repo,
      from: "v1.0.0",
      to: "main",
      moveTagsTo: "v1.1.0",
      contracts: FLEET_CONTRACTS(),
    });
    const prod = diff.platforms.find((p) => p.platform === "prod");
    expect([prod?.from.label, prod?.to.label]).toEqual(["tag v1.0.0", "tag v1.1.0"]);
    expect(prod?.renamed.map((r) => `${r.from.name} → ${r.to.name}`)).toEqual([
      "platform-info → platform-identity",
    ]);
    expect(prod?.changed.map((c) => [c.kind, c.name, c.fields])).toEqual([
      ["Kustomization", "apps", [{ path: "spec.interval", from: "10m", to: "5m" }]],
      ["ConfigMap", "platform-tier", [{ path: "data.tier", from: "standard", to: "premium" }]],
      ["Secret", "vendor-token", [{ path: "data.token", from: "(redacted)", to: "(redacted)" }]],
    ]);
    await expect(
      diffFleet({ repoDir: repo, from: "v1.0.0", moveTagsTo: "v2.0.0", contracts: FLEET_CONTRACTS() }),
    ).rejects.toThrow(`--tag v2.0.0: no such tag in ${fs.realpathSync(repo)}: see git tag`);
  });

  it("main → main: no change", async () => {
    const diff = await diffFleet({ repoDir: repo, from: "main", to: "main", contracts: FLEET_CONTRACTS() });
    expect(diff.changed).toBe(false);
    expect(diffMarkdown(diff).split("\n").slice(-3)).toEqual(["", "No platform gets any change.", ""]);
  });

  describe("the command", () => {
    let project: string;
    beforeAll(() => {
      project = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-project-"));
    });
    afterAll(() => fs.rmSync(project, { recursive: true, force: true }));
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runGitopsDiff(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, project);
      return { code, out: out.join("\n"), err: err.join("\n") };
    };

    it("exits 1 when a platform changes, 0 when none does, with --json", async () => {
      const changed = await run("v1.0.0", "v1.1.0", "--repo", repo, "--project", project, "--json");
      expect(changed.code).toBe(1);
      const json = JSON.parse(changed.out) as { platforms: { platform: string; follows: string }[] };
      // Without stack files every platform follows the refs given.
      expect(json.platforms.map((p) => `${p.platform}: ${p.follows}`)).toEqual([
        "dev: the refs (no stack file)",
        "lab: the refs (no stack file)",
        "prod: the refs (no stack file)",
      ]);
      expect(changed.err).toMatch(
        /^gitops:diff: 3 platforms, 3 with changes, 0 skipped as unchanged \(\d+ ms\)$/,
      );
      const same = await run("v1.1.0", "v1.1.0", "--repo", repo, "--project", project);
      expect(same.code).toBe(0);
    });

    it("refuses what it cannot compare with exit 2 and no stack trace", async () => {
      expect(await run("v9.9.9", "main", "--repo", repo, "--project", project)).toEqual({
        code: 2,
        out: "",
        err: `"v9.9.9" is not a branch, tag or commit of the Git repository ${fs.realpathSync(repo)}: see git branch -a and git tag`,
      });
      expect(await run("a", "b", "c", "--repo", repo)).toMatchObject({
        code: 2,
        err: expect.stringMatching(/^too many refs \(a b c\): give at most <from-ref> <to-ref>\nusage: /),
      });
      expect(await run("--repo", project)).toEqual({
        code: 2,
        out: "",
        err: `${project} is not in a Git repository: gitops:diff compares revisions of the fleet repository; pass its clone with --repo <dir>`,
      });
      expect((await run("--frm", "x")).err).toMatch(/^Unknown option '--frm'/);
    });
  });
});

describe("fieldChanges", () => {
  it("names every changed leaf, list items by index and odd keys quoted", () => {
    expect(
      fieldChanges(
        { a: { b: 1, "x.y/z": "1" }, l: [1, 2], gone: true },
        { a: { b: 2, "x.y/z": "2" }, l: [1, 3, 4], added: "n" },
      ),
    ).toEqual([
      { path: "a.b", from: 1, to: 2 },
      { path: 'a["x.y/z"]', from: "1", to: "2" },
      { path: "added", to: "n" },
      { path: "gone", from: true },
      { path: "l[1]", from: 2, to: 3 },
      { path: "l[2]", to: 4 },
    ]);
  });
});
