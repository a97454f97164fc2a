// Smoke test of the end-to-end harness (no Pulumi): control plane up, Flux CRDs Established, Flux's
// install.yaml applied (RBAC, ServiceAccounts, the source- and kustomize-controller Deployments),
// the process kubelet running both controllers as their ServiceAccounts, a hand-written
// GitRepository (ssh:// to the local sshd, Secret with identity + known_hosts) and Kustomization
// pointing at a tiny repository become Ready and apply a ConfigMap; a controller deleted before its
// objects leaves their finalizer in place (so a wrong destroy order fails a scenario); namespace
// deletion works (kube-controller-manager); notification-controller, run by the kubelet as its
// ServiceAccount, receives the others' events and posts a Kustomization's reconcile results as
// commit statuses (github Provider) to a fake forge over TLS, and its failures to a webhook
// (generic Provider). Prints figures.
//
//   npx tsx test/e2e/smoke.ts
import { startControlPlane } from "./harness/controlPlane";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { checkIdentities, readAudit, watchForbidden } from "./harness/audit";
import { startForge, type CommitStatus } from "./harness/forge";
import { startGitServer } from "./harness/gitServer";
import { conditions, type KubeObject } from "./harness/kube";
import { controllerOf, NOTIFICATION_CONTROLLER, startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { withHarnessTrustedCAs } from "./harness/stack";
import { ensureTools } from "./harness/tools";
import { secondsSince, waitFor } from "./harness/util";

const NS = "flux-system";

/** The smoke's Kustomization, applying folder `dir` of the tiny repository. */
const smokeKustomization = (dir: string): KubeObject => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "smoke", namespace: NS },
  spec: {
    interval: "1m",
    prune: true,
    path: dir,
    sourceRef: { kind: "GitRepository", name: "smoke" },
    postBuild: { substitute: { PLATFORM: "smoke" } },
  },
});

const secret = (name: string, stringData: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: NS },
  type: "Opaque",
  stringData,
});

