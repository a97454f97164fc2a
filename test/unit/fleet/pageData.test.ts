/** What the fleet page is made from: failing Flux objects, Slices, wave times, the --html flag. */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFleetArgs } from "../../../automation/fleet/args";
import { runFleet } from "../../../automation/fleet/driver";
import {
  failingFrom,
  MAX_FAILING,
  MAX_MESSAGE,
  readFluxDetails,
  withDetails,
  type FluxObject,
} from "../../../automation/fleet/fluxObjects";
import { fleetMain } from "../../../automation/fleet/main";
import { fleetReportSchema } from "../../../automation/fleet/report";
import type { FluxDetails, FluxTarget } from "../../../automation/fleet/types";
import { smallFleetRun, SCRIPT_MESSAGE } from "../../helpers/fleetPageReports";
import { FakeRunner, fleetStack, readyStatus, ScriptedFlux } from "./fakes";

jest.setTimeout(30000);
const signal = new AbortController().signal;
const target: FluxTarget = { stack: "a", kubeconfig: "k" };

const obj = (ns: string, name: string, status?: "True" | "False", message?: string): FluxObject => ({
  metadata: { namespace: ns, name },
  status: status
    ? {
        conditions: [
          {
            type: "Ready",
            status,
            reason: status === "False" ? "Failed" : "Succeeded",
            message,
            lastTransitionTime: "t",
          },
        ],
      }
    : {},
});

describe("failing Flux objects and Slices", () => {
  it("keeps the Ready=False ones, by namespace and name, the first MAX_FAILING, messages cut", () => {
    const ks = [obj("b", "ok", "True"), obj("b", "x", "False", "  boom \n"), obj("a", "none")];
    const hr = [obj("a", "z", "False", "m".repeat(MAX_MESSAGE + 5)), obj("a", "y", "False")];
    expect(failingFrom(ks, hr)).toEqual({
      failing: [
        { kind: "HelmRelease", namespace: "a", name: "y", reason: "Failed", since: "t" },
        {
          kind: "HelmRelease",
          namespace: "a",
          name: "z",
          reason: "Failed",
          message: `${"m".repeat(MAX_MESSAGE)}…`,
          since: "t",
        },
        { kind: "Kustomization", namespace: "b", name: "x", reason: "Failed", message: "boom", since: "t" },
      ],
      failingTotal: 3,
    });
    const many = Array.from({ length: MAX_FAILING + 7 }, (_, i) =>
      obj("n", `k${String(i).padStart(2, "0")}`, "False"),
    );
    const cut = failingFrom(many, []);
    expect(cut.failing).toHaveLength(MAX_FAILING);
    expect(cut.failingTotal).toBe(MAX_FAILING + 7);
  });

  it("lists Kustomizations, HelmReleases and Slices; a kind the cluster does not serve counts none", async () => {
    const asked: string[] = [];
    const client = {
      async listCustomObjects<T>(kind: { plural: string }): Promise<T[] | undefined> {
        asked.push(kind.plural);
        if (kind.plural === "kustomizations") return [obj("flux-system", "apps", "False", "x")] as T[];
        if (kind.plural === "slices") return undefined;
        return [];
      },
    };
    expect(await readFluxDetails(client, signal)).toEqual({
      failing: [
        {
          kind: "Kustomization",
          namespace: "flux-system",
          name: "apps",
          reason: "Failed",
          message: "x",
          since: "t",
        },
      ],
      failingTotal: 1,
    });
    expect(asked).toEqual(["kustomizations", "helmreleases", "slices"]);
  });

  it("a summary gets the details, or why they could not be read", async () => {
    const flux = { ready: "True" as const };
    const details: FluxDetails = { failing: [], failingTotal: 0, slices: 2 };
    const reader = (d: () => Promise<FluxDetails>) => ({ read: async () => ({}), readDetails: d });
    expect(
      await withDetails(
        reader(async () => details),
        target,
        flux,
        signal,
      ),
    ).toEqual({ ...flux, ...details });
    expect(
      await withDetails(
        reader(async () => Promise.reject(new Error("HTTP 403 Forbidden\nmore"))),
        target,
        flux,
        signal,
      ),
    ).toEqual({ ...flux, detailsError: "HTTP 403 Forbidden" });
    expect(await withDetails({ read: async () => ({}) }, target, flux, signal)).toBe(flux);
  });
});

