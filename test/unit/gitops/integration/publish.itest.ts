/**
 * Integration test of gitops:publish against a REAL registry (not part of `npm test`):
 *   npm run test:publish-integration
 * Starts go-containerregistry's registry behind the e2e harness's TLS front (test/e2e/harness/
 * registry.ts; the harness CA trusted through NODE_EXTRA_CA_CERTS, as a user trusts a private
 * registry's CA), publishes the project's own gitops/ tree and its chart from a clean clone of this
 * repository with the real CLI (a subprocess, as a user runs it), and reads them back with crane:
 * media types, annotations, the layer's files; then re-publishing says unchanged, and a chart
 * changed without a version bump is refused. Needs `registry` and `crane` from
 * scripts/e2e/build-tools.sh (`bash scripts/e2e/build-tools.sh registry crane`); without them it is
 * reported as skipped, and fails when PLATFORM_E2E_REQUIRE_TOOLS=1.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { makePki, type Pki } from "../../../e2e/harness/pki";
import { startRegistry, type Registry } from "../../../e2e/harness/registry";
import { Supervisor } from "../../../e2e/harness/supervisor";
import { ensureTools } from "../../../e2e/harness/tools";
import { run } from "../../../e2e/harness/util";
import { findE2eToolsDir } from "../../../helpers/e2eTools";
import { tarEntries } from "../publishFixtures";

const NEEDED = ["bin/registry", "bin/crane"];
const ROOT = path.resolve(__dirname, "../../../..");
const TSX = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

const toolsDir = findE2eToolsDir(NEEDED);
// In CI a skip would pass silently: PLATFORM_E2E_REQUIRE_TOOLS=1 makes missing tools a failure.
if (!toolsDir && process.env.PLATFORM_E2E_REQUIRE_TOOLS === "1")
  throw new Error(
    `the gitops:publish integration test needs ${NEEDED.join(", ")} in PLATFORM_E2E_TOOLS or ~/.cache/platform-e2e/<key>/ and PLATFORM_E2E_REQUIRE_TOOLS=1 forbids skipping it: run bash scripts/e2e/build-tools.sh registry crane first`,
  );
if (!toolsDir)
  console.warn(
    `SKIPPED: the gitops:publish integration test needs ${NEEDED.join(", ")} in PLATFORM_E2E_TOOLS or ~/.cache/platform-e2e/<key>/ (build them with bash scripts/e2e/build-tools.sh registry crane)`,
  );
const maybe = toolsDir ? describe : describe.skip;
jest.setTimeout(300_000);

interface Manifest {
  mediaType: string;
  config: { mediaType: string; digest: string };
  layers: { mediaType: string; digest: string }[];
  annotations: Record<string, string>;
}

maybe(`gitops:publish against go-containerregistry's registry over TLS (${toolsDir ?? "?"})`, () => {
  let work: string;
  let sup: Supervisor;
  let pki: Pki;
  let reg: Registry;
  let clone: string;
  const cleanups: (() => Promise<void>)[] = [];

  /** The real CLI in a subprocess, trusting the harness CA the way a user would. */
  const publishCli = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--import", TSX, path.join(ROOT, "cli/gitops-publish.ts"), ...args],
        {
          cwd: clone,
          env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caCert, DOCKER_CONFIG: path.join(work, "docker") },
        },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, out, err }));
    });
  const crane = async (...args: string[]) =>
    (await run(path.join(toolsDir!, "bin/crane"), args, { env: reg.trustEnv })).stdout;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: clone, encoding: "utf8" }).trim();
  const publishArgs = () => [
    `oci://${reg.host}/acme/fleet`,
    "--tag",
    "itest-1",
    "--charts-to",
    `oci://${reg.host}/acme/charts`,
    "--source",
    "git@github.com:acme-telco/platform-fleet.git",
    "--json",
  ];

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "publish-itest-"));
    process.env.PLATFORM_E2E_TOOLS = toolsDir;
    const tools = await ensureTools();
    sup = new Supervisor(path.join(work, "logs"));
    pki = await makePki(path.join(work, "pki"));
    reg = await startRegistry(sup, tools, pki, work, (fn) => cleanups.push(fn));
    // A clean clone of this repository's HEAD: the gitops/ tree as committed.
    clone = path.join(work, "platform");
    execFileSync("git", ["clone", "-q", "--no-hardlinks", ROOT, clone]);
    git("config", "user.name", "itest");
    git("config", "user.email", "itest@example.com");
  });

  afterAll(async () => {
    for (const fn of cleanups) await fn();
    await sup?.stopAll();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("pushes the fleet artifact and the chart; crane reads back Flux's and Helm's formats", async () => {
    const first = await publishCli(publishArgs());
    expect([first.code, first.err]).toEqual([0, expect.any(String)]);
    const result = JSON.parse(first.out) as {
      revision: string;
      artifacts: { kind: string; ref: string; digest: string; state: string }[];
    };
    const sha = git("rev-parse", "HEAD");
    expect(result.revision).toBe(`itest-1@sha1:${sha}`);
    expect(result.artifacts.map((a) => [a.kind, a.ref, a.state])).toEqual([
      ["fleet", `oci://${reg.host}/acme/fleet:itest-1`, "pushed"],
      ["chart", `oci://${reg.host}/acme/charts/network-function:0.2.0`, "pushed"],
    ]);

    const fleetRef = `${reg.host}/acme/fleet:itest-1`;
    expect((await crane("digest", fleetRef)).trim()).toBe(result.artifacts[0].digest);
    const fleet = JSON.parse(await crane("manifest", fleetRef)) as Manifest;
    const created = new Date(git("show", "-s", "--format=%cI", "HEAD"))
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    expect(fleet).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.cncf.flux.config.v1+json", digest: expect.any(String), size: 2 },
      layers: [
        {
          mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip",
          digest: expect.any(String),
          size: expect.any(Number),
        },
      ],
      annotations: {
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.revision": `itest-1@sha1:${sha}`,
        "org.opencontainers.image.source": "https://github.com/acme-telco/platform-fleet",
      },
    });
    expect(await crane("config", fleetRef)).toBe("{}");
    const layer = await new Promise<Buffer>((resolve, reject) => {
      const child = spawn(
        path.join(toolsDir!, "bin/crane"),
        ["blob", `${reg.host}/acme/fleet@${fleet.layers[0].digest}`],
        { env: reg.trustEnv },
      );
      const chunks: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => chunks.push(d));
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`crane blob exited ${code}`)),
      );
    });
    const names = (await tarEntries(layer)).map((e) => e.name);
    const tracked = git("ls-files", "gitops")
      .split("\n")
      .map((f) => f.slice("gitops/".length));
    expect(names.filter((n) => !n.endsWith("/"))).toEqual([...tracked].sort());
    expect(names).toEqual(
      expect.arrayContaining(["clusters/", "charts/network-function/Chart.yaml", "README.md"]),
    );

    const chartRef = `${reg.host}/acme/charts/network-function:0.2.0`;
    const chart = JSON.parse(await crane("manifest", chartRef)) as Manifest;
    expect(chart.config.mediaType).toBe("application/vnd.cncf.helm.config.v1+json");
    expect(chart.layers.map((l) => l.mediaType)).toEqual([
      "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
    ]);
    expect(chart.annotations).toMatchObject({
      "org.opencontainers.image.title": "network-function",
      "org.opencontainers.image.version": "0.2.0",
      "org.opencontainers.image.description": "A user-plane network function, configured per platform.",
    });
    expect(JSON.parse(await crane("config", chartRef))).toEqual({
      name: "network-function",
      version: "0.2.0",
      description: "A user-plane network function, configured per platform.",
      apiVersion: "v2",
      appVersion: "1.0.0",
      type: "application",
    });
  });

  it("says unchanged when re-published, and refuses a chart changed without a version bump", async () => {
    const again = await publishCli(publishArgs());
    expect(again.code).toBe(0);
    expect(
      (JSON.parse(again.out) as { artifacts: { state: string }[] }).artifacts.map((a) => a.state),
    ).toEqual(["unchanged", "unchanged"]);
    writeFileSync(path.join(clone, "gitops/charts/network-function/values.yaml"), "replicas: 3\n", {
      flag: "a",
    });
    git("commit", "-qam", "chart changed, version not bumped");
    const refused = await publishCli([publishArgs()[0], "--tag", "itest-2", ...publishArgs().slice(3)]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("nothing was pushed:");
    expect(refused.err).toContain(
      "charts/network-function changed without a new version: bump version in charts/network-function/Chart.yaml",
    );
    // The new fleet tag was not pushed either.
    const tags = await crane("ls", `${reg.host}/acme/fleet`);
    expect(tags.trim().split("\n")).toEqual(["itest-1"]);
  });
});
