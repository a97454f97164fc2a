import {
  buildReport,
  fleetReportSchema,
  type ReportInput,
  formatAge,
  formatDuration,
  markdownReport,
  shortRevision,
  summaryTable,
} from "../../../automation/fleet/report";
import {
  formatChanges,
  formatLiveLine,
  formatPlainLine,
  PlainProgress,
} from "../../../automation/fleet/progress";
import { tallyEvent } from "../../../automation/fleet/runner";
import { countChanges, NO_CHANGES, type StackResult } from "../../../automation/fleet/types";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { fleetStack } from "./fakes";

const results: StackResult[] = [
  {
    stack: "canary",
    wave: 1,
    group: "de",
    result: "succeeded",
    changes: { create: 2, update: 1, delete: 0, replace: 0, same: 9 },
    durationMs: 65_400,
    flux: {
      revision: "v1.2.0@sha1:0123456789abcdef0123",
      ready: "True",
      reason: "ReconciliationSucceeded",
      since: "2026-11-22T10:00:00Z",
    },
    logFile: "fleet-logs/canary.log",
  },
  {
    stack: "de-prod",
    wave: 2,
    result: "failed",
    changes: NO_CHANGES,
    durationMs: 1200,
    error: "error: resource a | b failed",
    logFile: "fleet-logs/de-prod.log",
  },
  {
    stack: "fr-prod",
    wave: 3,
    result: "skipped",
    changes: NO_CHANGES,
    durationMs: 0,
    note: "wave 2 did not pass (de-prod), so later waves did not start",
  },
];

const report = (over: Partial<ReportInput> = {}) =>
  buildReport({
    operation: "up",
    project: "/work/main",
    selection: "all fleet stacks",
    startedAt: new Date("2026-11-22T10:00:00Z"),
    finishedAt: new Date("2026-11-22T10:01:10Z"),
    exitCode: 1,
    haltedBecause: "wave 2 did not pass (de-prod), so later waves did not start",
    options: {
      concurrency: 4,
      failFast: false,
      gate: true,
      expectNoChanges: false,
      refresh: false,
      policyPacks: [],
    },
    outside: ["sandbox"],
    stacks: results,
    ...over,
  });