describe("the driver records what the page shows", () => {
  it("wave start, gate and end times and states; details and commit links with each Flux summary", async () => {
    class Detailed extends ScriptedFlux {
      async readDetails(t: FluxTarget): Promise<FluxDetails> {
        return { failing: [], failingTotal: 0, slices: t.stack.length };
      }
    }
    const outputs = (s: string) => ({
      kubeconfig: { value: `kc-${s}`, secret: true },
      rootSourceRef: { value: "branch main", secret: false },
      rootSourceUrl: { value: "https://github.com/acme/fleet.git", secret: false },
    });
    const before = Date.now();
    const run = await runFleet({
      operation: "up",
      stacks: [fleetStack("one", 1), fleetStack("three", 2), fleetStack("seven", 3)],
      concurrency: 2,
      failFast: false,
      gate: { enabled: true, timeoutMs: 1000, pollMs: 1 },
      engineOptions: () => ({
        policyPacks: [],
        policyPackConfigs: [],
        expectNoChanges: false,
        refresh: false,
      }),
      runner: new FakeRunner({ fail: ["three"], outputs }),
      flux: new Detailed(() => [readyStatus()]),
    });
    expect(run.waves.map((w) => [w.wave, w.stacks, w.state])).toEqual([
      [1, 1, "passed"],
      [2, 1, "failed"],
      [3, 1, "skipped"],
    ]);
    const [w1, w2, w3] = run.waves;
    expect(Date.parse(w1.startedAt!)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(w1.gateStartedAt!)).toBeGreaterThanOrEqual(Date.parse(w1.startedAt!));
    expect(Date.parse(w1.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(w1.gateStartedAt!));
    expect(w1.durationMs).toBe(Date.parse(w1.finishedAt!) - Date.parse(w1.startedAt!));
    expect(w2.gateStartedAt).toBeUndefined(); // its only stack failed before the gate
    expect(w3).toEqual({ wave: 3, stacks: 1, state: "skipped" });
    expect(run.results[0].flux).toMatchObject({
      ready: "True",
      sourceUrl: "https://github.com/acme/fleet.git",
      failing: [],
      failingTotal: 0,
      slices: 3,
    });
  });
});

describe("fleet --html", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-page-"));
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  it("applies to up, status and render only", () => {
    expect(parseFleetArgs(["status", "--html", "p.html"]).htmlReport).toBe("p.html");
    expect(() => parseFleetArgs(["preview", "--html", "p.html"])).toThrow(
      "--html does not apply to preview (only to up, status, render)",
    );
  });

  it("writes the page beside the JSON from the same report; no secret output reaches either", async () => {
    const { up, status } = await smallFleetRun(tmp);
    for (const files of [up, status]) {
      const json = await fs.readFile(files.json, "utf8");
      const html = await fs.readFile(files.html, "utf8");
      const report = fleetReportSchema.parse(JSON.parse(json));
      for (const s of report.stacks) expect(html).toContain(`<th scope="row">${s.stack}</th>`);
      // The kubeconfig output (secret) carries "secret-token-of-<stack>": in neither report.
      expect(`${json}\n${html}`).not.toContain("secret-token-of");
      expect(html).toContain("&lt;script&gt;alert(&quot;from the cluster&quot;)&lt;/script&gt;");
    }
    const upReport = fleetReportSchema.parse(JSON.parse(await fs.readFile(up.json, "utf8")));
    const fr = upReport.stacks.find((s) => s.stack === "fr-prod")!;
    expect(fr).toMatchObject({
      result: "gate-failed",
      declared: { clusterKind: "baremetal", desiredRef: "tag v1.4.0" },
      flux: { ready: "False", message: SCRIPT_MESSAGE, failingTotal: 2, slices: 1 },
    });
    expect(upReport.waves?.map((w) => w.state)).toEqual(["passed", "failed", "skipped"]);
  });

  it("replaces only a page it wrote", async () => {
    const file = path.join(tmp, "page.html");
    await fs.writeFile(file, "<!doctype html><p>someone's page</p>");
    await expect(
      fleetMain(
        ["status", "--project", path.join(__dirname, "../../fixtures/fleet/project"), "--html", file],
        {
          runner: new FakeRunner(),
          flux: new ScriptedFlux(() => [readyStatus()]),
          env: { CI: "true" },
          interactive: false,
          out: () => undefined,
          stopSignal: signal,
        },
      ),
    ).rejects.toThrow("exists and is not a report written by this tool, so it is not overwritten");
  });
});
