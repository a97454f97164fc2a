// `pulumi destroy` of the Git-rooted platform: every Flux object, CRD, Slice and namespace gone,
// each controller stopped, and the cluster exactly as before the first up plus the documented leftovers.
import { recordFigure } from "../harness/budgets";
import { RUNNABLE_BINARIES } from "../harness/kubelet";
import { waitFor } from "../harness/util";
import { expectExactly, FLUX, NF, SLICE } from "./common";
import type { Scenario } from "./setup";

export async function destroyGitRoot(s: Scenario, expectOnlyLeftovers: () => Promise<void>): Promise<void> {
  const { h, kube, kubelet } = s;
  await h.step("pulumi destroy removes everything, nothing stuck on a finalizer", async () => {
    const start = Date.now();
    await s.pulumi.run(["destroy", "--yes", "--skip-preview"], { timeoutMs: 15 * 60_000 });
    for (const crd of [
      "gitrepositories.source.toolkit.fluxcd.io",
      "kustomizations.kustomize.toolkit.fluxcd.io",
      "helmreleases.helm.toolkit.fluxcd.io",
    ])
      await kube.waitGone("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd, undefined, 120_000);
    for (const ns of [FLUX, "slices", NF]) await kube.waitGone("v1", "Namespace", ns, undefined, 120_000);
    recordFigure(h, "destroy", start);
    const crds = await kube.list("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    const left = crds
      .map((c) => c.metadata.name)
      .filter((n) => n.endsWith("fluxcd.io") || n.endsWith("platform.io"));
    // The catalog's Slice CRD is never pruned (gitops/catalog/crds/slice.yaml); its Slices are gone.
    expectExactly("CRDs left behind", left, ["slices.catalog.platform.io"]);
    const slices = await kube.list(SLICE, "Slice");
    if (slices.length)
      throw new Error(`Slices left behind: ${slices.map((x) => x.metadata.name).join(", ")}`);
    // The kubelet converges like a real one: a controller it was restarting (its events address
    // changed as notification-controller went) is stopped on its next sync once its Deployment is gone.
    await waitFor(
      "every controller stopped after destroy",
      async () => !Object.keys(kubelet.running()).length || undefined,
      {
        timeoutMs: 30_000,
        lastReason: () => `still running: ${Object.keys(kubelet.running()).join(", ")}`,
      },
    );
    // Each controller stopped (some twice: notification-controller's Deployment going changes the
    // others' events address, which restarts them first).
    const stops = [
      ...new Set(
        kubelet.events.filter((e) => e.what === "stopped" && e.at >= start).map((e) => e.controller),
      ),
    ];
    if (stops.sort().join() !== [...RUNNABLE_BINARIES].sort().join())
      throw new Error(`the kubelet stopped ${stops.join(", ")} during destroy, want every controller`);
    await expectOnlyLeftovers();
  });
}
