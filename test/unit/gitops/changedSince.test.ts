/**
 * gitops:lint --changed-since on the small fleet repository (./fleetRepo.ts): only the platforms a
 * change reaches are linted, each with why, and their findings are the full lint's; its summary
 * line; the build cache's disk entries. The same tools on a generated fleet (incremental equal to
 * full, diff and lint, with and without the cache) run in test/integration/gitops/incremental.test.ts.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { lintFleet } from "../../../automation/gitops";
import { DiskCache, cacheDir } from "../../../automation/gitops/shared/cache";
import { changedSummary } from "../../../cli/gitops-lint";
import { FLEET_CONTRACTS, createFleetRepo } from "./fleetRepo";

const rev = (repo: string, ref: string) =>
  execFileSync("git", ["rev-parse", "--short=7", ref], { cwd: repo, encoding: "utf8" }).trim();
const lines = (r: Awaited<ReturnType<typeof lintFleet>>) =>
  r.findings.map((f) => `${f.file}:${f.line}: ${f.rule} (${f.platform})`);

describe("gitops:lint --changed-since", () => {
  let repo: string;
  beforeAll(() => (repo = createFleetRepo()));
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("lints the platform whose own file changed, skips the others with why, and finds what the full lint finds there", async () => {
    const contracts = FLEET_CONTRACTS();
    const slice = path.join(repo, "clusters/dev/slices/c/slice-vars.yaml");
    const before = fs.readFileSync(slice, "utf8");
    fs.appendFileSync(slice, '  EXTRA: "${NOPE_ONE}"\n');
    try {
      const full = await lintFleet(repo, { contracts });
      const since = await lintFleet(repo, { contracts, changedSince: "v1.1.0" });
      expect(since.changed).toEqual({
        since: "v1.1.0",
        linted: { dev: "clusters/dev/slices/c/slice-vars.yaml changed" },
        skipped: {
          lab: `no file its tree reads changed since v1.1.0 (${rev(repo, "v1.1.0")})`,
          prod: `no file its tree reads changed since v1.1.0 (${rev(repo, "v1.1.0")})`,
        },
      });
      // The fixture's own findings on dev, and the new variable.
      expect(lines(since)).toEqual([
        "clusters/dev/apps.yaml:7: decryption (dev)",
        "clusters/dev/slices/a/slice.yaml:10: reference (dev)",
        "clusters/dev/slices/c/slice-vars.yaml:8: variable (dev)",
        "clusters/dev/slices/c/slice.yaml:10: reference (dev)",
      ]);
      expect(lines(full).filter((l) => l.endsWith("(dev)"))).toEqual(lines(since));
    } finally {
      fs.writeFileSync(slice, before);
    }
  });

  it("a change to a shared file reaches a platform none of whose own files changed (lab); the findings are the full lint's", async () => {
    const contracts = FLEET_CONTRACTS();
    const since = await lintFleet(repo, { contracts, changedSince: "v1.0.0" });
    expect(since.changed).toEqual({
      since: "v1.0.0",
      linted: {
        dev: "clusters/dev/slices/b/slice-vars.yaml changed",
        lab: "apps/info.yaml changed",
        prod: "clusters/prod/apps.yaml changed",
      },
      skipped: {},
    });
    expect(lines(since)).toEqual(lines(await lintFleet(repo, { contracts })));
  });
});

describe("gitops:lint --changed-since's summary line", () => {
  it("names the platforms linted with why, and counts those skipped per reason", () => {
    expect(
      changedSummary({
        since: "v1.1.0",
        linted: { "de-dev": "clusters/de-dev/slices/1-def922/slice-vars.yaml changed" },
        skipped: {
          "de-prod": "no file its tree reads changed since v1.1.0 (6e62cc3)",
          local: "no file its tree reads changed since v1.1.0 (6e62cc3)",
        },
      }),
    ).toBe(
      "--changed-since v1.1.0: 1 of 3 platforms linted (de-dev: clusters/de-dev/slices/1-def922/slice-vars.yaml changed); 2 skipped as unchanged (no file its tree reads changed since v1.1.0 (6e62cc3))",
    );
    expect(
      changedSummary({
        since: "main",
        linted: {},
        skipped: { a: "no file its tree reads changed since main (1234567)" },
      }),
    ).toBe(
      "--changed-since main: 0 of 1 platform linted; 1 skipped as unchanged (no file its tree reads changed since main (1234567))",
    );
  });
});

describe("the gitops build cache on disk", () => {
  let repo: string;
  let cache: string;
  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "disk-cache-repo-"));
    cache = fs.mkdtempSync(path.join(os.tmpdir(), "disk-cache-"));
  });
  afterAll(() => {
    for (const d of [repo, cache]) fs.rmSync(d, { recursive: true, force: true });
  });

  it("DiskCache trusts an entry only when its key and hash match; the cache folder is never inside the repository", () => {
    const disk = new DiskCache<{ a: number }>(cache, "unit");
    disk.put("k", { a: 1 });
    expect(disk.get("k")).toEqual({ a: 1 });
    const file = path.join(cache, "unit", fs.readdirSync(path.join(cache, "unit"))[0]);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"a":1', '"a":2'));
    expect(disk.get("k")).toBeUndefined();
    expect(cacheDir(repo, { PLATFORM_GITOPS_CACHE: "off" })).toBeUndefined();
    expect(cacheDir(repo, { XDG_CACHE_HOME: "/xdg" })).toBe("/xdg/platform/gitops");
    expect(() => cacheDir(repo, { PLATFORM_GITOPS_CACHE: path.join(repo, ".cache") })).toThrow(
      `the gitops cache folder ${path.join(repo, ".cache")} is inside the repository ${repo}: set PLATFORM_GITOPS_CACHE to a folder outside it (or to off)`,
    );
  });
});
