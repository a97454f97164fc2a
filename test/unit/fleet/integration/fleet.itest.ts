/**
 * Integration test of the fleet driver with the real Pulumi engine (not part of `npm test`):
 *   npm run test:fleet-integration
 * Two stacks of a tiny Node.js project (waves 1 and 2) go through preview, up, outputs,
 * refresh --expect-no-changes, a cancelled up (Ctrl-C/SIGTERM path: the stack must not stay
 * locked) and destroy, on a file:// backend in a temp folder, through the real LocalWorkspace
 * runner. It needs the `pulumi` CLI and `pulumi-language-nodejs` on PATH, or built by
 * scripts/e2e/build-tools.sh into ~/.cache/platform-e2e; without them it is reported as skipped.
 */
import { existsSync, promises as fs, readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fleetMain } from "../../../../automation/fleet/main";
import { fleetReportSchema } from "../../../../automation/fleet/report";

const ROOT = path.join(__dirname, "../../../..");

/** Folders that hold an executable `name`: PATH first, then the e2e tool cache. */
function findTool(name: string): string | undefined {
  const cache =
    process.env.PLATFORM_E2E_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "platform-e2e");
  const dirs = (process.env.PATH ?? "").split(path.delimiter);
  const sub = (d: string) => (existsSync(d) ? readdirSync(d).map((x) => path.join(d, x)) : []);
  dirs.push(...sub(cache).map((d) => path.join(d, "bin")), ...sub(path.join(cache, "store", name)));
  return dirs.find((d) => d !== "" && existsSync(path.join(d, name)));
}

const pulumiDir = findTool("pulumi");
const hostDir = findTool("pulumi-language-nodejs");
const missing = [!pulumiDir && "pulumi", !hostDir && "pulumi-language-nodejs"].filter(Boolean);
const SKIP_REASON = `SKIPPED: fleet integration needs ${missing.join(" and ")} on PATH or in ~/.cache/platform-e2e (build them with scripts/e2e/build-tools.sh)`;
// In CI a skip would pass silently: PLATFORM_E2E_REQUIRE_TOOLS=1 makes missing tools a failure.
if (missing.length && process.env.PLATFORM_E2E_REQUIRE_TOOLS === "1")
  throw new Error(
    `${SKIP_REASON.replace(/^SKIPPED: /, "")}; PLATFORM_E2E_REQUIRE_TOOLS=1 forbids skipping it`,
  );
if (missing.length) console.warn(SKIP_REASON);
const maybe = missing.length ? describe.skip : describe;

jest.setTimeout(600_000);

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const cfg = new pulumi.Config("platform");
module.exports = (async () => {
  if (process.env.FLEET_IT_SLOW) await new Promise((r) => setTimeout(r, 20000));
  return { clusterName: cfg.require("name"), rootSourceRef: "branch main", kubeconfig: pulumi.secret("kubeconfig of " + cfg.require("name")) };
})();
`;

maybe(`fleet driver against two local stacks with the real Pulumi CLI (${pulumiDir ?? "?"})`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const lines: string[] = [];
  const run = (argv: string[], extra: { cancel?: AbortSignal } = {}) =>
    fleetMain(
      [
        ...argv,
        "--project",
        dir,
        "--logs",
        path.join(dir, "fleet-logs"),
        "--json",
        path.join(dir, "report.json"),
      ],
      {
        env,
        interactive: false,
        out: (l) => lines.push(l),
        stopSignal: extra.cancel ?? new AbortController().signal,
        cancelSignal: extra.cancel ?? new AbortController().signal,
      },
    );
  const report = async () =>
    fleetReportSchema.parse(JSON.parse(await fs.readFile(path.join(dir, "report.json"), "utf8")));

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-it-"));
    await fs.symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    await fs.writeFile(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\nmain: index.js\n");
    await fs.writeFile(path.join(dir, "index.js"), PROGRAM);
    await fs.writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "fleet-it", private: true, main: "index.js" }),
    );
    for (const [stack, wave] of [
      ["alpha", 1],
      ["beta", 2],
    ] as const)
      await fs.writeFile(
        path.join(dir, `Pulumi.${stack}.yaml`),
        `config:\n  platform:name: ${stack}\n  platform:fleet:\n    wave: ${wave}\n`,
      );
    await fs.mkdir(path.join(dir, "state"));
    process.env.PATH = [pulumiDir, hostDir, process.env.PATH].join(path.delimiter);
    Object.assign(process.env, {
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "fleet-integration",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_HOME: path.join(dir, ".pulumi-home"),
    });
    env = { ...process.env, CI: "true" };
  });
  afterAll(async () => {
    console.log(lines.join("\n"));
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("preview, up and outputs run every stack in its own workspace, wave by wave", async () => {
    expect(await run(["preview"])).toBe(0);
    expect(await run(["up", "--no-gate", "--concurrency", "2"])).toBe(0);
    const up = await report();
    expect(up.stacks.map((s) => [s.stack, s.result])).toEqual([
      ["alpha", "succeeded"],
      ["beta", "succeeded"],
    ]);
    expect(await fs.readFile(path.join(dir, "fleet-logs", "alpha.log"), "utf8")).toMatch(/alpha/);
    expect(await run(["outputs"])).toBe(0);
    expect((await report()).stacks[1].outputs).toEqual({
      clusterName: "beta",
      rootSourceRef: "branch main",
      kubeconfig: "[secret]",
    });
  });

  it("refresh --expect-no-changes passes on an unchanged fleet", async () => {
    expect(await run(["refresh", "--expect-no-changes"])).toBe(0);
  });

  it("a cancelled up leaves no stack locked", async () => {
    env = { ...env, FLEET_IT_SLOW: "1" };
    process.env.FLEET_IT_SLOW = "1";
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 8000);
    expect(await run(["up", "--no-gate", "--stack", "alpha"], { cancel: cancel.signal })).toBe(1);
    expect((await report()).stacks[0].result).toBe("cancelled");
    delete process.env.FLEET_IT_SLOW;
    env = { ...process.env, CI: "true" };
    expect(await run(["up", "--no-gate", "--stack", "alpha"])).toBe(0);
  });

  it("destroy takes both stacks down", async () => {
    expect(await run(["destroy"])).toBe(0);
  });
});
