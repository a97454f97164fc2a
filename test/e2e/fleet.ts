// The fleet gate against real Flux: two platforms, each on its own control plane with its own Flux
// controllers (run by a process kubelet from the Deployments the program installs), driven by
// `npm run fleet -- up` in two waves through the Automation API and the real Pulumi engine.
//
//   npx tsx test/e2e/fleet.ts
//
// Each run's JSON report and fleet page (--html) are kept in artifacts/e2e-fleet/ as <run>.json and
// <run>.html, for the browser test: npm run test:fleet-page -- --pairs artifacts/e2e-fleet
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { startControlPlane, type ControlPlane } from "./harness/controlPlane";
import { e2eFleetTree, e2eProject } from "./harness/fleet";
import { startGitServer } from "./harness/gitServer";
import { conditions, type KubeObject } from "./harness/kube";
import { startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { runStatus, secondsSince } from "./harness/util";

const FLUX = "flux-system";
const SRC = "source.toolkit.fluxcd.io/v1";
const KS = "kustomize.toolkit.fluxcd.io/v1";
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller"];
/** Where each fleet run's report and page are kept (git-ignored), for the browser test. */
const PAGES = path.join(__dirname, "..", "..", "artifacts", "e2e-fleet");

interface StackReport {
  stack: string;
  wave: number;
  result: string;
  error?: string;
  flux?: { revision?: string; ready: string; reason?: string; message?: string };
}
interface Report {
  kind: string;
  exitCode: number;
  haltedBecause?: string;
  stacks: StackReport[];
}

const readyTime = (o: KubeObject | undefined) =>
  o ? conditions(o).find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime : undefined;

void runHarness("e2e-fleet", { deadlineMs: 30 * 60_000 }, async (h) => {
  fs.rmSync(PAGES, { recursive: true, force: true });
  fs.mkdirSync(PAGES, { recursive: true });
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());

  const platforms = [
    { stack: "fleet-a", wave: 1, prefix: "a-" },
    { stack: "fleet-b", wave: 2, prefix: "b-" },
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
  const base = e2eFleetTree();
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
    "stacks fleet-a (wave 1) and fleet-b (wave 2) created, deploy keys set as secrets",
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
              source: { url: git.url(repo.name), ref: { tag: "v1.0.0" }, interval: "1m" },
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
  const byStack = (r: Report, stack: string) => {
    const s = r.stacks.find((x) => x.stack === stack);
    if (!s) throw new Error(`the report has no stack ${stack}: ${JSON.stringify(r.stacks)}`);
    return s;
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
      // Wave 2's first object was created after wave 1's root became Ready (one clock, two servers).
      const aReady = readyTime(await planes["fleet-a"].kube.get(KS, "Kustomization", FLUX, FLUX));
      const bNs = await planes["fleet-b"].kube.get("v1", "Namespace", FLUX);
      const bCreated = bNs?.metadata.creationTimestamp as string | undefined;
      if (!aReady || !bCreated || Date.parse(bCreated) < Date.parse(aReady))
        throw new Error(
          `wave 2 began (namespace flux-system created ${bCreated}) before wave 1 was Ready (${aReady})`,
        );
      h.figure("wave 1 Ready / wave 2 begun", `${aReady} / ${bCreated}`);
    },
  );
  h.figure("fleet up, two waves", `${secondsSince(t0)}s`);

  await h.step(
    "a bad tag (v1.1.0: the root kustomization names a missing file) fails the gate in wave 1; wave 2 is not started",
    async () => {
      const broken = { ...base };
      broken["clusters/local/kustomization.yaml"] = broken["clusters/local/kustomization.yaml"].replace(
        "resources:\n",
        "resources:\n  - missing-layer.yaml\n",
      );
      await repo.commit(broken, "fleet v1.1.0: a layer that does not exist");
      await repo.tag("v1.1.0");
      for (const p of platforms) setTag(p.stack, "v1.1.0");
      const { report, markdown, exitCode } = await fleet(["up", "--yes", "--gate-timeout", "5m"], "up-bad");
      if (exitCode !== 1) throw new Error(`fleet up with a bad tag exited ${exitCode}, want 1`);
      const a = byStack(report, "fleet-a");
      const b = byStack(report, "fleet-b");
      if (a.result !== "gate-failed" || !/missing-layer/.test(`${a.error} ${a.flux?.message}`))
        throw new Error(`fleet-a in the report: ${JSON.stringify(a)}`);
      if (b.result !== "skipped") throw new Error(`fleet-b in the report: ${JSON.stringify(b)}`);
      if (!report.haltedBecause) throw new Error("the report does not say why the run halted");
      for (const want of ["fleet-a", "gate-failed", "fleet-b", "skipped"])
        if (!markdown.includes(want)) throw new Error(`the Markdown report lacks "${want}":\n${markdown}`);
      const bSource = await planes["fleet-b"].kube.get(SRC, "GitRepository", FLUX, FLUX);
      const bRef = (bSource?.spec as { ref?: Record<string, string> })?.ref;
      if (bRef?.tag !== "v1.0.0") throw new Error(`fleet-b's source moved: ref ${JSON.stringify(bRef)}`);
      h.figure("halted because", report.haltedBecause);
    },
  );

  await h.step("fleet status shows each platform's revision and readiness", async () => {
    const { report, markdown, exitCode } = await fleet(["status"], "status");
    if (exitCode !== 1) throw new Error(`fleet status with fleet-a not Ready exited ${exitCode}, want 1`);
    const a = byStack(report, "fleet-a");
    const b = byStack(report, "fleet-b");
    if (a.flux?.ready !== "False") throw new Error(`fleet-a status: ${JSON.stringify(a)}`);
    if (b.flux?.ready !== "True" || !b.flux.revision?.startsWith("v1.0.0@"))
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
