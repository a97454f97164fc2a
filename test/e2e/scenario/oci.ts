// The same platform again, its root now an OCI artifact published by the project's own
// `gitops:publish` from a fleet repository made for an OCI root (the platform's Kustomizations name
// OCIRepository flux-system; its network functions take the chart from the charts registry); the
// kubelet starts the controllers again when the up reinstalls their Deployments.
import type { PublishResult } from "../../../automation/gitops/publish";
import { recordFigure } from "../harness/budgets";
import { ociFleetTree } from "../harness/fleet";
import { RUNNABLE_BINARIES } from "../harness/kubelet";
import { publishFleet } from "../harness/publish";
import {
  appliedOf,
  CHART_VERSION,
  expectExactly,
  expectSubstituted,
  FLUX,
  helmHistory,
  HR,
  KS,
  NF,
  revisionOf,
  SLICE,
  sliceSpec,
  sliceTwoOf,
  SRC,
} from "./common";
import { EARLY_SECRET_PATHS, identityStep, secretScanStep } from "./checks";
import type { Scenario } from "./setup";

export async function ociRoot(s: Scenario, expectOnlyLeftovers: () => Promise<void>): Promise<void> {
  const { h, kube, registry, alive } = s;
  const ociRange = ">=1.0.0 <2.0.0";
  const ociBase = ociFleetTree(s.base, "clusters/local");
  const sliceTwo = sliceTwoOf(ociBase);
  const ociRepo = await s.git.createRepo("fleet-oci");
  const published: Record<string, PublishResult> = {};
  const publishTag = async (tag: string, files: Record<string, string>) => {
    await ociRepo.commit(files, `fleet ${tag}`);
    await ociRepo.tag(tag);
    published[tag] = await publishFleet(ociRepo, {
      fleet: registry.url("fleet"),
      charts: registry.url("charts"),
      source: s.FLEET_ORIGIN,
      caCert: s.cp.pki.caCert,
      logDir: h.logDir,
    });
    return published[tag];
  };
  const digestOf = (tag: string, kind: "fleet" | "chart" = "fleet") => {
    const a = published[tag].artifacts.find((x) => x.kind === kind);
    if (!a) throw new Error(`gitops:publish of ${tag} made no ${kind} artifact`);
    return a.digest;
  };
  await h.step(
    `gitops:publish pushes v1.0.0 (and v1.2.0-rc.1, v2.0.0 outside ${ociRange}) with chart network-function ${CHART_VERSION}`,
    async () => {
      const first = await publishTag("v1.0.0", ociBase);
      expectExactly(
        "gitops:publish v1.0.0 artifacts",
        first.artifacts.map((a) => [a.kind, a.ref, a.state]),
        [
          ["fleet", `${registry.url("fleet")}:v1.0.0`, "pushed"],
          ["chart", `${registry.url("charts")}/network-function:${CHART_VERSION}`, "pushed"],
        ],
      );
      expectExactly("gitops:publish v1.0.0 revision", first.revision, `v1.0.0@sha1:${first.commit}`);
      for (const tag of ["v1.2.0-rc.1", "v2.0.0"]) {
        const r = await publishTag(tag, { ...ociBase, ...sliceTwo });
        // The chart did not change: the same digest, left as it is on the registry.
        expectExactly(`gitops:publish ${tag} chart`, r.artifacts[1].state, "unchanged");
      }
    },
  );
  const tOci = Date.now();
  await h.step("pulumi up with the root from OCI (auth none) succeeds", async () => {
    s.editFlux((f) => {
      f.source = {
        kind: "oci",
        url: registry.url("fleet"),
        ref: { semver: ociRange },
        interval: "1m",
        origin: s.FLEET_ORIGIN,
        charts: { url: registry.url("charts"), names: ["network-function"] },
      };
      f.auth = { type: "none" };
    });
    await s.up();
  });
  await h.step("the kubelet starts the controllers again from the reinstalled Deployments", () =>
    s.kubelet.ready(RUNNABLE_BINARIES),
  );
  await h.step("root OCIRepository Ready at v1.0.0 (the pre-release and v2.0.0 ignored)", async () => {
    const o = await kube.waitCondition(SRC, "OCIRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (x) => revisionOf(x).startsWith("v1."),
    });
    expectExactly("OCIRepository flux-system revision", revisionOf(o), `v1.0.0@${digestOf("v1.0.0")}`);
    // The commit it was published from, which the commit statuses and `fleet status` use.
    expectExactly(
      "OCIRepository flux-system origin revision",
      (o.status as { artifact?: { metadata?: Record<string, string> } }).artifact?.metadata?.[
        "org.opencontainers.image.revision"
      ],
      published["v1.0.0"].revision,
    );
    if (await kube.get("v1", "Secret", FLUX, FLUX))
      throw new Error("Secret flux-system/flux-system exists with auth none");
  });
  await h.step("root Kustomization Ready from OCI; slice 1-def922 and the SOPS Secret applied", async () => {
    await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
      timeoutMs: 180_000,
      check: alive,
      accept: (o) => appliedOf(o) === `v1.0.0@${digestOf("v1.0.0")}`,
    });
    await kube.waitCondition(KS, "Kustomization", "slice-1-def922", FLUX, {
      timeoutMs: 180_000,
      check: alive,
    });
    expectSubstituted(await sliceSpec(kube, "slice-1-def922"), "slice-1-def922", [
      "def922",
      "internet",
      "001",
    ]);
    const got = await kube.get("v1", "Secret", "e2e-sops", FLUX);
    const value = Buffer.from(
      String((got?.data as Record<string, string> | undefined)?.greeting ?? ""),
      "base64",
    ).toString();
    expectExactly("Secret flux-system/e2e-sops greeting", value, s.sopsValue);
  });
  await h.step(
    "HelmRelease upf released from the published OCI chart (chartRef), with the same values as from Git",
    async () => {
      const chart = await kube.waitCondition(SRC, "OCIRepository", "network-function-chart", FLUX, {
        timeoutMs: 120_000,
        check: alive,
      });
      expectExactly(
        "OCIRepository network-function-chart revision",
        revisionOf(chart),
        `${CHART_VERSION}@${digestOf("v1.0.0", "chart")}`,
      );
      // Ready and the release history are written by separate status updates: wait for both.
      const hr = await kube.waitCondition(HR, "HelmRelease", "upf", FLUX, {
        timeoutMs: 180_000,
        check: alive,
        accept: (o) => helmHistory(o).length > 0,
      });
      // What helm-controller released, from its status: the chart version and the digest published.
      const status = hr.status as {
        history?: { chartName?: string; chartVersion?: string }[];
        lastAttemptedRevisionDigest?: string;
      };
      expectExactly(
        "HelmRelease upf's last release (status.history[0]) and the chart digest it pulled",
        {
          chart: status.history?.[0]?.chartName,
          version: status.history?.[0]?.chartVersion,
          digest: status.lastAttemptedRevisionDigest,
        },
        {
          chart: "network-function",
          // helm-controller adds the first 12 hex digits of the OCI digest as build metadata.
          version: `${CHART_VERSION}+${digestOf("v1.0.0", "chart").slice("sha256:".length, "sha256:".length + 12)}`,
          digest: digestOf("v1.0.0", "chart"),
        },
      );
      expectExactly("ConfigMap network-functions/upf-config data", await s.upfConfig(), s.upfWant("debug"));
    },
  );
  await h.step(
    "the OCI root's result is a commit status on the commit the artifact was published from",
    async () => {
      const { at } = await s.rootStatusOn(published["v1.0.0"].commit);
      recordFigure(h, "ociUp", tOci, at);
    },
  );
  await h.step("artifact v1.1.0 adding slice 2-ab0001 is picked up through the semver range", async () => {
    const start = Date.now();
    await publishTag("v1.1.0", { ...ociBase, ...sliceTwo });
    await kube.requestReconcile(SRC, "OCIRepository", FLUX, FLUX);
    await kube.waitCondition(SRC, "OCIRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o) === `v1.1.0@${digestOf("v1.1.0")}`,
    });
    await s.urllcReady("ab0001");
    recordFigure(h, "ociNewArtifact", start);
  });
  await h.step(
    "pinning the OCI root back to v1.0.0 with pulumi up removes slice 2-ab0001 (prune)",
    async () => {
      s.setRef({ tag: "v1.0.0" });
      const upDone = await s.upOnce();
      const pruned = async () => {
        await kube.waitCondition(SRC, "OCIRepository", FLUX, FLUX, {
          timeoutMs: 120_000,
          check: alive,
          accept: (o) => revisionOf(o) === `v1.0.0@${digestOf("v1.0.0")}`,
        });
        await kube.waitGone(SLICE, "Slice", "slice-2-ab0001", "slices", 180_000);
        await kube.waitGone(KS, "Kustomization", "slice-2-ab0001", FLUX, 60_000);
        return Date.now();
      };
      const [, end] = await Promise.all([s.noChange(), pruned()]);
      recordFigure(h, "ociPinBack", upDone, end);
      if (!(await sliceSpec(kube, "slice-1-def922"))) throw new Error("slice-1-def922 vanished too");
    },
  );
  await identityStep(s, "OCI root");
  await secretScanStep(s, "OCI root", EARLY_SECRET_PATHS);
  await h.step("pulumi destroy of the OCI-rooted platform removes everything", async () => {
    await s.pulumi.run(["destroy", "--yes", "--skip-preview"], { timeoutMs: 15 * 60_000 });
    await kube.waitGone(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "ocirepositories.source.toolkit.fluxcd.io",
      undefined,
      120_000,
    );
    for (const ns of [FLUX, "slices", NF]) await kube.waitGone("v1", "Namespace", ns, undefined, 120_000);
    await expectOnlyLeftovers();
  });
}
