// A Flux upgrade across the fleet on real controllers (docs/lifetime.md, "Upgrade Flux across the
// fleet"): two platforms installed by the program at the previous Flux release (versions.json
// "previous", each controller its own binary), their trees reconciled (slices, the HelmRelease, a
// SOPS Secret); then a broken install for the new release stops at wave 1 (wave 2 untouched) and
// is rolled back; then `flux.version` moves to the pinned release in both stack files and
// `npm run fleet -- up` rolls it out in two waves, wave 1's cluster first made to hold
// GitRepositories at a version the pinned release drops (a stand-in: see storedAtDroppedVersion).
// Checked: every Flux CRD written before any controller Deployment (audit log), the program's
// stored-version migration before the CRD (audit log, etcd), stored versions all served, no Flux
// object or workload deleted or re-created (UIDs), the Helm release not upgraded, wave 2 started
// only after wave 1's controllers ran the new binaries and its root was Ready.
//
//   npm run test:e2e:upgrade                                 # the upgrade, which must pass
//   npm run test:e2e:upgrade -- --break controller-first     # wave 1's source-controller moved to the
//                                                            # new image before the up: fails the CRD order
//   npm run test:e2e:upgrade -- --break no-migrate           # the program's migration made to do nothing:
//                                                            # the API server refuses the new GitRepository
//                                                            # CRD, the upgrade fails at wave 1
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { readAudit } from "./harness/audit";
import { startControlPlane, type ControlPlane } from "./harness/controlPlane";
import { byStack, e2eFleetTree, e2eProject, waveTimes, type FleetReport } from "./harness/fleet";
import { startGitServer } from "./harness/gitServer";
import { startKubelet, type Kubelet } from "./harness/kubelet";
import { fluxImages, previousFluxImages } from "./harness/podSpec";
import { runHarness } from "./harness/run";
import { sopsSecret } from "./harness/sops";
import { REPO_ROOT, ensureTools } from "./harness/tools";
import {
  brokenInstall,
  crdOrderProblems,
  labelledInstall,
  migrationCrdLists,
  migrationProblems,
  migrationWrites,
  storedVersionProblems,
  uidChanges,
  uidsOf,
  upgradeWrites,
  type Uids,
} from "./harness/upgrade";
import { controllerFirst, fleetUpIn, helmState, survivors, treeReconciled } from "./harness/upgradeCluster";
import { etcdStored, storedAtDroppedVersion, withoutMigration } from "./harness/upgradeMigration";
import { run } from "./harness/util";
import { FLUX } from "./harness/fluxNames";

const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller"];
/** The CRD the broken install makes unacceptable (no storage version), and the one whose objects are migrated. */
const BROKEN_CRD = "gitrepositories.source.toolkit.fluxcd.io";
const GIT_CRD = {
  crd: BROKEN_CRD,
  group: "source.toolkit.fluxcd.io",
  plural: "gitrepositories",
  kind: "GitRepository",
};
/** The version wave 1's GitRepositories are stored at before the upgrade, which the pinned release's CRD does not list. */
const DROPPED = "v1beta2";

const breakArg = process.argv.indexOf("--break");
const BREAK = breakArg > 0 ? process.argv[breakArg + 1] : undefined;
if (BREAK !== undefined && !["controller-first", "no-migrate"].includes(BREAK)) {
  console.error(`--break ${BREAK}: give controller-first or no-migrate`);
  process.exit(2);
}

const versions = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, "components/flux/versions.json"), "utf8"),
) as {
  flux: string;
  previous: { flux: string };
};
const OLD = versions.previous.flux;
const NEW = versions.flux;

