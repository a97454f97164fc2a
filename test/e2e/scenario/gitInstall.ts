// The Git-rooted platform's install: the first `pulumi up` (waiting for the Flux Deployments), the
// controllers the kubelet runs from them, the root at v1.0.0, its commit status, slice 1-def922, the
// SOPS Secret and the HelmRelease; then a second up and a preview that change nothing.
import { recordFigure } from "../harness/budgets";
import { assertEngineVersions } from "../harness/engineVersions";
import { REPO_ROOT } from "../harness/tools";
import { conditions } from "../harness/kube";
import { RUNNABLE_BINARIES } from "../harness/kubelet";
import {
  appliedOf,
  expectExactly,
  expectSubstituted,
  FLUX,
  helmHistory,
  HR,
  KS,
  NF,
  PLATFORM,
  revisionOf,
  sliceSpec,
  SRC,
} from "./common";
import type { Scenario } from "./setup";

export async function gitInstall(s: Scenario): Promise<void> {
  const { h, kube, kubelet, alive } = s;
  let upDone = 0;
  await h.step("pulumi up succeeds (it waits for the Flux Deployments)", async () => {
    const start = Date.now();
    upDone = await s.upOnce();
    recordFigure(h, "firstUp", start, upDone);
  });

  await h.step(
    "the Pulumi CLI, language host and Kubernetes provider that ran are the ones built (pulumi version, pulumi about, the audit log)",
    async () => {
      const v = (await s.pulumi.run(["version"])).stdout.trim();
      if (v !== s.tools.builtFrom.pulumi?.pkg)
        throw new Error(
          `pulumi version is ${v}, but the CLI was built from pkg ${s.tools.builtFrom.pulumi?.pkg}`,
        );
      const ran = await assertEngineVersions({
        pulumi: s.pulumi,
        builtFrom: s.tools.builtFrom,
        auditLog: s.cp.auditLog,
        repoRoot: REPO_ROOT,
      });
      h.figure("engine", `pulumi ${v}, nodejs host ${ran.languageHost}, kubernetes provider ${ran.provider}`);
    },
  );
  await h.step(
    "the kubelet runs the four controllers from the Deployments the program installed",
    async () => {
      await kubelet.ready(RUNNABLE_BINARIES);
      recordFigure(h, "controllersReady", upDone);
    },
  );
  await h.step(
    "pulumi up waited for the Flux Deployments: each Available, 1 ready replica, status of its generation; NetworkPolicies installed",
    async () => {
      for (const name of RUNNABLE_BINARIES) {
        const d = await kube.get("apps/v1", "Deployment", name, FLUX);
        const st = (d?.status ?? {}) as Record<string, number>;
        expectExactly(
          `Deployment ${FLUX}/${name} status`,
          {
            observedGeneration: st.observedGeneration,
            readyReplicas: st.readyReplicas,
            availableReplicas: st.availableReplicas,
            updatedReplicas: st.updatedReplicas,
            Available: d && conditions(d).find((c) => c.type === "Available")?.status,
          },
          {
            observedGeneration: d?.metadata.generation,
            readyReplicas: 1,
            availableReplicas: 1,
            updatedReplicas: 1,
            Available: "True",
          },
        );
      }
      // Installed as on a cluster; nothing enforces them here (no network plugin: docs/e2e.md).
      expectExactly(
        "NetworkPolicies in flux-system",
        (await kube.list("networking.k8s.io/v1", "NetworkPolicy", FLUX)).map((n) => n.metadata.name).sort(),
        ["allow-egress", "allow-scraping", "allow-webhooks"],
      );
    },
  );
  await h.step("kustomize-controller runs with the installed --requeue-dependency=5s", async () => {
    const args = kubelet.running()["kustomize-controller"] ?? [];
    if (!args.includes("--requeue-dependency=5s"))
      throw new Error(
        `kustomize-controller's installed args lack --requeue-dependency=5s: ${args.join(" ")}`,
      );
  });

  await h.step("root GitRepository Ready at tag v1.0.0", () =>
    kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o).startsWith("v1.0.0@"),
    }),
  );
  await h.step("root Kustomization Ready at v1.0.0", async () => {
    await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
      timeoutMs: 180_000,
      check: alive,
      accept: (o) => appliedOf(o).startsWith("v1.0.0@"),
    });
    recordFigure(h, "rootReady", upDone);
  });
  await h.step(
    "slice 1-def922 applied: platform from cluster-vars, PLMN, S-NSSAI and DNN from its ConfigMap, exact fields",
    async () => {
      await kube.waitCondition(KS, "Kustomization", "slice-1-def922", FLUX, {
        timeoutMs: 180_000,
        check: alive,
      });
      recordFigure(h, "slicesReady", upDone);
      const spec = await sliceSpec(kube, "slice-1-def922");
      expectSubstituted(spec, "slice-1-def922", ["def922", "internet", "001"]);
      // platform from cluster-vars (PLATFORM_NAME), the rest from ConfigMap slice-vars-1-def922.
      expectExactly(
        "Slice slices/slice-1-def922 spec",
        { platform: spec?.platform, plmnID: spec?.plmnID, nsiID: spec?.nsiID, snssais: spec?.snssais },
        {
          platform: PLATFORM,
          plmnID: "001-01",
          nsiID: 1,
          snssais: [{ snssai: "1-def922", sst: 1, dataNetworks: [{ name: "internet" }] }],
        },
      );
      const ns = await kube.get("v1", "Namespace", "slices");
      const label = (ns?.metadata.labels as Record<string, string> | undefined)?.["platform.io/name"];
      if (label !== PLATFORM)
        throw new Error(`namespace slices label platform.io/name is ${label}, want ${PLATFORM}`);
    },
  );

  await h.step(
    "notification-controller posts the root's success as a commit status on the v1.0.0 commit, with the token",
    async () => {
      const { asked, at } = await s.rootStatusOn(s.v1Commit());
      recordFigure(h, "commitStatus", asked, at);
    },
  );

  await h.step("the SOPS-encrypted Secret is decrypted by the root Kustomization", async () => {
    const got = await kube.get("v1", "Secret", "e2e-sops", FLUX);
    const value = Buffer.from(
      String((got?.data as Record<string, string> | undefined)?.greeting ?? ""),
      "base64",
    ).toString();
    if (value !== s.sopsValue)
      throw new Error(
        `Secret flux-system/e2e-sops greeting is ${JSON.stringify(value)}, want the encrypted value`,
      );
  });

  await h.step(
    "HelmRelease upf released from the chart in Git: platform and site from cluster-vars, plmn and logLevel from its values ConfigMap",
    async () => {
      // Ready and the release history are written by separate status updates: wait for both.
      const hr = await kube.waitCondition(HR, "HelmRelease", "upf", FLUX, {
        timeoutMs: 180_000,
        check: alive,
        accept: (o) => helmHistory(o).length > 0,
      });
      expectExactly("ConfigMap network-functions/upf-config data", await s.upfConfig(), s.upfWant("debug"));
      expectExactly("HelmRelease upf history", helmHistory(hr), [{ version: 1, status: "deployed" }]);
      const d = await kube.get("apps/v1", "Deployment", "upf", NF);
      expectExactly(
        "Deployment network-functions/upf replicas",
        (d?.spec as { replicas?: number })?.replicas,
        1,
      );
    },
  );

  await h.step("a second pulumi up --expect-no-changes changes nothing", () => s.noChange());
  await h.step("pulumi preview --expect-no-changes passes", () =>
    s.pulumi.run(["preview", "--expect-no-changes"]),
  );
}
