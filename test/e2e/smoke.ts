// Smoke test of the end-to-end harness (no Pulumi): control plane up, Flux CRDs Established, Flux's
// install.yaml applied (RBAC, ServiceAccounts, the source- and kustomize-controller Deployments),
// the process kubelet running both controllers as their ServiceAccounts, a hand-written
// GitRepository (ssh:// to the local sshd, Secret with identity + known_hosts) and Kustomization
// pointing at a tiny repository become Ready and apply a ConfigMap; a controller deleted before its
// objects leaves their finalizer in place (so a wrong destroy order fails a scenario); namespace
// deletion works (kube-controller-manager). Prints figures.
//
//   npx tsx test/e2e/smoke.ts
import { startControlPlane } from "./harness/controlPlane";
import * as fs from "node:fs";
import { parseAllDocuments } from "yaml";
import { startGitServer } from "./harness/gitServer";
import type { KubeObject } from "./harness/kube";
import { controllerOf, startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { secondsSince, waitFor } from "./harness/util";

const NS = "flux-system";

void runHarness("e2e-smoke", { deadlineMs: 15 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () =>
    ensureTools([
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "source-controller",
      "kustomize-controller",
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

  const git = await h.step("git server (sshd on loopback, deploy key, known_hosts)", () =>
    startGitServer(h.sup, h.workDir),
  );
  const repo = await h.step("tiny repository pushed over SSH, tagged v0.1.0", async () => {
    const r = await git.createRepo("smoke");
    await r.commit(
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
  const install = parseAllDocuments(fs.readFileSync(tools.fluxInstall, "utf8"))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => Boolean(o) && o?.kind !== "CustomResourceDefinition")
    .filter((o) => o.kind !== "Deployment" || RUN.includes(controllerOf(o)?.binary ?? ""));
  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig(NS, sa),
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
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "smoke-auth", namespace: NS },
        type: "Opaque",
        stringData: { identity: git.identity, "identity.pub": git.identityPub, known_hosts: git.knownHosts },
      },
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
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "smoke", namespace: NS },
        spec: {
          interval: "1m",
          prune: true,
          path: "./deploy",
          sourceRef: { kind: "GitRepository", name: "smoke" },
          postBuild: { substitute: { PLATFORM: "smoke" } },
        },
      },
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

  await h.step("no controller died", async () => {
    await waitFor("a quiet second", async () => true, { timeoutMs: 1000 });
    h.sup.assertAlive();
  });
});