describe("reports", () => {
  it("the JSON report matches its schema and survives a round trip", () => {
    const r = report();
    expect(fleetReportSchema.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(r).toMatchObject({ kind: "platform-fleet-report", version: 1, durationMs: 70_000, exitCode: 1 });
  });

  it.each<[string, (r: ReturnType<typeof report>) => unknown, string]>([
    ["unknown result", (r) => ({ ...r, stacks: [{ ...r.stacks[0], result: "ok" }] }), "stacks.0.result"],
    [
      "negative count",
      (r) => ({ ...r, stacks: [{ ...r.stacks[0], changes: { ...NO_CHANGES, create: -1 } }] }),
      "stacks.0.changes.create",
    ],
    ["extra key", (r) => ({ ...r, extra: 1 }), "extra"],
    ["wrong kind", (r) => ({ ...r, kind: "other" }), "kind"],
  ])("the schema rejects %s", (_n, mutate, where) => {
    const parsed = fleetReportSchema.safeParse(mutate(report()));
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) =>
      i.code === "unrecognized_keys" ? i.keys.join(",") : i.path.join("."),
    );
    expect(paths).toContain(where);
  });

  it("the summary table", () => {
    expect(summaryTable(results).split("\n")).toEqual([
      "stack    wave  group  result     +  ~  -  +-  duration  Flux revision             Ready",
      "canary   1     de     succeeded  2  1  0  0   1m05s     v1.2.0@sha1:0123456789ab  True",
      "de-prod  2            failed     0  0  0  0   1.2 s",
      "fr-prod  3            skipped    0  0  0  0   0.0 s",
    ]);
  });

  it("the render table", () => {
    const r: StackResult = { ...results[0], render: { resources: 8, objects: 4, outDir: "render/canary" } };
    expect(summaryTable([r], "render").split("\n")[1]).toBe(
      "canary  1     de     succeeded  8          4        1m05s     render/canary",
    );
  });

  it("the Markdown report", () => {
    const text = markdownReport(report());
    expect(text).toContain("## Fleet up: FAILED");
    expect(text).toContain(
      "all fleet stacks; 3 stack(s): 1 succeeded, 1 failed, 0 gate failed, 0 cancelled, 1 skipped in 1m10s (concurrency 4, Flux gate on).",
    );
    expect(text).toContain("**Stopped:** wave 2 did not pass (de-prod), so later waves did not start");
    expect(text).toContain("| de-prod | 2 |  | ❌ failed | 0 | 0 | 0 | 0 | 1.2 s |  |  |");
    expect(text).toContain(
      "<details><summary>de-prod: failed</summary>\n\n```\nerror: resource a | b failed\n```\n\nFull Pulumi output: `fleet-logs/de-prod.log`\n</details>",
    );
    expect(text).toContain("Not in the fleet (no platform:fleet): sandbox.");
  });

  it.each([
    [0, "0.0 s"],
    [1234, "1.2 s"],
    [59_900, "59.9 s"],
    [60_000, "1m00s"],
    [3_725_000, "62m05s"],
  ])("formatDuration(%i) = %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it("the status table (the fleet dashboard) shows revision, Ready, reason and age", () => {
    const now = Date.parse("2026-11-22T13:12:30Z");
    expect(summaryTable(results.slice(0, 1), "status", now).split("\n")).toEqual([
      "stack   wave  group  result     Flux revision             Ready  reason                   age    commit statuses",
      "canary  1     de     succeeded  v1.2.0@sha1:0123456789ab  True   ReconciliationSucceeded  3h12m  —",
    ]);
  });

  describe("the status table links to the applied commit, where the fleet repository's statuses are", () => {
    const SHA = "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39";
    const at = (
      stack: string,
      sourceUrl: string | undefined,
      revision = `main@sha1:${SHA}`,
    ): StackResult => ({
      stack,
      wave: 1,
      result: "succeeded",
      changes: NO_CHANGES,
      durationMs: 900,
      flux: { revision, ready: "True", ...(sourceUrl ? { sourceUrl } : {}) },
    });
    const stacks: StackResult[] = [
      at("gh-ssh", "ssh://git@github.com/acme-telco/platform-fleet.git"),
      at("gh-https", "https://github.com/acme-telco/platform-fleet.git", `v1.0.0@sha1:${SHA}`),
      at("gl-scp", "git@gitlab.example.com:network/fleet.git"),
      at("gl-https", "https://gitlab.com/acme/platform/fleet"),
      at("gitea", "https://git.example.com/acme/fleet.git"),
      at(
        "oci",
        "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/fleet",
        `latest@sha256:${SHA}${SHA.slice(0, 24)}`,
      ),
      at("no-url", undefined),
      at("not-yet", "https://github.com/acme-telco/platform-fleet.git", ""),
      {
        ...at(
          "oci-origin",
          "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/fleet",
          `v1.2.0@sha256:${SHA}${SHA.slice(0, 24)}`,
        ),
        flux: {
          revision: `v1.2.0@sha256:${SHA}${SHA.slice(0, 24)}`,
          ready: "True",
          sourceUrl: "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/fleet",
          originRevision: `v1.2.0@sha1:${SHA}`,
          origin: "https://github.com/acme-telco/platform-fleet",
        },
      },
    ];

    it("as a URL in the terminal", () => {
      const rows = summaryTable(stacks, "status", 0)
        .split("\n")
        .map((l) => l.split(/\s{2,}/).at(-1));
      expect(rows).toEqual([
        "commit statuses",
        `https://github.com/acme-telco/platform-fleet/commit/${SHA}`,
        `https://github.com/acme-telco/platform-fleet/commit/${SHA}`,
        `https://gitlab.example.com/network/fleet/-/commit/${SHA}`,
        `https://gitlab.com/acme/platform/fleet/-/commit/${SHA}`,
        "—",
        "—",
        "—",
        "—",
        // An OCI root: the commit its artifact was published from, in its origin repository.
        `https://github.com/acme-telco/platform-fleet/commit/${SHA}`,
      ]);
    });

    it("as a Markdown link in the report", () => {
      const text = markdownReport(
        report({
          operation: "status",
          exitCode: 0,
          haltedBecause: undefined,
          outside: [],
          stacks: stacks.slice(0, 5),
        }),
      );
      expect(text.split("\n").filter((l) => l.startsWith("|"))).toEqual([
        "| stack | wave | group | result | Flux revision | Ready | reason | age | commit statuses |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        `| gh-ssh | 1 |  | ✅ succeeded | main@sha1:4f1c2a9e8b7d | True |  |  | [4f1c2a9e8b7d](https://github.com/acme-telco/platform-fleet/commit/${SHA}) |`,
        `| gh-https | 1 |  | ✅ succeeded | v1.0.0@sha1:4f1c2a9e8b7d | True |  |  | [4f1c2a9e8b7d](https://github.com/acme-telco/platform-fleet/commit/${SHA}) |`,
        `| gl-scp | 1 |  | ✅ succeeded | main@sha1:4f1c2a9e8b7d | True |  |  | [4f1c2a9e8b7d](https://gitlab.example.com/network/fleet/-/commit/${SHA}) |`,
        `| gl-https | 1 |  | ✅ succeeded | main@sha1:4f1c2a9e8b7d | True |  |  | [4f1c2a9e8b7d](https://gitlab.com/acme/platform/fleet/-/commit/${SHA}) |`,
        "| gitea | 1 |  | ✅ succeeded | main@sha1:4f1c2a9e8b7d | True |  |  | — |",
      ]);
    });
  });

  it("the outputs table", () => {
    const r: StackResult = {
      ...results[0],
      outputs: { clusterName: "de-canary", rootSourceRef: "tag v1.2.0", kubeconfig: "[secret]" },
    };
    expect(summaryTable([r], "outputs").split("\n")).toEqual([
      "stack   wave  group  result     clusterName  rootSourceUrl  rootSourceRef  rootPath",
      "canary  1     de     succeeded  de-canary                   tag v1.2.0",
    ]);
  });

  it.each([
    [undefined, ""],
    ["garbage", ""],
    ["2026-11-22T13:12:00Z", "30s"],
    ["2026-11-22T13:00:00Z", "12m"],
    ["2026-11-22T10:00:00Z", "3h12m"],
    ["2026-11-18T10:00:00Z", "4d3h"],
    ["2026-11-23T00:00:00Z", "0s"],
  ])("formatAge(%s) = %j", (since, text) =>
    expect(formatAge(since, Date.parse("2026-11-22T13:12:30Z"))).toBe(text),
  );

  it("shortens revisions", () => {
    expect(shortRevision("main@sha1:0123456789abcdef")).toBe("main@sha1:0123456789ab");
    expect(shortRevision("v1@sha256:ffffffffffffffffffff")).toBe("v1@sha256:ffffffffffff");
    expect(shortRevision(undefined)).toBe("");
  });
});

