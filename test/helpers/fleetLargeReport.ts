/**
 * A schema-checked fleet report of 1,000 platforms in five waves for the fleet page's browser test
 * and its screenshot: deterministic (the same every run), wave 4 with failed gates and a failed
 * stack, wave 5 skipped.
 */
import { buildReport, type FleetReport } from "../../automation/fleet/report";
import type { StackResult, WaveTiming } from "../../automation/fleet/types";
import { FLEET_URL, sha } from "./fleetPageReports";

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const KINDS = ["eks", "baremetal", "existing"];
const COUNTRIES = [
  "at",
  "be",
  "ch",
  "cz",
  "de",
  "dk",
  "es",
  "fi",
  "fr",
  "gr",
  "hu",
  "ie",
  "it",
  "nl",
  "pl",
  "pt",
  "se",
];

/** A rollout of `n` platforms in five waves; wave 4 has failed gates and a failed stack, wave 5 is skipped. */
export function largeFleetReport(n = 1000): FleetReport {
  const rnd = random(42);
  const t0 = Date.parse("2026-11-22T10:00:00Z");
  const sizes = [0.01, 0.09, 0.35, 0.5].map((f) => Math.round(n * f));
  const waveOf = (i: number) => {
    let sum = 0;
    for (let w = 0; w < sizes.length; w++) if (i < (sum += sizes[w])) return w + 1;
    return 5;
  };
  const waves: WaveTiming[] = [];
  const stacks: StackResult[] = [];
  let clock = t0;
  for (let w = 1; w <= 5; w++) {
    const members = Array.from({ length: n }, (_, i) => i).filter((i) => waveOf(i) === w);
    if (w === 5) {
      waves.push({ wave: 5, stacks: members.length, state: "skipped" });
      for (const i of members) stacks.push(platform(i, 5, "skipped"));
      continue;
    }
    const started = clock;
    const gate = started + 60_000 + Math.round(rnd() * 120_000);
    const finished = gate + 30_000 + Math.round(rnd() * 240_000);
    for (const [k, i] of members.entries())
      stacks.push(
        platform(
          i,
          w,
          w === 4 && k % 97 === 3 ? "gate-failed" : w === 4 && k === 10 ? "failed" : "succeeded",
        ),
      );
    const failed = w === 4;
    waves.push({
      wave: w,
      stacks: members.length,
      state: failed ? "failed" : "passed",
      startedAt: new Date(started).toISOString(),
      gateStartedAt: new Date(gate).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
    });
    clock = finished + 1000;
  }
  function platform(i: number, wave: number, result: StackResult["result"]): StackResult {
    const country = COUNTRIES[i % COUNTRIES.length];
    const stack = `${country}-${String(i + 1).padStart(4, "0")}`;
    const base: StackResult = {
      stack,
      wave,
      group: country,
      result,
      changes:
        result === "skipped"
          ? { create: 0, update: 0, delete: 0, replace: 0, same: 0 }
          : { create: 0, update: 1 + (i % 3), delete: 0, replace: i % 50 === 0 ? 1 : 0, same: 40 + (i % 7) },
      durationMs: result === "skipped" ? 0 : 40_000 + Math.round(rnd() * 200_000),
      declared: {
        clusterKind: KINDS[i % 3],
        fluxVersion: i % 10 === 0 ? "2.8.3" : "2.9.4",
        desiredRef: "tag v1.4.0",
      },
    };
    if (result === "skipped") return { ...base, note: "wave 4 did not pass, so later waves did not start" };
    const since = new Date(t0 + Math.round(rnd() * 600_000)).toISOString();
    const rev = `v1.4.0@sha1:${sha(0x4f1c2a9e)}`;
    if (result === "failed")
      return {
        ...base,
        error:
          "error: update failed: aws:eks:NodeGroup workers: ResourceInUseException: NodeGroup already exists",
      };
    if (result === "gate-failed")
      return {
        ...base,
        error: `Flux gate: HelmRelease vendor-b/smf not Ready after 10 m`,
        flux: {
          revision: rev,
          ready: "False",
          reason: "HealthCheckFailed",
          message: "health check failed after 10m0s: HelmRelease/vendor-b/smf status: 'Failed'",
          since,
          sourceUrl: FLEET_URL,
          failing: [
            {
              kind: "HelmRelease",
              namespace: "vendor-b",
              name: "smf",
              reason: "UpgradeFailed",
              message: "context deadline exceeded: pod smf-0 CrashLoopBackOff",
            },
          ],
          failingTotal: 1,
          slices: 2 + (i % 5),
        },
      };
    return {
      ...base,
      flux: {
        revision: rev,
        ready: "True",
        reason: "ReconciliationSucceeded",
        since,
        sourceUrl: FLEET_URL,
        failing: [],
        failingTotal: 0,
        slices: 2 + (i % 5),
      },
    };
  }
  const bad = stacks.filter((s) => s.wave === 4 && s.result !== "succeeded").map((s) => s.stack);
  return buildReport({
    operation: "up",
    project: "/builds/acme/platform",
    selection: "all fleet stacks",
    startedAt: new Date(t0),
    finishedAt: new Date(clock),
    exitCode: 1,
    haltedBecause: `wave 4 did not pass (${bad.join(", ")}), so later waves did not start`,
    options: {
      concurrency: 25,
      failFast: false,
      gate: true,
      expectNoChanges: false,
      refresh: false,
      policyPacks: [],
    },
    outside: ["sandbox"],
    stacks,
    waves,
  });
}
