import { isCi, parseFleetArgs, policyConfigFor } from "../../../automation/fleet/args";
import { parseDurationMs } from "../../../automation/fleet/argValues";
import { engineEnv } from "../../../automation/fleet/runner";
import { availableParallelism } from "node:os";
import { fleetStack } from "./fakes";

const local = {}; // no CI
const ci = { CI: "true" };

describe("parseFleetArgs", () => {
  it("defaults", () => {
    expect(parseFleetArgs(["preview"], local)).toEqual({
      operation: "preview",
      selection: {},
      projectDir: ".",
      concurrency: 4,
      failFast: false,
      policyPacks: [],
      expectNoChanges: false,
      refresh: false,
      deleteUnreachable: false,
      gate: true,
      gateTimeoutMs: 600_000,
      readConcurrency: 50,
      readTimeoutMs: 15_000,
      logsDir: "fleet-logs",
      outDir: "render",
      // One render process per core the machine gives this process.
      workers: Math.min(64, availableParallelism()),
    });
  });

  it("cluster reads: --read-concurrency and --read-timeout (status, up)", () => {
    expect(
      parseFleetArgs(["status", "--read-concurrency", "200", "--read-timeout", "1m30s"], local),
    ).toMatchObject({ readConcurrency: 200, readTimeoutMs: 90_000, concurrency: 4 });
    expect(parseFleetArgs(["up", "--yes", "--read-timeout", "1"], local).readTimeoutMs).toBe(1000);
    expect(parseFleetArgs(["render", "--workers", "3"], local).workers).toBe(3);
  });

  it("every flag", () => {
    const a = parseFleetArgs(
      [
        "up",
        "--stack",
        "a,b",
        "--wave",
        "2",
        "--group",
        "de",
        "--label",
        "environment=prod",
        "--shard",
        "2/3",
        "--concurrency",
        "8",
        "--fail-fast",
        "--policy-pack",
        "policy",
        "--policy-config",
        "policy/{environment}.json",
        "--expect-no-changes",
        "--refresh",
        "--no-gate",
        "--gate-timeout",
        "15m",
        "--json",
        "r.json",
        "--markdown",
        "r.md",
        "--logs",
        "logs",
        "--project",
        "p",
        "--yes",
      ],
      local,
    );
    expect(a).toMatchObject({
      operation: "up",
      selection: {
        stacks: ["a", "b"],
        wave: 2,
        group: "de",
        labels: { environment: "prod" },
        shard: { index: 2, count: 3 },
      },
      concurrency: 8,
      failFast: true,
      policyPacks: ["policy"],
      policyConfig: "policy/{environment}.json",
      expectNoChanges: true,
      refresh: true,
      gate: false,
      gateTimeoutMs: 900_000,
      jsonReport: "r.json",
      markdownReport: "r.md",
      logsDir: "logs",
      projectDir: "p",
    });
  });

  it("--delete-unreachable (destroy only) sets the Kubernetes provider's PULUMI_K8S_DELETE_UNREACHABLE", () => {
    const a = parseFleetArgs(["destroy", "--yes", "--delete-unreachable", "--stack", "de-dev"], local);
    expect(a).toMatchObject({
      operation: "destroy",
      deleteUnreachable: true,
      selection: { stacks: ["de-dev"] },
    });
    expect(engineEnv(a)).toEqual({ PULUMI_K8S_DELETE_UNREACHABLE: "true" });
    expect(engineEnv(parseFleetArgs(["destroy", "--yes"], local))).toBeUndefined();
  });

  it("up and destroy need --yes outside CI, not in CI", () => {
    expect(parseFleetArgs(["up"], ci).operation).toBe("up");
    expect(parseFleetArgs(["destroy", "--yes"], local).operation).toBe("destroy");
  });

  it.each<[string[], NodeJS.ProcessEnv, string]>([
    [[], local, "missing subcommand: one of preview, up, refresh, destroy, outputs, status, render"],
    [
      ["deploy"],
      local,
      'unknown subcommand "deploy" (one of preview, up, refresh, destroy, outputs, status, render)',
    ],
    [
      ["up"],
      local,
      "up changes real infrastructure on every selected stack: add --yes to confirm (in CI, where CI=true is set, it is not needed)",
    ],
    [["destroy"], { CI: "false" }, "destroy changes real infrastructure on every selected stack: add --yes"],
    [["preview", "--no-gate"], local, "--no-gate does not apply to preview (only to up)"],
    [["status", "--policy-pack", "p"], local, "--policy-pack does not apply to status (only to preview, up)"],
    [
      ["destroy", "--yes", "--expect-no-changes"],
      local,
      "--expect-no-changes does not apply to destroy (only to preview, up, refresh)",
    ],
    [
      ["render", "--fail-fast"],
      local,
      "--fail-fast does not apply to render (only to preview, up, refresh, destroy)",
    ],
    [["preview", "--workers", "2"], local, "--workers does not apply to preview (only to render)"],
    [
      ["refresh", "--yes", "--delete-unreachable"],
      local,
      "--delete-unreachable does not apply to refresh (only to destroy)",
    ],
    [
      ["up", "--yes", "--delete-unreachable"],
      local,
      "--delete-unreachable does not apply to up (only to destroy)",
    ],
    [
      ["preview", "--read-concurrency", "10"],
      local,
      "--read-concurrency does not apply to preview (only to up, status)",
    ],
    [
      ["render", "--read-timeout", "5s"],
      local,
      "--read-timeout does not apply to render (only to up, status)",
    ],
    [["status", "--read-concurrency", "0"], local, '--read-concurrency "0": expected a whole number from 1'],
    [
      ["status", "--read-concurrency", "5000"],
      local,
      '--read-concurrency "5000": at most 1000: each read holds a connection to a cluster',
    ],
    [
      ["status", "--read-timeout", "0"],
      local,
      '--read-timeout "0": at least 1s: a cluster API server needs round trips of its own',
    ],
    [["status", "--read-timeout", "1h"], local, '--read-timeout "1h": at most 10m: one read of a cluster is'],
    [
      ["status", "--read-timeout", "15 s"],
      local,
      '--read-timeout "15 s": expected a duration such as 90s, 10m or 1h30m',
    ],
    [["preview", "--concurrency", "0"], local, '--concurrency "0": expected a whole number from 1'],
    [["preview", "--concurrency", "many"], local, '--concurrency "many": expected a whole number from 1'],
    [
      ["up", "--yes", "--gate-timeout", "soon"],
      local,
      '--gate-timeout "soon": expected a duration such as 90s, 10m or 1h30m',
    ],
    [["preview", "--shard", "5/4"], local, '--shard "5/4": the shard index must be between 1 and 4'],
    [["preview", "--bogus"], local, "unknown option --bogus (fleet takes --stack, --wave,"],
    [["preview", "--sahrd", "1/2"], local, "unknown option --sahrd: did you mean --shard?"],
    [["preview", "--stack", "a", "--stack", "b"], local, "--stack is given twice: give it once"],
    [["preview", "--out", "x"], local, "--out does not apply to preview (only to render)"],
    [["preview", "extra"], local, 'unexpected argument "extra": fleet takes one subcommand and options only'],
  ])("%j is rejected", (argv, env, message) => {
    expect(() => parseFleetArgs(argv, env)).toThrow(message);
  });

  it.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["10m", 600_000],
    ["1h30m", 5_400_000],
  ])("duration %s", (text, ms) => expect(parseDurationMs(text, "--x")).toBe(ms));

  it.each([
    [{}, false],
    [{ CI: "true" }, true],
    [{ CI: "1" }, true],
    [{ CI: "" }, false],
    [{ CI: "false" }, false],
  ])("isCi(%j) = %s", (env, expected) => expect(isCi(env)).toBe(expected));
});

describe("policyConfigFor", () => {
  const prod = fleetStack("de-prod", 2, { group: "de", labels: { environment: "prod" } });
  it("fills environment, stack and group", () => {
    expect(policyConfigFor("policy/config/{environment}.json", prod)).toBe("policy/config/prod.json");
    expect(policyConfigFor("p/{group}/{stack}.json", prod)).toBe("p/de/de-prod.json");
    expect(policyConfigFor("p/all.json", prod)).toBe("p/all.json");
  });
  it("names the stack file when a value is missing", () => {
    expect(() => policyConfigFor("p/{environment}.json", fleetStack("x", 1))).toThrow(
      '--policy-config "p/{environment}.json": Pulumi.x.yaml has no platform:environment to fill {environment} with',
    );
    expect(() => policyConfigFor("p/{group}.json", fleetStack("x", 1))).toThrow(
      '--policy-config "p/{group}.json": Pulumi.x.yaml has no platform:fleet.group to fill {group} with',
    );
  });
});