describe("progress", () => {
  const entry = {
    stack: "de-prod",
    wave: 2,
    startedAt: 0,
    changes: { create: 1, update: 2, delete: 0, replace: 0, same: 4 },
  };

  it("a live terminal line", () => {
    expect(formatLiveLine({ ...entry, state: "running" }, 12_000, 8)).toBe(
      "▶  de-prod   w2  running       12.0 s  +1 ~2 -0 +-0",
    );
    expect(
      formatLiveLine({ ...entry, state: "gating", message: "waiting for main@sha1:1\nmore" }, 3000, 7, 60),
    ).toBe("⏳  de-prod  w2  gating         3.0 s  +1 ~2 -0 +-0        w…");
    expect(formatChanges(undefined)).toBe("");
  });

  it("plain CI lines, one per state change", () => {
    const at = new Date("2026-11-22T10:00:00Z");
    expect(formatPlainLine({ ...entry, state: "succeeded", endedAt: 61_000 }, at)).toBe(
      "2026-11-22T10:00:00.000Z [wave 2] de-prod succeeded in 1m01s (+1 ~2 -0 +-0)",
    );
    const lines: string[] = [];
    const p = new PlainProgress((l) => lines.push(l.replace(/^\S+ /, "")));
    const s = fleetStack("a", 1);
    p.update(s, "pending");
    p.update(s, "running");
    p.update(s, "running", { changes: { ...NO_CHANGES, create: 1 } });
    p.update(s, "gating", { message: "waiting for x" });
    p.update(s, "gating", { message: "waiting for x" });
    p.update(s, "gating", { message: "waiting for y" });
    p.update(s, "failed", { message: "boom" });
    expect(lines.map((l) => l.replace(/ in \d+\.\d s/, ""))).toEqual([
      "[wave 1] a running",
      "[wave 1] a gating (+1 ~0 -0 +-0): waiting for x",
      "[wave 1] a gating (+1 ~0 -0 +-0): waiting for y",
      "[wave 1] a failed (+1 ~0 -0 +-0): boom",
    ]);
  });
});

describe("change counts", () => {
  it("folds Pulumi's OpMap", () => {
    expect(
      countChanges({ create: 1, import: 2, update: 3, delete: 4, replace: 5, same: 6, read: 7 }),
    ).toEqual({
      create: 3,
      update: 3,
      delete: 4,
      replace: 5,
      same: 6,
    });
    expect(countChanges(undefined)).toEqual(NO_CHANGES);
  });

  it("tallies engine events as they arrive", () => {
    const ev = (op: string, pre = false) =>
      ({
        sequence: 1,
        timestamp: 0,
        [pre ? "resourcePreEvent" : "resOutputsEvent"]: { metadata: { op } },
      }) as unknown as EngineEvent;
    let c = NO_CHANGES;
    for (const e of [ev("create"), ev("same"), ev("import"), ev("refresh"), ev("create-replacement")])
      c = tallyEvent(c, e, false) ?? c;
    expect(c).toEqual({ create: 2, update: 0, delete: 0, replace: 0, same: 1 });
    expect(tallyEvent(NO_CHANGES, ev("update", true), true)).toEqual({ ...NO_CHANGES, update: 1 });
    expect(tallyEvent(NO_CHANGES, ev("update", true), false)).toBeUndefined();
  });
});
