// New tags reach the platform, measured from the user's action: v1.1.0 through the push webhook
// (the Git host calling the template's Receiver), after flux diff and gitops:diff agreed on what it
// changes; v1.1.1 by the source's interval alone; a pin back with `pulumi up`; a tag moved back.
import { recordFigure, INTERVAL_PATH_SECONDS } from "../harness/budgets";
import type { KubeObject } from "../harness/kube";
import { githubPushEvent, postGithubPush, receiverPath } from "../harness/receiver";
import { run } from "../harness/util";
import {
  expectExactly,
  FLUX,
  helmHistory,
  HR,
  KS,
  RECEIVER,
  revisionOf,
  SLICE,
  sliceSpec,
  SRC,
} from "./common";
import { fluxDiffAgrees } from "./fluxDiff";
import type { Scenario } from "./setup";

const REQUESTED = "reconcile.fluxcd.io/requestedAt";
const requestedAt = (o: KubeObject | undefined) =>
  (o?.metadata.annotations as Record<string, string> | undefined)?.[REQUESTED];
const handledAt = (o: KubeObject | undefined) =>
  (o?.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt;

/**
 * `breakFluxDiff` drops an object from gitops:diff's side; `noHook` pushes v1.1.0 without its push
 * hook (the root then pulls it at its interval, not on a request): both must fail their step.
 */
export async function tagChanges(
  s: Scenario,
  opts: { breakFluxDiff: boolean; noHook: boolean },
): Promise<void> {
  const { h, kube, repo, alive } = s;
  const root = () => kube.get(SRC, "GitRepository", FLUX, FLUX);
  const v110 = { ...s.base, ...s.slice2, ...s.withUpfValues((v) => (v.logLevel = "info")) };

  let hookUrl = "";
  await h.step(
    "the template's Receiver fleet-push is Ready with a /hook/<sha256> path; a push hook signed with another token is refused (400) and requests nothing",
    async () => {
      hookUrl = `${s.kubelet.receiverUrl()}${await receiverPath(kube, RECEIVER, FLUX, { timeoutMs: 120_000, check: alive })}`;
      const before = requestedAt(await root());
      const forged = await postGithubPush(
        hookUrl,
        githubPushEvent("refs/tags/v9.9.9", "0".repeat(40), "acme-telco/platform-fleet"),
        `${s.receiverToken}x`,
      );
      expectExactly("HTTP status of a hook signed with another token", forged.status, 400);
      expectExactly("the root's reconcile request after the forged hook", requestedAt(await root()), before);
    },
  );

  await h.step(
    `tag v1.1.0 (slice 2-ab0001, upf logLevel info), not pushed yet: flux diff kustomization and gitops:diff name the same changes${opts.breakFluxDiff ? " (--break flux-diff: one object dropped from gitops:diff's side)" : ""}`,
    async () => {
      await repo.commit(v110, "fleet v1.1.0: slice 2-ab0001, upf logLevel info");
      await run("git", ["tag", "-a", "v1.1.0", "-m", "v1.1.0"], { cwd: repo.workDir });
      const { flux } = await fluxDiffAgrees(s, "v1.0.0", "v1.1.0", opts.breakFluxDiff);
      h.figure("flux diff and gitops:diff agree on v1.0.0 → v1.1.0", flux.join("; "));
    },
  );

  await h.step(
    "tag v1.1.0 pushed; the Git host's push hook (GitHub, signed) makes the root pull it: slice 2-ab0001 Ready",
    async () => {
      const before = requestedAt(await root());
      const start = Date.now();
      await repo.tag("v1.1.0", true);
      const sha = (await run("git", ["rev-parse", "HEAD"], { cwd: repo.workDir })).stdout.trim();
      if (!opts.noHook) {
        const res = await postGithubPush(
          hookUrl,
          githubPushEvent("refs/tags/v1.1.0", sha, "acme-telco/platform-fleet"),
          s.receiverToken,
        );
        expectExactly("HTTP status of the push hook", res.status, 200);
      }
      const src = await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => revisionOf(o) === `v1.1.0@sha1:${sha}`,
      });
      // The receiver asked for it (a new requestedAt), and the source handled that request.
      const asked = requestedAt(src);
      if (!asked || asked === before || handledAt(src) !== asked)
        throw new Error(
          `the root pulled v1.1.0 but not on the hook's request: requestedAt ${before} → ${asked}, lastHandledReconcileAt ${handledAt(src)}`,
        );
      await s.urllcReady("ab0001");
      recordFigure(h, "tagWebhook", start);
    },
  );
  await h.step("the values change in tag v1.1.0 upgrades upf (a new release, logLevel info)", () =>
    s.expectUpgraded(1, "info"),
  );

  await h.step(`the root source's interval set to ${INTERVAL_PATH_SECONDS}s with pulumi up`, async () => {
    s.editFlux((f) => (f.source.interval = `${INTERVAL_PATH_SECONDS}s`));
    await s.up();
    await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => (o.spec as { interval?: string }).interval === `${INTERVAL_PATH_SECONDS}s`,
    });
  });
  await h.step(
    `tag v1.1.1 (slice 2-ab0003) pushed, no hook, no request: the root pulls it at its ${INTERVAL_PATH_SECONDS}s interval; slice 2-ab0003 Ready`,
    async () => {
      const before = requestedAt(await root());
      const sha = await repo.commit({ ...v110, ...s.slice3 }, "fleet v1.1.1: slice 2-ab0003");
      const start = Date.now();
      await repo.tag("v1.1.1");
      const src = await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => revisionOf(o) === `v1.1.1@sha1:${sha}`,
      });
      expectExactly("the root's reconcile request (none was made)", requestedAt(src), before);
      await s.urllcReady("ab0003");
      recordFigure(h, "tagInterval", start);
    },
  );

  await h.step(
    "pinning back to v1.0.0 with pulumi up (interval back to 1m) prunes slices 2-ab0001 and 2-ab0003; a second up changes nothing",
    async () => {
      const releaseBeforePin = helmHistory(await kube.get(HR, "HelmRelease", "upf", FLUX))[0]?.version ?? 0;
      s.editFlux((f) => {
        f.source.ref = { tag: "v1.0.0" };
        f.source.interval = "1m";
      });
      const upDone = await s.upOnce();
      const pruned = async () => {
        await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
          timeoutMs: 120_000,
          check: alive,
          accept: (o) => revisionOf(o).startsWith("v1.0.0@"),
        });
        for (const sd of ["ab0001", "ab0003"]) {
          await kube.waitGone(SLICE, "Slice", `slice-2-${sd}`, "slices", 180_000);
          await kube.waitGone(KS, "Kustomization", `slice-2-${sd}`, FLUX, 60_000);
        }
        return Date.now();
      };
      // The second up runs while Flux prunes: the figure ends when the prune is seen, not after it.
      const [, end] = await Promise.all([s.noChange(), pruned()]);
      recordFigure(h, "pinBack", upDone, end);
      if (!(await sliceSpec(kube, "slice-1-def922"))) throw new Error("slice-1-def922 vanished too");
      await s.expectUpgraded(releaseBeforePin, "debug");
    },
  );

  let back = "";
  await h.step("tag stable on v1.1.0's tree, followed with pulumi up: slice 2-ab0001 Ready", async () => {
    const forward = await repo.commit(v110, "fleet: stable candidate (v1.1.0's tree)");
    await repo.tag("stable", true);
    s.setRef({ tag: "stable" });
    await s.up();
    await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o) === `stable@sha1:${forward}`,
    });
    await s.urllcReady("ab0001");
    back = await repo.commit(s.base, "fleet: roll stable back to v1.0.0's tree");
  });
  await h.step(
    "rollback by moving a tag on the server: tag stable moved back to v1.0.0's tree and pushed, the push hook sent: slice 2-ab0001 pruned, with no stack change",
    async () => {
      const start = Date.now();
      await repo.tag("stable", true);
      const res = await postGithubPush(
        hookUrl,
        githubPushEvent("refs/tags/stable", back, "acme-telco/platform-fleet"),
        s.receiverToken,
      );
      expectExactly("HTTP status of the push hook", res.status, 200);
      await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => revisionOf(o) === `stable@sha1:${back}`,
      });
      await kube.waitGone(SLICE, "Slice", "slice-2-ab0001", "slices", 180_000);
      await kube.waitGone(KS, "Kustomization", "slice-2-ab0001", FLUX, 60_000);
      recordFigure(h, "tagMovedBack", start);
      await s.pulumi.run(["preview", "--expect-no-changes"]);
    },
  );
}
