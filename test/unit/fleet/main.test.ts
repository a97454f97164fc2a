import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fleetMain, type FleetDeps } from "../../../automation/fleet/main";
import { fleetReportSchema } from "../../../automation/fleet/report";
import { FileLogSink } from "../../../automation/fleet/progress";
import { FakeRunner, readyStatus, ScriptedFlux } from "./fakes";

const FIXTURE = path.join(__dirname, "../../fixtures/fleet/project");
// Loading the program and rendering is slow on a loaded 2-core machine; these are not timing tests.
jest.setTimeout(30000);

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-main-"));
});
afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

function deps(runner: FakeRunner, extra: Partial<FleetDeps> = {}): FleetDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    runner,
    flux: new ScriptedFlux(() => [readyStatus()]),
    logs: new FileLogSink(path.join(tmp, "fleet-logs")),
    env: { CI: "true", PULUMI_BACKEND_URL: "s3://user:pw@bucket/state" },
    interactive: false,
    out: (l) => lines.push(l),
    stopSignal: new AbortController().signal,
    gatePollMs: 1,
    lines,
    ...extra,
  };
}

const args = (...a: string[]) => [
  "--project",
  FIXTURE,
  "--json",
  path.join(tmp, "r.json"),
  "--markdown",
  path.join(tmp, "r.md"),
  ...a,
];

describe("fleetMain with a fake runner", () => {
  it("rolls out wave by wave, gated, writes logs and reports that match their schema", async () => {
    const runner = new FakeRunner();
    const d = deps(runner);
    expect(await fleetMain(["up", ...args()], d)).toBe(0);
    expect(runner.started).toEqual(["canary", "de-prod", "fr-prod", "it-prod"]);
    const report = fleetReportSchema.parse(JSON.parse(await fs.readFile(path.join(tmp, "r.json"), "utf8")));
    expect(report.stacks.map((s) => [s.stack, s.result, s.flux?.ready])).toEqual([
      ["canary", "succeeded", "True"],
      ["de-prod", "succeeded", "True"],
      ["fr-prod", "succeeded", "True"],
      ["it-prod", "succeeded", "True"],
    ]);
    expect(report.outside).toEqual(["sandbox"]);
    expect(await fs.readFile(path.join(tmp, "fleet-logs", "canary.log"), "utf8")).toBe("Updating (canary)\n");
    expect(await fs.readFile(path.join(tmp, "r.md"), "utf8")).toContain("## Fleet up: passed");
    expect(d.lines[0]).toBe(
      "fleet up: 4 stack(s) in 3 wave(s) (all fleet stacks); concurrency 4, cluster reads 50 at a time (timeout 15 s), backend s3://***@bucket/state",
    );
    expect(d.lines).toContain("  wave 2: de-prod, fr-prod");
    expect(d.lines.at(-1)).toMatch(/^\nfleet up: passed in \d+\.\d s$/);
  });

  it("exits 1 and reports the halt when a wave fails", async () => {
    const d = deps(new FakeRunner({ fail: ["de-prod"] }));
    expect(await fleetMain(["up", ...args("--no-gate")], d)).toBe(1);
    const report = fleetReportSchema.parse(JSON.parse(await fs.readFile(path.join(tmp, "r.json"), "utf8")));
    expect(report.haltedBecause).toBe("wave 2 did not pass (de-prod), so later waves did not start");
    expect(report.stacks.map((s) => s.result)).toEqual(["succeeded", "failed", "succeeded", "skipped"]);
    expect(d.lines).toContain("\nStopped: wave 2 did not pass (de-prod), so later waves did not start");
  });

  it("runs one CI shard of one wave and passes policy config per environment", async () => {
    await fs.mkdir(path.join(tmp, "policy"));
    await fs.writeFile(path.join(tmp, "policy", "prod.json"), "{}");
    const runner = new FakeRunner();
    const code = await fleetMain(
      [
        "preview",
        ...args(
          "--wave",
          "2",
          "--shard",
          "2/2",
          "--policy-pack",
          tmp,
          "--policy-config",
          path.join(tmp, "policy/{environment}.json"),
        ),
      ],
      deps(runner),
    );
    expect(code).toBe(0);
    expect(runner.requests.map((r) => [r.stack.stack, r.options.policyPackConfigs])).toEqual([
      ["fr-prod", [path.join(tmp, "policy/prod.json")]],
    ]);
  });

  it("refuses to start when a policy config file is missing", async () => {
    await expect(
      fleetMain(
        ["preview", ...args("--policy-pack", tmp, "--policy-config", path.join(tmp, "{environment}.json"))],
        deps(new FakeRunner()),
      ),
    ).rejects.toThrow(`--policy-config: ${path.join(tmp, "dev.json")} does not exist (needed by canary)`);
  });

  it("SIGTERM (a cancelled CI job) cancels running stacks through the Automation API and starts nothing new", async () => {
    const runner = new FakeRunner({ durationMs: 5000 });
    const d = deps(runner, { stopSignal: undefined });
    // Once a stack runs (a fixed delay raced the driver's start-up on a loaded machine).
    const fire = setInterval(() => {
      if (!runner.started.length) return;
      clearInterval(fire);
      process.emit("SIGTERM", "SIGTERM");
    }, 10);
    expect(await fleetMain(["up", ...args("--no-gate")], d)).toBe(1);
    expect(runner.cancelled).toEqual(["canary"]);
    const report = fleetReportSchema.parse(JSON.parse(await fs.readFile(path.join(tmp, "r.json"), "utf8")));
    expect(report.stacks.map((s) => s.result)).toEqual(["cancelled", "skipped", "skipped", "skipped"]);
    expect(report.haltedBecause).toBe("the run was cancelled (Ctrl-C or SIGTERM)");
    expect(d.lines).toContain(
      "\nSIGTERM: cancelling: no new stack starts; running operations are cancelled by Pulumi, which unlocks their stacks. Waiting for them to stop…",
    );
    expect(process.listenerCount("SIGTERM")).toBe(0);
  });

  it("status is the fleet dashboard: exit 1 when a root is not Ready", async () => {
    const notReady = {
      kustomization: {
        ready: { type: "Ready", status: "False" as const, reason: "HealthCheckFailed" },
        lastAppliedRevision: "main@sha1:9",
      },
    };
    const d = deps(new FakeRunner(), {
      flux: new ScriptedFlux((s) => (s === "it-prod" ? [notReady] : [readyStatus()])),
    });
    expect(await fleetMain(["status", ...args()], d)).toBe(1);
    const table = d.lines.find((l) => l.startsWith("stack"))!.split("\n");
    // The age column is as wide as the ages measured now.
    expect(table[0].replace(/age\s+commit/, "age  commit")).toBe(
      "stack    wave  group  result     Flux revision     Ready  reason                   age  commit statuses",
    );
    expect(table[1].replace(/\S+\s+—$/, "<age>  —")).toBe(
      "canary   1     de     succeeded  main@sha1:abc123  True   ReconciliationSucceeded  <age>  —",
    );
    expect(table[4].replace(/\s+—$/, "  —")).toBe(
      "it-prod  3     it     succeeded  main@sha1:9       False  HealthCheckFailed  —",
    );
  });
});
