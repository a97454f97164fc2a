// The fleet gate against real Flux: two platforms, each on its own control plane with its own Flux
// controllers (run by a process kubelet from the Deployments the program installs), driven by
// `npm run fleet -- up` in two waves through the Automation API and the real Pulumi engine. Wave 1
// (fleet-a) follows a tag, wave 2 (fleet-b) a semver range, so the gate meets both ref kinds: a
// first rollout at v1.0.0, a good release v1.1.0 (wave 2 follows it through its range), then a bad
// tag v2.0.0 on wave 1 that fails the gate at once, with wave 2 left at v1.1.0.
//
//   npx tsx test/e2e/fleet.ts
//
// Each run's JSON report and fleet page (--html) are kept in artifacts/e2e-fleet/ as <run>.json and
// <run>.html, for the browser test: npm run test:fleet-page -- --pairs artifacts/e2e-fleet
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { startControlPlane, type ControlPlane } from "./harness/controlPlane";
import {
  byStack,
  e2eFleetTree,
  e2eProject,
  waveTimes,
  withReleaseMarker,
  type FleetReport as Report,
} from "./harness/fleet";
import { startGitServer } from "./harness/gitServer";
import { startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { runStatus, secondsSince } from "./harness/util";
import { FLUX, SRC } from "./harness/fluxNames";

const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller"];
/** Where each fleet run's report and page are kept (git-ignored), for the browser test. */
const PAGES = path.join(__dirname, "..", "..", "artifacts", "e2e-fleet");

/** fleet-b's ref: the highest tag of major version 1. */
const RANGE = ">=1.0.0 <2.0.0";
/** The bad tag's gate timeout and the bound its failure must stay under. */
const BAD_GATE_TIMEOUT = { flag: "3m", ms: 180_000 };
const BAD_GATE_BOUND_MS = 60_000;

void runHarness("e2e-fleet", { deadlineMs: 30 * 60_000 }, async (h) => {
  fs.rmSync(PAGES, { recursive: true, force: true });
  fs.mkdirSync(PAGES, { recursive: true });
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());

  const platforms = [
    {
      stack: "fleet-a",
      wave: 1,
      prefix: "a-",
      ref: { tag: "v1.0.0" } as Record<string, string>,
      interval: "1m",
    },
    // A long interval: fleet-b's source moves to a new tag in its range only when the gate asks it to
    // reconcile, so a gate that accepted what the source served before the up would pass at v1.0.0.
    {
      stack: "fleet-b",
      wave: 2,
      prefix: "b-",
      ref: { semver: RANGE } as Record<string, string>,
      interval: "30m",
    },
  ];
  const planes: Record<string, ControlPlane> = {};
  await h.step("two control planes up (one per platform)", async () => {
    for (const p of platforms)
      planes[p.stack] = await startControlPlane(h.sup, tools, path.join(h.workDir, p.stack), {
        crds: false,
        prefix: p.prefix,
      });
  });
  for (const p of platforms) h.onCleanup(async () => planes[p.stack].kube.close());
  for (const p of platforms) {
    const kubelet = startKubelet({
      sup: h.sup,
      tools,
      kube: planes[p.stack].kube,
      kubeconfigFor: (sa) => planes[p.stack].serviceAccountKubeconfig("flux-system", sa),
      workDir: h.workDir,
      prefix: p.prefix,
    });
    h.onCleanup(() => kubelet.stop());
  }

  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  const base = withReleaseMarker(e2eFleetTree(), "clusters/local", "v1.0.0");
  const repo = await h.step("fleet repository pushed, tag v1.0.0", async () => {
    const r = await git.createRepo("fleet");
    await r.commit(base, "fleet v1.0.0");
    await r.tag("v1.0.0");
    return r;
  });

  // The program: a copy of the project, stacks in a local file backend; Flux's own install.yaml.
  const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
  const stackFile = (stack: string) => path.join(project, `Pulumi.${stack}.yaml`);
  const setTag = (stack: string, tag: string) => {
    const doc = parse(fs.readFileSync(stackFile(stack), "utf8")) as {
      config: Record<string, { source: { ref: unknown } }>;
    };
    doc.config["platform:flux"].source.ref = { tag };
    fs.writeFileSync(stackFile(stack), stringify(doc));
  };

  await h.step(
    `stacks fleet-a (wave 1, tag v1.0.0) and fleet-b (wave 2, semver ${RANGE}) created, deploy keys set as secrets`,
    async () => {
      for (const p of platforms) {
        const config = {
          config: {
            "platform:name": p.stack,
            "platform:environment": "dev",
            "platform:owner": "platform-team",
            "platform:organization": "acme",
            "platform:cluster": { kind: "existing", kubeconfigPath: planes[p.stack].kubeconfig },
            "platform:fleet": { wave: p.wave, group: "e2e" },
            "platform:flux": {
              install: {
                mode: "manifests",
                components: CONTROLLERS,
                networkPolicy: false,
                requeueDependency: "5s",
                manifests: { file: installFile, skipAwait: true },
              },
              source: { url: git.url(repo.name), ref: p.ref, interval: p.interval },
              auth: { type: "ssh", knownHosts: git.knownHosts },
              sync: { path: "./clusters/local", interval: "1m", retryInterval: "20s" },
            },
          },
        };
        fs.writeFileSync(stackFile(p.stack), stringify(config));
        await pulumi.run(["stack", "init", p.stack]);
        await pulumi.run(
          ["config", "set", "--stack", p.stack, "--secret", "--path", "platform:flux.auth.privateKey"],
          { input: git.identity },
        );
      }
    },
  );

  /** `npm run fleet -- <args>` in the project copy; its exit code and the JSON report. */
  const fleet = async (args: string[], report: string) => {
    const json = path.join(h.workDir, `${report}.json`);
    const markdown = path.join(h.workDir, `${report}.md`);
    const html = path.join(h.workDir, `${report}.html`);
    const r = await runStatus(
      process.execPath,
      [
        "--import",
        "./scripts/ts-hooks.mjs",
        "cli/fleet.ts",
        ...args,
        "--json",
        json,
        "--markdown",
        markdown,
        "--html",
        html,
        "--logs",
        path.join(h.logDir, `fleet-${report}`),
      ],
      { cwd: project, env: { ...pulumi.env, CI: "true" }, timeoutMs: 15 * 60_000 },
    );
    fs.writeFileSync(path.join(h.logDir, `fleet-${report}.out`), r.stdout + r.stderr);
    const exitCode = r.code;
    if (!fs.existsSync(json))
      throw new Error(`fleet ${args[0]} exited ${exitCode} and wrote no report:\n${r.stderr.slice(-3000)}`);
    if (!fs.existsSync(html)) throw new Error(`fleet ${args[0]} wrote its JSON report but no page (--html)`);
    fs.copyFileSync(json, path.join(PAGES, `${report}.json`));
    fs.copyFileSync(html, path.join(PAGES, `${report}.html`));
    const parsed = JSON.parse(fs.readFileSync(json, "utf8")) as Report;
    if (parsed.exitCode !== exitCode)
      throw new Error(`fleet ${args[0]} exited ${exitCode} but its report says ${parsed.exitCode}`);
    return { report: parsed, markdown: fs.readFileSync(markdown, "utf8"), exitCode };
  };
  /** Both clusters hold the release marker of `version`: what their roots applied, read from the clusters. */
  const expectRelease = async (version: string) => {
    for (const p of platforms) {
      const cm = await planes[p.stack].kube.get("v1", "ConfigMap", "fleet-release", FLUX);
      const got = (cm as { data?: Record<string, string> } | undefined)?.data?.version;
      if (got !== version)
        throw new Error(
          `${p.stack}: ConfigMap flux-system/fleet-release has version ${got}, want ${version}`,
        );
    }
  };

  const t0 = Date.now();
  await h.step(
    "fleet up: wave 1 gated on its root Kustomization Ready at v1.0.0 before wave 2 starts",
    async () => {
      const { report, exitCode } = await fleet(["up", "--yes", "--gate-timeout", "5m"], "up-1");
      if (exitCode !== 0) throw new Error(`fleet up exited ${exitCode}: ${JSON.stringify(report.stacks)}`);
      for (const p of platforms) {
        const s = byStack(report, p.stack);
        if (s.result !== "succeeded" || s.flux?.ready !== "True" || !s.flux.revision?.startsWith("v1.0.0@"))
          throw new Error(`${p.stack} in the report: ${JSON.stringify(s)}`);
      }
      // In ms from the driver's report: wave 2 started strictly after wave 1's root was Ready on its
      // cluster (one clock, two servers), and after the gate saw it so.
      // fleet-a's Ready condition as the gate read it when it passed (the cluster's lastTransitionTime).
      const aReady = byStack(report, "fleet-a").flux?.since;
      const w1 = waveTimes(report, 1);
      const w2 = waveTimes(report, 2);
      if (!aReady) throw new Error("fleet-a's root Kustomization has no Ready=True condition");
      if (!(w2.started > Date.parse(aReady) && w2.started >= w1.finished && w1.finished > w1.gateStarted))
        throw new Error(
          `wave 2 started at ${new Date(w2.started).toISOString()}, not strictly after wave 1 was Ready (${aReady}) and its gate passed (${new Date(w1.finished).toISOString()})`,
        );
      await expectRelease("v1.0.0");
      h.figure(
        "wave 1: gate waited / wave 2 started after wave 1's gate passed",
        `${w1.finished - w1.gateStarted} ms / ${w2.started - w1.finished} ms`,
      );
    },
  );
  h.figure("fleet up, two waves", `${secondsSince(t0)}s`);

  await h.step(
    `a good release v1.1.0 through the gate: fleet-a by its tag, then fleet-b by its range ${RANGE}`,
    async () => {
      await repo.commit(withReleaseMarker(base, "clusters/local", "v1.1.0"), "fleet v1.1.0: a good release");
      await repo.tag("v1.1.0");
      setTag("fleet-a", "v1.1.0");
      const { report, exitCode } = await fleet(["up", "--yes", "--gate-timeout", "5m"], "up-good");
      if (exitCode !== 0)
        throw new Error(`fleet up of v1.1.0 exited ${exitCode}: ${JSON.stringify(report.stacks)}`);
      for (const p of platforms) {
        const s = byStack(report, p.stack);
        // fleet-b's range also holds v1.0.0: only a gate that waits for the source to report since the
        // up sees it move to v1.1.0, the highest tag in the range.
        if (s.result !== "succeeded" || s.flux?.ready !== "True" || !s.flux.revision?.startsWith("v1.1.0@"))
          throw new Error(`${p.stack} in the report of the v1.1.0 rollout: ${JSON.stringify(s)}`);
      }
      const w1 = waveTimes(report, 1);
      const w2 = waveTimes(report, 2);
      if (!(w2.started >= w1.finished && w1.finished > w1.gateStarted && w2.finished > w2.gateStarted))
        throw new Error(`wave times out of order: ${JSON.stringify(report.waves)}`);
      const bSource = await planes["fleet-b"].kube.get(SRC, "GitRepository", FLUX, FLUX);
      const bRef = (bSource?.spec as { ref?: Record<string, string> })?.ref;
      if (bRef?.semver !== RANGE) throw new Error(`fleet-b's source ref: ${JSON.stringify(bRef)}`);
      await expectRelease("v1.1.0");
      h.figure(
        "v1.1.0: wave 1 gate / wave 2 gate",
        `${w1.finished - w1.gateStarted} ms / ${w2.finished - w2.gateStarted} ms`,
      );
    },
  );

  await h.step(
    `a bad tag (v2.0.0: the root kustomization names a missing file) fails wave 1's gate well under its ${BAD_GATE_TIMEOUT.flag} timeout; wave 2 is not started`,
    async () => {
      const broken = withReleaseMarker(base, "clusters/local", "v2.0.0");
      broken["clusters/local/kustomization.yaml"] = broken["clusters/local/kustomization.yaml"].replace(
        "resources:\n",
        "resources:\n  - missing-layer.yaml\n",
      );
      await repo.commit(broken, "fleet v2.0.0: a layer that does not exist");
      await repo.tag("v2.0.0");
      // fleet-b's range stops below 2.0.0: its Flux does not take v2.0.0 on its own.
      setTag("fleet-a", "v2.0.0");
      const { report, markdown, exitCode } = await fleet(
        ["up", "--yes", "--gate-timeout", BAD_GATE_TIMEOUT.flag],
        "up-bad",
      );
      if (exitCode !== 1) throw new Error(`fleet up with a bad tag exited ${exitCode}, want 1`);
      const a = byStack(report, "fleet-a");
      const b = byStack(report, "fleet-b");
      const want =
        /^Flux gate: Kustomization failed at v2\.0\.0@sha1:[0-9a-f]{40}: [A-Za-z]+: .*missing-layer\.yaml/;
      const w1 = waveTimes(report, 1);
      const gateMs = w1.finished - w1.gateStarted;
      if (!(gateMs < BAD_GATE_BOUND_MS))
        throw new Error(
          `the bad tag failed the gate after ${gateMs} ms, not under ${BAD_GATE_BOUND_MS} ms (gate timeout ${BAD_GATE_TIMEOUT.ms} ms)`,
        );
      if (a.result !== "gate-failed" || !want.test(a.error ?? ""))
        throw new Error(`fleet-a in the report: ${JSON.stringify(a)} (want an error matching ${want})`);
      if (b.result !== "skipped") throw new Error(`fleet-b in the report: ${JSON.stringify(b)}`);
      if (!report.haltedBecause) throw new Error("the report does not say why the run halted");
      for (const want of ["fleet-a", "gate-failed", "fleet-b", "skipped"])
        if (!markdown.includes(want)) throw new Error(`the Markdown report lacks "${want}":\n${markdown}`);
      const bSource = await planes["fleet-b"].kube.get(SRC, "GitRepository", FLUX, FLUX);
      const bRef = (bSource?.spec as { ref?: Record<string, string> })?.ref;
      const bRevision = (bSource?.status as { artifact?: { revision?: string } })?.artifact?.revision;
      if (bRef?.semver !== RANGE || !bRevision?.startsWith("v1.1.0@"))
        throw new Error(`fleet-b's source moved: ref ${JSON.stringify(bRef)}, artifact ${bRevision}`);
      h.figure("bad tag: gate failed after", `${gateMs} ms (timeout ${BAD_GATE_TIMEOUT.ms} ms)`);
      h.figure("halted because", report.haltedBecause);
    },
  );

  await h.step("fleet status shows each platform's revision and readiness", async () => {
    // A root reconciles every minute, and every 20 s while it fails; during a reconcile its Ready is
    // Unknown (Progressing). status reads a moment: read again, a few seconds later, while fleet-b
    // is mid-reconcile, at most 4 times.
    let run = await fleet(["status"], "status");
    for (let i = 1; i < 4 && byStack(run.report, "fleet-b").flux?.reason === "Progressing"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      run = await fleet(["status"], "status");
    }
    const { report, markdown, exitCode } = run;
    if (exitCode !== 1) throw new Error(`fleet status with fleet-a not Ready exited ${exitCode}, want 1`);
    const a = byStack(report, "fleet-a");
    const b = byStack(report, "fleet-b");
    // fleet-a's root retries every 20 s: Ready is False, or Unknown while a retry runs; either way
    // the failing root names the missing file.
    if (a.flux?.ready === "True" || !JSON.stringify(a.flux).includes("missing-layer.yaml"))
      throw new Error(`fleet-a status: ${JSON.stringify(a)}`);
    if (b.flux?.ready !== "True" || !b.flux.revision?.startsWith("v1.1.0@"))
      throw new Error(`fleet-b status: ${JSON.stringify(b)}`);
    h.figure(
      "status (Markdown)",
      markdown
        .split("\n")
        .filter((l) => l.startsWith("|"))
        .join(" / "),
    );
  });
  h.figure("reports and pages kept for the browser test", path.relative(process.cwd(), PAGES));
});