void runHarness("e2e-smoke", { deadlineMs: 15 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () =>
    ensureTools([
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "source-controller",
      "kustomize-controller",
      "notification-controller",
    ]),
  );
  h.figure("build-tools run (this time)", `${tools.ensureSeconds}s`);
  for (const f of tools.figures) {
    h.figure(
      `tool ${f.tool}`,
      f.state === "cold" ? `built cold in ${f.seconds}s` : `cached (cold build ${f.seconds}s)`,
    );
  }

  const cp = await h.step("control plane up (etcd, kube-apiserver, kube-controller-manager, Flux CRDs)", () =>
    startControlPlane(h.sup, tools, h.workDir),
  );
  h.figure("control plane start", `${cp.figures.total}s`);
  h.figure("  etcd healthy", `${cp.figures.etcd}s`);
  h.figure("  kube-apiserver ready", `${cp.figures.apiserver}s`);
  h.figure("  kube-controller-manager working", `${cp.figures.controllerManager}s`);
  h.figure("  Flux CRDs Established", `${cp.figures.crds}s`);
  const kube = cp.kube;
  h.onCleanup(async () => kube.close());
  // No request may be refused: a 403 fails the step it happens in (the identity steps say more).
  const stopWatching = watchForbidden(cp.auditLog, h.sup);
  h.onCleanup(async () => stopWatching());

  const git = await h.step("git server (sshd on loopback, deploy key, known_hosts)", () =>
    startGitServer(h.sup, h.workDir),
  );
  let commitSha = "";
  const repo = await h.step("tiny repository pushed over SSH, tagged v0.1.0", async () => {
    const r = await git.createRepo("smoke");
    commitSha = await r.commit(
      {
        "deploy/configmap.yaml": [
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: smoke",
          "  namespace: default",
          "data:",
          "  greeting: hello from git",
          "  platform: ${PLATFORM:=unset}",
          "",
        ].join("\n"),
      },
      "smoke: a ConfigMap",
    );
    await r.tag("v0.1.0");
    return r;
  });

  // Flux's install.yaml less the Deployments of controllers this smoke does not build.
  const RUN = ["source-controller", "kustomize-controller"];
  const flux = parseAllDocuments(fs.readFileSync(tools.fluxInstall, "utf8"))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => Boolean(o) && o?.kind !== "CustomResourceDefinition");
  const install = withHarnessTrustedCAs(flux, cp.pki.caCert).filter(
    (o) => o.kind !== "Deployment" || RUN.includes(controllerOf(o)?.binary ?? ""),
  );
  /** The ServiceAccounts the kubelet ran controllers as (their tokens' kubeconfigs). */
  const identities = new Set<string>();
  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => {
      identities.add(sa);
      return cp.serviceAccountKubeconfig(NS, sa);
    },
    workDir: h.workDir,
  });
  h.onCleanup(() => kubelet.stop());
  const tf = Date.now();
  await h.step(
    "Flux's install.yaml applied; the kubelet runs both controllers as their ServiceAccounts",
    async () => {
      for (const o of install) await kube.apply(o);
      await kubelet.ready(RUN);
    },
  );
  h.figure("Flux controllers ready", `${secondsSince(tf)}s`);

  const applied = Date.now();
  await h.step("namespace, deploy-key Secret, GitRepository and Kustomization applied", async () => {
    const objects: KubeObject[] = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
      secret("smoke-auth", {
        identity: git.identity,
        "identity.pub": git.identityPub,
        known_hosts: git.knownHosts,
      }),
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "smoke", namespace: NS },
        spec: {
          url: git.url(repo.name),
          interval: "1m",
          ref: { tag: "v0.1.0" },
          secretRef: { name: "smoke-auth" },
        },
      },
      smokeKustomization("./deploy"),
    ];
    for (const o of objects) await kube.apply(o);
  });

  await h.step("GitRepository Ready (artifact of tag v0.1.0)", () =>
    kube.waitCondition("source.toolkit.fluxcd.io/v1", "GitRepository", "smoke", NS, {
      timeoutMs: 120_000,
      check: () => h.sup.assertAlive(),
      accept: (o) =>
        String((o.status as { artifact?: { revision?: string } }).artifact?.revision).startsWith("v0.1.0@"),
    }),
  );
  h.figure("GitRepository Ready after apply", `${secondsSince(applied)}s`);
  await h.step("Kustomization Ready", () =>
    kube.waitCondition("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS, {
      timeoutMs: 120_000,
      check: () => h.sup.assertAlive(),
    }),
  );
  h.figure("Kustomization Ready after apply", `${secondsSince(applied)}s`);

  await h.step("ConfigMap applied by Flux, variable substituted", async () => {
    const cm = await kube.get("v1", "ConfigMap", "smoke", "default");
    const data = (cm?.data ?? {}) as Record<string, string>;
    if (data.greeting !== "hello from git" || data.platform !== "smoke") {
      throw new Error(`unexpected ConfigMap default/smoke: ${JSON.stringify(cm?.data)}`);
    }
    const labels = (cm?.metadata.labels ?? {}) as Record<string, string>;
    if (labels["kustomize.toolkit.fluxcd.io/name"] !== "smoke") {
      throw new Error(`ConfigMap not labelled by kustomize-controller: ${JSON.stringify(labels)}`);
    }
  });

  await h.step(
    "kustomize-controller deleted before its Kustomization: the finalizer holds it until the controller is back",
    async () => {
      const deployment = install.find(
        (o) => o.kind === "Deployment" && o.metadata.name === "kustomize-controller",
      );
      if (!deployment) throw new Error("Flux's install.yaml has no kustomize-controller Deployment");
      await kube.delete("apps/v1", "Deployment", "kustomize-controller", NS);
      await waitFor(
        "the kubelet to stop kustomize-controller",
        async () => (kubelet.running()["kustomize-controller"] ? undefined : true),
        { timeoutMs: 30_000 },
      );
      await kube.delete("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS);
      await new Promise((r) => setTimeout(r, 5000));
      const stuck = await kube.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS);
      if (!stuck?.metadata.deletionTimestamp || !(stuck.metadata.finalizers as string[] | undefined)?.length)
        throw new Error(
          `Kustomization smoke went away with no controller to finalize it: ${JSON.stringify(stuck?.metadata)}`,
        );
      await kube.apply(deployment);
      await kube.waitGone("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS, 60_000);
      await kube.waitGone("v1", "ConfigMap", "smoke", "default", 30_000);
    },
  );

  await h.step(
    "a changed pod template (log level) restarts kustomize-controller with the new args",
    async () => {
      const d = await kube.get("apps/v1", "Deployment", "kustomize-controller", NS);
      const spec = d?.spec as { template: { spec: { containers: { args?: string[] }[] } } };
      const args = spec.template.spec.containers[0].args ?? [];
      if (!args.includes("--log-level=info")) throw new Error(`unexpected installed args: ${args.join(" ")}`);
      spec.template.spec.containers[0].args = args.map((a) =>
        a === "--log-level=info" ? "--log-level=debug" : a,
      );
      await kube.apply({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "kustomize-controller", namespace: NS },
        spec,
      });
      await waitFor(
        "kustomize-controller restarted with --log-level=debug",
        async () =>
          kubelet.running()["kustomize-controller"]?.includes("--log-level=debug") ? true : undefined,
        { timeoutMs: 30_000 },
      );
      const restarted = kubelet.events.filter(
        (e) => e.controller === "kustomize-controller" && e.what === "restarted",
      );
      if (!restarted.some((e) => e.why === "its pod template changed"))
        throw new Error(`no restart for the template change: ${JSON.stringify(kubelet.events)}`);
      await kubelet.ready(RUN);
    },
  );

  await h.step("namespace deletion completes (kube-controller-manager)", async () => {
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "e2e-gc" } });
    await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "e2e-gc" } });
    const t = Date.now();
    await kube.delete("v1", "Namespace", "e2e-gc");
    await kube.waitGone("v1", "Namespace", "e2e-gc", undefined, 60_000);
    h.figure("namespace deletion", `${secondsSince(t)}s`);
  });

  // Notifications: notification-controller from its installed Deployment, the others' events sent
  // to it, a github Provider posting commit statuses to the fake forge and a generic one posting
  // failures to its webhook, as the fleet template's gitops/notifications does.
  const forge = await h.step("fake forge on loopback (TLS signed by the harness CA)", () =>
    startForge({ pki: cp.pki }),
  );
  h.onCleanup(() => forge.stop());

  await h.step(
    "notification-controller runs as its ServiceAccount; source- and kustomize-controller restart to send it their events",
    async () => {
      const deployment = flux.find(
        (o) => o.kind === "Deployment" && controllerOf(o)?.binary === NOTIFICATION_CONTROLLER,
      );
      if (!deployment) throw new Error("Flux's install.yaml has no notification-controller Deployment");
      const since = Date.now();
      await kube.apply(deployment);
      await kubelet.ready([...RUN, NOTIFICATION_CONTROLLER]);
      await waitFor(
        "source- and kustomize-controller restarted with the event receiver's address",
        async () =>
          RUN.every((c) =>
            kubelet.events.some(
              (e) =>
                e.controller === c && e.what === "restarted" && e.at >= since && /events address/.test(e.why),
            ),
          )
            ? true
            : undefined,
        { timeoutMs: 30_000, lastReason: () => JSON.stringify(kubelet.events.slice(-4)) },
      );
      await kubelet.ready([...RUN, NOTIFICATION_CONTROLLER]);
      if (!identities.has(NOTIFICATION_CONTROLLER))
        throw new Error(`notification-controller ran as none of ${[...identities].join(", ")}`);
      // What each process runs with: every start appends its command line (`$ …`) to its log.
      const commandLine = (name: string) =>
        fs
          .readFileSync(h.sup.find(name)?.logFile ?? "", "utf8")
          .split("\n")
          .reverse()
          .find((l) => l.startsWith("$ ")) ?? "";
      const url = kubelet.eventsUrl();
      const listen = /^http:\/\/(127\.0\.0\.1:\d+)\/$/.exec(url)?.[1];
      if (!listen) throw new Error(`the kubelet's events URL is ${JSON.stringify(url)}`);
      if (!commandLine(NOTIFICATION_CONTROLLER).includes(` --events-addr=${listen}`))
        throw new Error(
          `notification-controller does not listen on ${listen}: ${commandLine(NOTIFICATION_CONTROLLER)}`,
        );
      for (const c of RUN)
        if (!commandLine(c).includes(` --events-addr=${url}`))
          throw new Error(`${c} does not send its events to ${url}: ${commandLine(c)}`);
    },
  );

  const token = randomBytes(20).toString("hex");
  const statusAddress = forge.repoUrl("acme-telco", "platform-fleet");
  const context = "flux/smoke/smoke";
  await h.step(
    "Kustomization smoke applied again and Ready; github and generic Providers with their Secrets and Alerts",
    async () => {
      await kube.apply(smokeKustomization("./deploy"));
      const ks = await kube.waitCondition("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS, {
        timeoutMs: 120_000,
        check: () => h.sup.assertAlive(),
      });
      // Its success event is sent to notification-controller (and dropped: no Alert yet) right after
      // the Kubernetes Event is recorded: the Alerts come after both, so they see only what follows.
      await waitFor(
        "kustomize-controller's ReconciliationSucceeded Event for the new Kustomization smoke",
        async () =>
          (await kube.list("v1", "Event", NS)).some(
            (e) =>
              (e.involvedObject as { uid?: string } | undefined)?.uid === ks.metadata.uid &&
              e.reason === "ReconciliationSucceeded",
          ) || undefined,
        { timeoutMs: 30_000, intervalMs: 300 },
      );
      await new Promise((r) => setTimeout(r, 1000));
      const NOTIFY = "notification.toolkit.fluxcd.io/v1beta3";
      /** An Alert to the Provider of the same name, on the smoke's objects of `kinds`, naming the platform. */
      const alert = (name: string, eventSeverity: string, kinds: string[]): KubeObject => ({
        apiVersion: NOTIFY,
        kind: "Alert",
        metadata: { name, namespace: NS },
        spec: {
          providerRef: { name },
          eventSeverity,
          eventSources: kinds.map((kind) => ({ kind, name: "smoke" })),
          eventMetadata: { platform: "smoke" },
        },
      });
      const objects: KubeObject[] = [
        secret("smoke-status-token", { token }),
        secret("smoke-alerts-webhook", { address: forge.webhookUrl }),
        {
          apiVersion: NOTIFY,
          kind: "Provider",
          metadata: { name: "smoke-status", namespace: NS },
          spec: {
            type: "github",
            address: statusAddress,
            secretRef: { name: "smoke-status-token" },
            // The fleet template's context: the platform from the Alert's eventMetadata.
            commitStatusExpr: "'flux/' + event.metadata.platform + '/' + event.involvedObject.name",
          },
        },
        alert("smoke-status", "info", ["Kustomization"]),
        {
          apiVersion: NOTIFY,
          kind: "Provider",
          metadata: { name: "smoke-alerts", namespace: NS },
          spec: { type: "generic", secretRef: { name: "smoke-alerts-webhook" } },
        },
        alert("smoke-alerts", "error", ["Kustomization", "GitRepository"]),
      ];
      for (const o of objects) await kube.apply(o);
      // The Kustomization reconciled before the Alerts existed: nothing may have been posted yet.
      if (forge.statuses().length || forge.events().length)
        throw new Error(`the forge received something before any Alert: ${JSON.stringify(forge.requests())}`);
    },
  );

  const source = await kube.get("source.toolkit.fluxcd.io/v1", "GitRepository", "smoke", NS);
  const artifactRevision = String(
    (source?.status as { artifact?: { revision?: string } }).artifact?.revision,
  );
  const artifactSha = /^v0\.1\.0@sha1:([0-9a-f]{40})$/.exec(artifactRevision)?.[1] ?? "";
  /** The status is on the artifact's commit of the configured repository, with the context and token configured. */
  const expectStatus = (s: CommitStatus, want: { state: string; description: string }) => {
    const got = {
      repository: `${s.owner}/${s.repo}`,
      sha: s.sha,
      state: s.state,
      context: s.context,
      description: s.description,
      token: s.token === token ? "as configured" : "another one",
    };
    const expected = {
      repository: "acme-telco/platform-fleet",
      sha: artifactSha,
      state: want.state,
      context,
      description: want.description,
      token: "as configured",
    };
    if (JSON.stringify(got) !== JSON.stringify(expected))
      throw new Error(`commit status: got ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`);
  };
  await h.step("a reconcile request posts a success status for exactly the artifact's commit", async () => {
    if (artifactSha !== commitSha)
      throw new Error(
        `GitRepository smoke's artifact revision ${artifactRevision} does not name commit ${commitSha}`,
      );
    const asked = Date.now();
    await kube.requestReconcile("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS);
    const status = await forge.waitForStatus((s) => s.state === "success", 60_000);
    h.figure("reconcile request to success status", `${((status.at - asked) / 1000).toFixed(2)}s`);
    expectStatus(status, { state: "success", description: "reconciliation succeeded" });
    if (forge.events().length)
      throw new Error(
        `the error-only webhook received ${JSON.stringify(forge.events().map((e) => e.event))}`,
      );
  });

  await h.step(
    "a path that does not exist: a failure status on the same commit and an error event on the webhook",
    async () => {
      const broke = Date.now();
      await kube.apply(smokeKustomization("./does-not-exist"));
      const [status, hook] = await Promise.all([
        forge.waitForStatus((s) => s.state === "failure", 60_000),
        forge.waitForEvent((e) => e.event.severity === "error", 60_000),
      ]);
      h.figure("broken path to failure status", `${((status.at - broke) / 1000).toFixed(2)}s`);
      h.figure("broken path to webhook error event", `${((hook.at - broke) / 1000).toFixed(2)}s`);
      // The event goes out before the status is written: the condition follows.
      let ready: ReturnType<typeof conditions>[number] | undefined;
      await waitFor(
        "Kustomization smoke Ready=False (ArtifactFailed, kustomization path not found)",
        async () => {
          const ks = await kube.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "smoke", NS);
          ready = conditions(ks as KubeObject).find((c) => c.type === "Ready");
          return ready?.status === "False" &&
            ready.reason === "ArtifactFailed" &&
            /kustomization path not found/.test(ready.message ?? "")
            ? true
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 300, lastReason: () => `Ready condition ${JSON.stringify(ready)}` },
      );
      expectStatus(status, { state: "failure", description: "artifact failed" });
      const e = hook.event;
      const want = {
        kind: "Kustomization",
        name: "smoke",
        namespace: NS,
        severity: "error",
        reason: "ArtifactFailed",
        reportingController: "kustomize-controller",
        component: "kustomize-controller",
        revision: artifactRevision,
        platform: "smoke",
      };
      const got = {
        kind: e.involvedObject.kind,
        name: e.involvedObject.name,
        namespace: e.involvedObject.namespace,
        severity: e.severity,
        reason: e.reason,
        reportingController: e.reportingController,
        component: hook.component,
        revision: e.metadata?.revision,
        platform: e.metadata?.platform,
      };
      if (JSON.stringify(got) !== JSON.stringify(want) || !e.message.includes("kustomization path not found"))
        throw new Error(
          `webhook event: got ${JSON.stringify(e)} (${hook.component}), want ${JSON.stringify(want)}`,
        );
      const refused = forge.unexpected();
      if (refused.length) throw new Error(`the forge refused requests: ${JSON.stringify(refused)}`);
      const calls = forge.requests();
      h.figure(
        "forge requests",
        `${calls.filter((r) => r.method === "GET").length} status lists, ${forge.statuses().length} statuses, ${forge.events().length} webhook events`,
      );
    },
  );

  await h.step("the status token and the webhook URL appear in no process log", async () => {
    for (const f of fs.readdirSync(h.logDir).filter((f) => f.endsWith(".log"))) {
      const text = fs.readFileSync(path.join(h.logDir, f), "utf8");
      if (text.includes(token)) throw new Error(`the status token is in plain text in ${f}`);
      if (text.includes(forge.webhookUrl)) throw new Error(`the webhook URL (a credential) is in ${f}`);
    }
  });

  await h.step("no controller died", async () => {
    await waitFor("a quiet second", async () => true, { timeoutMs: 1000 });
    h.sup.assertAlive();
  });

  await h.step(
    "the audit log shows each controller's requests as system:serviceaccount:flux-system:<its name>, and no 403",
    async () => {
      const report = checkIdentities(readAudit(cp.auditLog), [...RUN, NOTIFICATION_CONTROLLER], NS);
      console.log(`\n  audit:\n${report.summary.map((l) => `    ${l}`).join("\n")}`);
      if (report.problems.length) throw new Error(report.problems.join("\n"));
    },
  );
});