void runHarness("e2e-upgrade", { deadlineMs: 45 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
  const alive = () => h.sup.assertAlive();
  const platforms = [
    { stack: "up-a", wave: 1, prefix: "a-" },
    { stack: "up-b", wave: 2, prefix: "b-" },
  ];
  const planes: Record<string, ControlPlane> = {};
  const kubelets: Record<string, Kubelet> = {};
  await h.step("two control planes up (one per platform)", async () => {
    for (const p of platforms)
      planes[p.stack] = await startControlPlane(h.sup, tools, path.join(h.workDir, p.stack), {
        crds: false,
        prefix: p.prefix,
      });
  });
  for (const p of platforms) h.onCleanup(async () => planes[p.stack].kube.close());
  for (const p of platforms) {
    kubelets[p.stack] = startKubelet({
      sup: h.sup,
      tools,
      kube: planes[p.stack].kube,
      kubeconfigFor: (sa) => planes[p.stack].serviceAccountKubeconfig(FLUX, sa),
      workDir: h.workDir,
      prefix: p.prefix,
      previousImages: previousFluxImages(),
    });
    h.onCleanup(() => kubelets[p.stack].stop());
  }

  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  const sopsValue = `upgrade-proof-${Date.now().toString(36)}`;
  const age = await h.step("age key generated; the fleet tree v1.0.0 with a SOPS Secret pushed", async () => {
    const file = path.join(h.workDir, "age.agekey");
    await run(tools.path("age-keygen"), ["-o", file]);
    const text = fs.readFileSync(file, "utf8");
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(text)?.[1];
    if (!recipient) throw new Error(`age-keygen wrote no public key to ${file}`);
    const tree = e2eFleetTree();
    tree["clusters/local/sops-secret.yaml"] = await sopsSecret(tools.path("sops"), recipient, h.workDir, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "e2e-sops", namespace: FLUX },
      stringData: { greeting: sopsValue },
    });
    const k = "clusters/local/kustomization.yaml";
    tree[k] = tree[k].replace("resources:\n", "resources:\n  - sops-secret.yaml\n");
    const repo = await git.createRepo("fleet");
    await repo.commit(tree, "fleet v1.0.0");
    await repo.tag("v1.0.0");
    return { text, repo };
  });

  // The program: a copy of the project; both releases' install files, labelled as the release assets are.
  const { project, pulumi } = e2eProject(tools, h.workDir, h.logDir);
  const files = {
    old: `flux-install-${OLD}.yaml`,
    new: `flux-install-${NEW}.yaml`,
    broken: "flux-install-broken.yaml",
  };
  const newInstall = labelledInstall(fs.readFileSync(tools.fluxInstall, "utf8"), NEW);
  fs.writeFileSync(
    path.join(project, files.old),
    labelledInstall(fs.readFileSync(path.join(tools.dir, `flux-install-v${OLD}.yaml`), "utf8"), OLD),
  );
  fs.writeFileSync(path.join(project, files.new), newInstall);
  fs.writeFileSync(path.join(project, files.broken), brokenInstall(newInstall, BROKEN_CRD));
  const stackFile = (stack: string) => path.join(project, `Pulumi.${stack}.yaml`);
  /** Sets flux.version and the install file in a stack file, as a user edits it. */
  const setFlux = (stack: string, version: string, file: string) => {
    const doc = parse(fs.readFileSync(stackFile(stack), "utf8")) as {
      config: Record<string, { version: string; install: { manifests: { file: string } } }>;
    };
    doc.config["platform:flux"].version = version;
    doc.config["platform:flux"].install.manifests.file = file;
    fs.writeFileSync(stackFile(stack), stringify(doc));
  };

  await h.step(
    `stacks up-a (wave 1) and up-b (wave 2) at Flux ${OLD}, deploy key and age key set`,
    async () => {
      for (const p of platforms) {
        fs.writeFileSync(
          stackFile(p.stack),
          stringify({
            config: {
              "platform:name": p.stack,
              "platform:environment": "dev",
              "platform:owner": "platform-team",
              "platform:organization": "acme",
              "platform:cluster": { kind: "existing", kubeconfigPath: planes[p.stack].kubeconfig },
              "platform:fleet": { wave: p.wave, group: "e2e" },
              "platform:flux": {
                version: OLD,
                install: {
                  mode: "manifests",
                  components: CONTROLLERS,
                  networkPolicy: false,
                  requeueDependency: "5s",
                  // Pulumi waits for each controller Deployment to roll out (the kubelet reports its pod).
                  manifests: { file: files.old },
                },
                source: { url: git.url(age.repo.name), ref: { tag: "v1.0.0" }, interval: "1m" },
                auth: { type: "ssh", knownHosts: git.knownHosts },
                sync: { path: "./clusters/local", interval: "1m", retryInterval: "20s" },
                sops: {},
              },
            },
          }),
        );
        await pulumi.run(["stack", "init", p.stack]);
        await pulumi.run(
          ["config", "set", "--stack", p.stack, "--secret", "--path", "platform:flux.auth.privateKey"],
          {
            input: git.identity,
          },
        );
        await pulumi.run(
          ["config", "set", "--stack", p.stack, "--secret", "--path", "platform:flux.sops.ageKey"],
          {
            input: age.text,
          },
        );
      }
    },
  );

  /** `npm run fleet -- up --yes` in the project copy: its exit code and JSON report. */
  const fleetUp = (report: string, more: string[] = []) =>
    fleetUpIn({ project, env: pulumi.env, workDir: h.workDir, logDir: h.logDir }, report, more);
  const succeeded = (report: FleetReport, exitCode: number, what: string) => {
    if (exitCode !== 0)
      throw new Error(`${what}: fleet up exited ${exitCode}: ${JSON.stringify(report.stacks)}`);
    for (const p of platforms) {
      const s = byStack(report, p.stack);
      if (s.result !== "succeeded" || s.flux?.ready !== "True")
        throw new Error(`${what}: ${p.stack} in the report: ${JSON.stringify(s)}`);
    }
  };
  /** The images of every controller Deployment, and the binaries the kubelet runs them with. */
  const controllersAt = async (
    stack: string,
    images: Record<string, string>,
    tool: (c: string) => string,
  ) => {
    for (const c of CONTROLLERS) {
      const d = await planes[stack].kube.get("apps/v1", "Deployment", c, FLUX);
      const image = (d?.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[0].image;
      if (image !== images[c]) throw new Error(`${stack}: Deployment ${c} runs ${image}, want ${images[c]}`);
    }
    await kubelets[stack].ready(CONTROLLERS, 180_000);
    const running = kubelets[stack].tools();
    for (const c of CONTROLLERS)
      if (running[c] !== tool(c))
        throw new Error(`${stack}: the kubelet runs ${c} as ${running[c]}, want ${tool(c)}`);
  };
  const oldTool = (c: string) => `${c}@${previousFluxImages()[c].split(":").pop()}`;
  const newTool = (c: string) => c;

  /** The tree reconciled on one cluster: every Kustomization and the HelmRelease Ready, the SOPS Secret decrypted. */
  const reconciled = (stack: string) =>
    treeReconciled(planes[stack].kube, { what: stack, sopsValue, check: alive });

  await h.step(`fleet up installs Flux ${OLD} in two waves; both trees reconciled`, async () => {
    const { report, exitCode } = await fleetUp("install");
    succeeded(report, exitCode, `the install at ${OLD}`);
    for (const p of platforms) {
      await controllersAt(p.stack, previousFluxImages(), oldTool);
      const r = await reconciled(p.stack);
      h.figure(`${p.stack}: Kustomizations Ready at ${OLD}`, r.kustomizations.join(", "));
    }
  });

  const before: Record<string, { uids: Uids; helm: Awaited<ReturnType<typeof helmState>> }> = {};
  await h.step(
    "recorded: UIDs of every Flux object, controller and tree object; the Helm release",
    async () => {
      for (const p of platforms) {
        const kube = planes[p.stack].kube;
        before[p.stack] = { uids: await survivors(kube), helm: await helmState(kube) };
        if (before[p.stack].helm.history.length !== 1 || before[p.stack].helm.secrets.length !== 1)
          throw new Error(
            `${p.stack}: Helm release ${JSON.stringify(before[p.stack].helm)}, want one release`,
          );
        // What must be among them, so a listing that missed a kind cannot pass the comparison.
        const want = [
          "Kustomization flux-system/slice-1-def922",
          "Slice slices/slice-1-def922",
          "HelmRelease flux-system/upf",
          "Deployment network-functions/upf",
          "Deployment flux-system/source-controller",
          "Secret flux-system/e2e-sops",
          "GitRepository flux-system/flux-system",
          "CustomResourceDefinition /kustomizations.kustomize.toolkit.fluxcd.io",
        ];
        const missing = want.filter((k) => !(k in before[p.stack].uids));
        if (missing.length) throw new Error(`${p.stack}: not recorded: ${missing.join(", ")}`);
      }
      h.figure("objects whose UIDs are kept (per platform)", Object.keys(before["up-a"].uids).length);
    },
  );

  await h.step(
    `a broken install for ${NEW} (CRD ${BROKEN_CRD} with no storage version) stops at wave 1; wave 2 untouched at ${OLD} and Ready`,
    async () => {
      for (const p of platforms) setFlux(p.stack, NEW, files.broken);
      const { report, exitCode } = await fleetUp("broken");
      const a = byStack(report, "up-a");
      const b = byStack(report, "up-b");
      if (exitCode !== 1 || a.result !== "failed" || b.result !== "skipped")
        throw new Error(
          `the broken install: exit ${exitCode}, up-a ${JSON.stringify(a)}, up-b ${JSON.stringify(b)}`,
        );
      // The report keeps the end of the up's output; the API server's refusal is in the stack's log.
      const log = fs.readFileSync(path.join(h.logDir, "fleet-broken", "up-a.log"), "utf8");
      const refusal =
        /is invalid: spec\.versions: .*must have exactly one version marked as storage version/.exec(log);
      if (!refusal) throw new Error(`up-a's log does not show the API server refusing ${BROKEN_CRD}`);
      await controllersAt("up-a", previousFluxImages(), oldTool);
      await controllersAt("up-b", previousFluxImages(), oldTool);
      await reconciled("up-b");
      h.figure("broken install: the API server said", refusal[0].replace(/\[.*\]/, "[…]"));
    },
  );
  await h.step(
    `rolled back as docs/lifetime.md says: flux.version ${OLD} and its install file again; fleet up --wave 1; both Ready`,
    async () => {
      for (const p of platforms) setFlux(p.stack, OLD, files.old);
      const { report, exitCode } = await fleetUp("rollback", ["--wave", "1"]);
      const a = byStack(report, "up-a");
      if (exitCode !== 0 || a.result !== "succeeded" || a.flux?.ready !== "True")
        throw new Error(`the rollback: exit ${exitCode}, up-a ${JSON.stringify(a)}`);
      for (const p of platforms) {
        await controllersAt(p.stack, previousFluxImages(), oldTool);
        await reconciled(p.stack);
      }
    },
  );

  const probes = ["stored-v1beta2-a", "stored-v1beta2-b"].map((name) => ({
    apiVersion: "",
    kind: GIT_CRD.kind,
    metadata: { name, namespace: FLUX, finalizers: ["finalizers.fluxcd.io"] },
    spec: { url: git.url(age.repo.name), interval: "60m", ref: { tag: "v1.0.0" }, suspend: true },
  }));
  const probeUids = await h.step(
    `up-a holds its GitRepositories at ${DROPPED}, a version the pinned release's CRD drops (stand-in for an older release; etcd read)`,
    async () => {
      const kube = planes["up-a"].kube;
      const stored = await storedAtDroppedVersion(
        kube,
        planes["up-a"].etcdUrl,
        { ...GIT_CRD, version: DROPPED, probes },
        alive,
      );
      h.figure(
        `up-a: GitRepositories etcd holds at ${GIT_CRD.group}/${DROPPED}`,
        Object.keys(stored).join(", "),
      );
      const listed = (await kube.list(`${GIT_CRD.group}/v1`, GIT_CRD.kind)).filter((o) =>
        probes.some((p) => p.metadata.name === o.metadata.name),
      );
      return uidsOf(listed.map((o) => ({ ...o, kind: GIT_CRD.kind })));
    },
  );
  if (BREAK === "no-migrate")
    await h.step(
      "--break no-migrate: the project copy's stored-version migration made to do nothing",
      async () => withoutMigration(project),
    );

  // The upgrade's window in the audit log and the kubelet's events (a --break step belongs to it).
  const heldAtDropped = await etcdStored(planes["up-a"].etcdUrl, GIT_CRD.group, GIT_CRD.plural);
  const upgradeStarted = Date.now();
  if (BREAK === "controller-first")
    await h.step(
      "--break controller-first: up-a's source-controller moved to the new image before the up",
      () => controllerFirst(planes["up-a"].kube, "source-controller", fluxImages()["source-controller"]),
    );

  const { report } = await h.step(
    `flux.version ${OLD} → ${NEW} in both stack files; fleet up in two waves`,
    async () => {
      for (const p of platforms) setFlux(p.stack, NEW, files.new);
      const r = await fleetUp("upgrade");
      if (r.exitCode !== 0) {
        const log = fs.readFileSync(path.join(h.logDir, "fleet-upgrade", "up-a.log"), "utf8");
        const refusal = /[^\n"]*must remain in spec\.versions until a storage migration[^\n"]*/.exec(log);
        if (refusal) throw new Error(`the upgrade failed at wave 1: the API server refused: ${refusal[0]}`);
      }
      succeeded(r.report, r.exitCode, `the upgrade to ${NEW}`);
      return r;
    },
  );

  await h.step(
    "CRDs upgraded before controllers: every Flux CRD written before any controller Deployment",
    async () => {
      const crdNames = (await planes["up-a"].kube.list("apiextensions.k8s.io/v1", "CustomResourceDefinition"))
        .map((c) => c.metadata.name)
        .filter((n) => n.endsWith(".fluxcd.io"));
      for (const p of platforms) {
        const writes = upgradeWrites(readAudit(planes[p.stack].auditLog), upgradeStarted, FLUX);
        const problems = crdOrderProblems(writes, crdNames, CONTROLLERS);
        if (problems.length) throw new Error(`${p.stack}:\n  ${problems.join("\n  ")}`);
        const lastCrd = Math.max(...Object.values(writes.crds).flat());
        const firstDeployment = Math.min(...Object.values(writes.deployments).flat());
        h.figure(
          `${p.stack}: last CRD write → first controller Deployment write`,
          `${firstDeployment - lastCrd} ms`,
        );
      }
    },
  );
  await h.step(
    "stored versions: every Flux CRD's status.storedVersions lists only versions it serves",
    async () => {
      for (const p of platforms) {
        const crds = (
          await planes[p.stack].kube.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        ).filter((c) => c.metadata.name.endsWith(".fluxcd.io"));
        const problems = storedVersionProblems(crds);
        if (problems.length) throw new Error(`${p.stack}:\n  ${problems.join("\n  ")}`);
      }
    },
  );
  await h.step(
    `stored versions migrated on up-a (each GitRepository written back, then the CRD's storedVersions) before the program wrote CRD ${BROKEN_CRD}; etcd holds them at v1; UIDs kept; up-b: nothing written`,
    async () => {
      const a = planes["up-a"];
      const listed = await a.kube.list(`${GIT_CRD.group}/v1`, GIT_CRD.kind);
      const names = listed.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
      const m = migrationProblems(readAudit(a.auditLog), upgradeStarted, BROKEN_CRD, GIT_CRD.plural, names);
      const problems = [...m.problems];
      const atDropped = Object.entries(heldAtDropped)
        .filter(([, v]) => v === `${GIT_CRD.group}/${DROPPED}`)
        .map(([k]) => k);
      for (const p of probes)
        if (!atDropped.includes(`${FLUX}/${p.metadata.name}`))
          problems.push(
            `etcd did not hold ${FLUX}/${p.metadata.name} at ${DROPPED} when the upgrade started`,
          );
      const stored = await etcdStored(a.etcdUrl, GIT_CRD.group, GIT_CRD.plural);
      for (const [k, v] of Object.entries(stored))
        if (v !== `${GIT_CRD.group}/v1`) problems.push(`etcd holds GitRepository ${k} at ${v}, want v1`);
      const crd = await a.kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", BROKEN_CRD);
      const storedVersions = (crd?.status as { storedVersions?: string[] }).storedVersions;
      if (JSON.stringify(storedVersions) !== '["v1"]')
        problems.push(`CRD ${BROKEN_CRD}: storedVersions ${JSON.stringify(storedVersions)}, want ["v1"]`);
      const uids = uidsOf(
        listed
          .filter((o) => probes.some((p) => p.metadata.name === o.metadata.name))
          .map((o) => ({ ...o, kind: GIT_CRD.kind })),
      );
      problems.push(...uidChanges(probeUids, uids));
      const line = `Flux stored versions: migrated ${m.written.length} GitRepositories; storedVersions of ${BROKEN_CRD} set to [v1]`;
      const upLog = fs.readFileSync(path.join(h.logDir, "fleet-upgrade", "up-a.log"), "utf8");
      if (!upLog.includes(line)) problems.push(`up-a's up output does not say "${line}"`);
      const b = readAudit(planes["up-b"].auditLog);
      const bWrites = migrationWrites(b, upgradeStarted);
      if (bWrites.length) problems.push(`up-b: the migration wrote ${bWrites.join(", ")}; nothing needed it`);
      if (migrationCrdLists(b, upgradeStarted) < 1)
        problems.push("up-b: the migration did not list the CRDs");
      if (problems.length) throw new Error(problems.join("\n  "));
      h.figure(`up-a: GitRepositories held at ${DROPPED} when the upgrade started`, atDropped.join(", "));
      h.figure("up-a: GitRepositories the migration wrote back", m.written.join(", "));
      h.figure(
        "up-a: the migration's last write → the program's first write of the CRD",
        `${(m.crdWrittenAt ?? 0) - (m.lastMigrationWrite ?? 0)} ms`,
      );
      h.figure("up-a: the up's output", line);
      h.figure("up-b: the migration's CRD lists / writes", `${migrationCrdLists(b, upgradeStarted)} / 0`);
    },
  );
  await h.step(
    "the trees reconciled at the new release; no Flux object, controller or workload re-created",
    async () => {
      for (const p of platforms) {
        await controllersAt(p.stack, fluxImages(), newTool);
        await reconciled(p.stack);
        const changed = uidChanges(before[p.stack].uids, await survivors(planes[p.stack].kube));
        if (changed.length) throw new Error(`${p.stack}:\n  ${changed.slice(0, 20).join("\n  ")}`);
      }
    },
  );
  await h.step(
    "the Helm release not upgraded by the controller change (history and release Secrets unchanged)",
    async () => {
      for (const p of platforms) {
        const now = await helmState(planes[p.stack].kube);
        if (JSON.stringify(now) !== JSON.stringify(before[p.stack].helm))
          throw new Error(
            `${p.stack}: Helm release ${JSON.stringify(before[p.stack].helm)} → ${JSON.stringify(now)}`,
          );
      }
    },
  );
  await h.step(
    "wave 2 started only after wave 1's controllers ran the new binaries and its root was Ready (driver's report, ms)",
    async () => {
      const w1 = waveTimes(report, 1);
      const w2 = waveTimes(report, 2);
      const aReady = Date.parse(byStack(report, "up-a").flux?.since ?? "");
      const started = kubelets["up-a"].events.filter(
        (e) => e.at >= upgradeStarted && e.what !== "stopped" && CONTROLLERS.includes(e.controller),
      );
      const problems: string[] = [];
      for (const c of CONTROLLERS) {
        const last = started.filter((e) => e.controller === c).pop();
        if (last?.tool !== c || !(last.at < w2.started))
          problems.push(
            `up-a's ${c}: last start ${JSON.stringify(last)}, wave 2 started ${new Date(w2.started).toISOString()}`,
          );
      }
      if (!(aReady < w2.started && w1.finished <= w2.started))
        problems.push(
          `wave 2 started at ${new Date(w2.started).toISOString()}, up-a Ready since ${new Date(aReady).toISOString()}, wave 1 finished ${new Date(w1.finished).toISOString()}`,
        );
      if (problems.length) throw new Error(problems.join("\n  "));
      const lastNew = Math.max(
        ...started.filter((e) => e.tool && CONTROLLERS.includes(e.tool)).map((e) => e.at),
      );
      h.figure("wave 1 (startedAt → finishedAt, the gate passed)", `${w1.finished - w1.started} ms`);
      h.figure("wave 2 (startedAt → finishedAt, the gate passed)", `${w2.finished - w2.started} ms`);
      h.figure("up-a's last new controller started → wave 2 startedAt", `${w2.started - lastNew} ms`);
    },
  );
});
