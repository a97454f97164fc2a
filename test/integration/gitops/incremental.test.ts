// The incremental Git-side tools equal the full ones, on a fleet made by the scale benchmark's generator.
// Dozens of real kustomize builds and Git checkouts (about 40 s of a loaded 2-core machine's CPU), so
// it runs in `npm run test:integration`; npm test keeps test/unit/gitops/changedSince.test.ts (lint
// --changed-since on the small fleet), treeInputs.test.ts and sharedBuilds.test.ts (the inputs, the
// disk cache; DiskCache and the summary line in changedSince.test.ts) and stacks.test.ts (diff's
// skipped platforms).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffFleet, diffMarkdown, lintFleet, type FleetDiff } from "../../../automation/gitops";
import type { PlatformContract } from "../../../automation/gitops/shared/contract";
import { stackContracts } from "../../../automation/gitops/shared/stackContracts";
import { generate } from "../../../scripts/bench/scale";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    stdio: "pipe",
  });

/** The diff without what only the incremental run says (which platforms it skipped) and its timing. */
const comparable = (d: FleetDiff) => ({
  ...d,
  durationMs: 0,
  platforms: d.platforms.map(({ skipped: _s, ...p }) => p),
});

describe("incremental gitops:diff and gitops:lint on a generated fleet", () => {
  let dir: string;
  let repo: string;
  let changed: string;
  let other: string;
  let contracts: Map<string, PlatformContract>;
  let cache: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "incremental-"));
    const fleet = await generate(dir, 2);
    repo = fleet.repo;
    changed = fleet.changed;
    other = fs.readdirSync(path.join(repo, "clusters")).find((p) => p !== changed) as string;
    contracts = (await stackContracts(fleet.project)).contracts;
    cache = path.join(dir, "cache");
    // v1.2.0: a shared base every platform builds gets a label with a variable no platform has.
    const base = path.join(repo, "apps/base/namespace.yaml");
    fs.appendFileSync(base, '    platform.io/tier: "${NOPE_TIER}"\n');
    git(repo, "commit", "-qam", "shared base");
    git(repo, "tag", "v1.2.0");
    git(repo, "checkout", "-q", "v1.1.0");
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("diff of a one-platform change: builds that platform only, says why the other is skipped, equals the full diff", async () => {
    const incremental = await diffFleet({ repoDir: repo, from: "v1.0.0", to: "v1.1.0", contracts });
    const full = await diffFleet({ repoDir: repo, from: "v1.0.0", to: "v1.1.0", contracts, full: true });
    expect(comparable(incremental)).toEqual(comparable(full));
    // The walk inputs kept on disk (shared/treeInputs.ts): kept by the first run, read by the second.
    const inputs = path.join(dir, "inputs-cache");
    for (const run of ["kept", "read"]) {
      const cached = await diffFleet({
        repoDir: repo,
        from: "v1.0.0",
        to: "v1.1.0",
        contracts,
        cacheRoot: inputs,
      });
      expect([run, { ...cached, durationMs: 0 }]).toEqual([run, { ...incremental, durationMs: 0 }]);
    }
    expect(fs.readdirSync(path.join(inputs, "inputs"))).toHaveLength(2);
    expect(incremental.platforms.map((p) => [p.platform, p.changed.length, p.skipped])).toEqual(
      [changed, other]
        .sort()
        .map((p) =>
          p === changed
            ? [p, 2, undefined]
            : [
                p,
                0,
                `no file its tree reads changed between tag v1.0.0 (${incremental.from.commit!.slice(0, 7)}) and tag v1.1.0 (${incremental.to.commit!.slice(0, 7)})`,
              ],
        ),
    );
    expect(diffMarkdown(incremental).split("\n")).toContain(
      `Skipped as unchanged, not built (no file its tree reads changed between tag v1.0.0 (${incremental.from.commit!.slice(0, 7)}) and tag v1.1.0 (${incremental.to.commit!.slice(0, 7)})): ${other}.`,
    );
  }, 120_000);

  it("diff of a change to a shared base: every platform is built, and the diff equals the full one", async () => {
    const incremental = await diffFleet({ repoDir: repo, from: "v1.1.0", to: "v1.2.0", contracts });
    const full = await diffFleet({ repoDir: repo, from: "v1.1.0", to: "v1.2.0", contracts, full: true });
    expect(comparable(incremental)).toEqual(comparable(full));
    // With the walk inputs kept by the previous test's runs (the unchanged platform's still hold at v1.1.0).
    const cached = await diffFleet({
      repoDir: repo,
      from: "v1.1.0",
      to: "v1.2.0",
      contracts,
      cacheRoot: path.join(dir, "inputs-cache"),
    });
    expect({ ...cached, durationMs: 0 }).toEqual({ ...incremental, durationMs: 0 });
    expect(
      incremental.platforms.map((p) => [p.skipped, p.changed.map((c) => `${c.kind} ${c.name}`)]),
    ).toEqual([
      [undefined, ["Namespace slices"]],
      [undefined, ["Namespace slices"]],
    ]);
  }, 120_000);

  it("lint --changed-since: the one changed platform's findings equal the full lint's; a shared base reaches every platform", async () => {
    const slice = path.join(repo, "clusters", changed, "slices/1-def922/slice-vars.yaml");
    const before = fs.readFileSync(slice, "utf8");
    fs.appendFileSync(slice, '  EXTRA: "${NOPE_ONE}"\n');
    try {
      const full = await lintFleet(repo, { contracts });
      const since = await lintFleet(repo, { contracts, changedSince: "v1.1.0" });
      expect(full.findings.map((f) => `${f.file}:${f.line}: ${f.rule} (${f.platform})`)).toEqual([
        `clusters/${changed}/slices/1-def922/slice-vars.yaml:18: variable (${changed})`,
      ]);
      expect(since.findings).toEqual(full.findings);
      expect(since.changed).toEqual({
        since: "v1.1.0",
        linted: { [changed]: `clusters/${changed}/slices/1-def922/slice-vars.yaml changed` },
        skipped: {
          [other]: `no file its tree reads changed since v1.1.0 (${git(repo, "rev-parse", "--short=7", "v1.1.0").toString().trim()})`,
        },
      });
    } finally {
      fs.writeFileSync(slice, before);
    }
    git(repo, "checkout", "-q", "v1.2.0");
    try {
      const full = await lintFleet(repo, { contracts });
      const since = await lintFleet(repo, { contracts, changedSince: "v1.1.0" });
      expect(since.findings).toEqual(full.findings);
      // Walk inputs kept at v1.1.0 by the diff: the shared base's change still reaches every platform.
      const cached = await lintFleet(repo, {
        contracts,
        changedSince: "v1.1.0",
        cacheRoot: path.join(dir, "inputs-cache"),
      });
      expect({ ...cached, durationMs: 0 }).toEqual({ ...since, durationMs: 0 });
      expect(full.findings.map((f) => `${f.rule} (${f.platform})`)).toEqual([
        `variable (${[changed, other].sort().join(", ")})`,
      ]);
      expect(Object.values(since.changed!.linted)).toEqual([
        "apps/base/namespace.yaml changed",
        "apps/base/namespace.yaml changed",
      ]);
    } finally {
      git(repo, "checkout", "-q", "v1.1.0");
    }
  }, 180_000);

  it("the build cache: a hit gives what a miss gives; a corrupted or foreign entry is ignored; no plain-text Secret is kept", async () => {
    const none = await lintFleet(repo, { contracts });
    const miss = await lintFleet(repo, { contracts, cacheRoot: cache });
    const entries = fs.readdirSync(path.join(cache, "kustomize"));
    expect(entries.length).toBeGreaterThan(4);
    const hit = await lintFleet(repo, { contracts, cacheRoot: cache });
    for (const r of [miss, hit]) expect({ ...r, durationMs: 0 }).toEqual({ ...none, durationMs: 0 });
    // Every entry corrupted: one truncated, the others holding another key's value (a foreign entry).
    const files = entries.map((e) => path.join(cache, "kustomize", e));
    const firstText = fs.readFileSync(files[0], "utf8");
    fs.writeFileSync(files[0], firstText.slice(0, 100));
    for (const f of files.slice(1))
      fs.writeFileSync(f, fs.readFileSync(files[1], "utf8").replace(/"key":"/, '"key":"x'));
    const corrupted = await lintFleet(repo, { contracts, cacheRoot: cache });
    expect({ ...corrupted, durationMs: 0 }).toEqual({ ...none, durationMs: 0 });
    // The diff shows the objects built: from corrupted entries, from good ones (a hit), and without cache.
    const diff = (cacheRoot?: string) =>
      diffFleet({ repoDir: repo, from: "v1.0.0", to: "v1.1.0", contracts, full: true, cacheRoot });
    const plain = comparable(await diff());
    expect(plain.platforms.map((p) => p.changed.length)).toEqual([0, 2]);
    for (const f of fs.readdirSync(path.join(cache, "kustomize")))
      fs.writeFileSync(path.join(cache, "kustomize", f), fs.readFileSync(files[1], "utf8"));
    expect(comparable(await diff(cache))).toEqual(plain);
    expect(comparable(await diff(cache))).toEqual(plain);
    // A plain-text Secret in a platform's tree: the lint reports it, the cache never keeps its build.
    const secret = path.join(repo, "clusters", changed, "network-functions", "token.yaml");
    const kfile = path.join(repo, "clusters", changed, "network-functions", "kustomization.yaml");
    const kbefore = fs.readFileSync(kfile, "utf8");
    fs.writeFileSync(
      secret,
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  namespace: default\nstringData:\n  token: hunter2-plain\n",
    );
    fs.writeFileSync(kfile, kbefore.replace("resources:\n", "resources:\n  - token.yaml\n"));
    try {
      const leaky = await lintFleet(repo, { contracts, cacheRoot: cache });
      expect(leaky.findings.map((f) => `${f.file}: ${f.rule}`)).toContain(
        `clusters/${changed}/network-functions/token.yaml: plaintext-secret`,
      );
    } finally {
      fs.rmSync(secret);
      fs.writeFileSync(kfile, kbefore);
    }
    for (const f of fs.readdirSync(path.join(cache, "kustomize")))
      expect(fs.readFileSync(path.join(cache, "kustomize", f), "utf8")).not.toContain("hunter2-plain");
    for (const f of files) {
      const entry = JSON.parse(fs.readFileSync(f, "utf8")) as {
        value: { objects: { object: { kind: string; sops?: unknown } }[] };
      };
      for (const o of entry.value.objects)
        if (o.object.kind === "Secret") expect(o.object.sops).toBeDefined();
    }
  }, 180_000);
});
