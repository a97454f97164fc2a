/**
 * Fleet reports for the fleet page's tests. `smallFleetRun` runs the real `fleetMain` (`--json`,
 * `--html`) over six stack files with a fake Pulumi runner and a scripted Flux: a rollout whose
 * second wave has a failed Flux gate (a Kustomization message carrying a `<script>`) and a failed
 * stack, so the third is skipped; and a status with not-Ready roots. `largeFleetReport` builds a
 * schema-checked report of 1,000 platforms in five waves (deterministic: the same every run).
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { fleetMain } from "../../automation/fleet/main";
import type { FluxDetails, FluxRootStatus, FluxTarget } from "../../automation/fleet/types";
import { defaultOutputs, FakeRunner, readyStatus, ScriptedFlux } from "../unit/fleet/fakes";

export const SCRIPT_MESSAGE =
  'kustomize build failed: accumulating resources: <script>alert("from the cluster")</script> missing-layer.yaml: no such file';

export const sha = (n: number) => n.toString(16).padStart(8, "0").repeat(5);
const REV = `v1.4.0@sha1:${sha(0x4f1c2a9e)}`;
export const FLEET_URL = "ssh://git@github.com/acme-telco/platform-fleet.git";

/** The six stacks: name, wave, group, cluster kind, ref. */
const STACKS: [string, number, string, string, Record<string, string>][] = [
  ["at-canary", 1, "at", "eks", { tag: "v1.4.0" }],
  ["de-dev", 1, "de", "existing", { branch: "main" }],
  ["de-prod", 2, "de", "baremetal", { tag: "v1.4.0" }],
  ["fr-prod", 2, "fr", "baremetal", { tag: "v1.4.0" }],
  ["it-prod", 2, "it", "eks", { semver: ">=1.4.0 <2.0.0" }],
  ["es-prod", 3, "es", "eks", { tag: "v1.4.0" }],
];

async function writeProject(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
  for (const [stack, wave, group, kind, ref] of STACKS)
    await fs.writeFile(
      path.join(dir, `Pulumi.${stack}.yaml`),
      stringify({
        config: {
          "platform:name": stack,
          "platform:environment": stack.endsWith("prod") ? "prod" : "dev",
          "platform:cluster": { kind },
          "platform:flux": { source: { url: FLEET_URL, ref } },
          "platform:fleet": { wave, group },
        },
      }),
    );
}

/** A root whose Kustomization failed at the served revision (the gate fails at once). */
function failedRoot(): FluxRootStatus {
  const s = readyStatus(REV);
  const ready = {
    type: "Ready",
    status: "False" as const,
    reason: "BuildFailed",
    message: SCRIPT_MESSAGE,
    lastTransitionTime: "2026-11-22T09:58:00Z",
  };
  return {
    ...s,
    kustomization: { ...s.kustomization!, ready, lastAppliedRevision: `v1.3.0@sha1:${sha(7)}` },
  };
}

const FR_DETAILS: FluxDetails = {
  failing: [
    {
      kind: "Kustomization",
      namespace: "flux-system",
      name: "flux-system",
      reason: "BuildFailed",
      message: SCRIPT_MESSAGE,
    },
    {
      kind: "HelmRelease",
      namespace: "vendor-a",
      name: "upf",
      reason: "InstallFailed",
      message: "install retries exhausted & <b>not</b> bold",
    },
  ],
  failingTotal: 2,
  slices: 1,
};

/** Scripted Flux that also answers the page's details (failing objects, Slices). */
class DetailedFlux extends ScriptedFlux {
  constructor(
    script: (stack: string) => (FluxRootStatus | Error)[],
    private readonly details: (stack: string) => FluxDetails,
  ) {
    super(script);
  }
  async readDetails(target: FluxTarget): Promise<FluxDetails> {
    return this.details(target.stack);
  }
}

const details = (stack: string): FluxDetails =>
  stack === "fr-prod" ? FR_DETAILS : { failing: [], failingTotal: 0, slices: stack.length % 4 };

export interface ReportFiles {
  json: string;
  html: string;
}

/** Run `fleet up` and `fleet status` with fakes; the report pairs written into `outDir`. */
export async function smallFleetRun(outDir: string): Promise<{ up: ReportFiles; status: ReportFiles }> {
  const project = path.join(outDir, "project");
  await writeProject(project);
  const outputs = (stack: string) => ({
    ...defaultOutputs(stack),
    kubeconfig: { value: `token: secret-token-of-${stack}`, secret: true },
    rootSourceRef: { value: "tag v1.4.0", secret: false },
    rootSourceUrl: { value: FLEET_URL, secret: false },
  });
  const run = async (op: "up" | "status", flux: ScriptedFlux): Promise<ReportFiles> => {
    const files = {
      json: path.join(outDir, `small-${op}.json`),
      html: path.join(outDir, `small-${op}.html`),
    };
    await fleetMain(
      [
        op,
        "--project",
        project,
        "--json",
        files.json,
        "--html",
        files.html,
        "--logs",
        path.join(outDir, "logs"),
      ],
      {
        runner: new FakeRunner({
          fail: op === "up" ? ["it-prod"] : [],
          outputs,
          durationMs: (s) => 20 + s.length * 5,
        }),
        flux,
        env: { CI: "true" },
        interactive: false,
        out: () => undefined,
        stopSignal: new AbortController().signal,
        gatePollMs: 1,
      },
    );
    return files;
  };
  const up = await run(
    "up",
    new DetailedFlux((s) => [s === "fr-prod" ? failedRoot() : readyStatus(REV)], details),
  );
  const progressing: FluxRootStatus = {
    kustomization: {
      ready: {
        type: "Ready",
        status: "Unknown",
        reason: "Progressing",
        message: "Reconciliation in progress",
      },
      lastAppliedRevision: REV,
    },
  };
  const status = await run(
    "status",
    new DetailedFlux((s) => {
      if (s === "fr-prod") return [failedRoot()];
      if (s === "de-prod") return [progressing];
      if (s === "it-prod") return [{}];
      if (s === "es-prod")
        return [new Error("cannot reach the API server https://10.9.0.1:6443: ECONNREFUSED")];
      return [readyStatus(REV)];
    }, details),
  );
  return { up, status };
}
