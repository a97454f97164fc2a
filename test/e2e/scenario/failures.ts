// What goes wrong and how the platform holds: a tag with a missing variable (strict substitution),
// a tag whose values the API server refuses (Helm's rollback), the Git credentials deleted by hand
// (`pulumi up --refresh` restores them).
import { recordFigure, type FigureId } from "../harness/budgets";
import { conditions } from "../harness/kube";
import { waitFor } from "../harness/util";
import { expectExactly, FLUX, HR, KS, NF, SRC, sliceSpec } from "./common";
import type { Scenario } from "./setup";

/**
 * `pulumi up` (with `extra`), then a second up that must change nothing, while `until` waits for
 * what the up brings about; records figure `id` from the start of the first up to what `until` saw.
 */
async function upUntil<T>(
  s: Scenario,
  id: FigureId,
  until: () => Promise<T>,
  extra: string[] = [],
): Promise<T> {
  const start = Date.now();
  await s.upOnce(extra);
  const [, [value, end]] = await Promise.all([
    s.noChange(extra),
    until().then((v) => [v, Date.now()] as const),
  ]);
  recordFigure(s.h, id, start, end);
  return value;
}

export async function failures(s: Scenario): Promise<void> {
  const { h, kube, repo, alive } = s;
  await h.step(
    "tag v1.2.0 with a missing variable fails strict substitution; what was applied stays",
    async () => {
      const broken = { ...s.base };
      const vars = "clusters/local/slices/1-def922/slice-vars.yaml";
      broken[vars] = broken[vars]
        .split("\n")
        .filter((l) => !/^\s+MNC:/.test(l))
        .join("\n");
      const before = JSON.stringify(await sliceSpec(kube, "slice-1-def922"));
      await repo.commit(broken, "fleet v1.2.0: MNC forgotten");
      await repo.tag("v1.2.0");
      s.setRef({ tag: "v1.2.0" });
      let message = "";
      await upUntil(s, "badTag", () =>
        waitFor(
          "Kustomization slice-1-def922 to fail on the missing variable",
          async () => {
            const ks = await kube.get(KS, "Kustomization", "slice-1-def922", FLUX);
            const ready = ks ? conditions(ks).find((c) => c.type === "Ready") : undefined;
            message = ready?.message ?? "";
            return ready?.status === "False" && /MNC/.test(message) ? true : undefined;
          },
          { timeoutMs: 180_000, intervalMs: 1000, check: alive, lastReason: () => message },
        ),
      );
      h.figure("strict substitution message", message.replace(/\s+/g, " ").slice(0, 160));
      const after = JSON.stringify(await sliceSpec(kube, "slice-1-def922"));
      if (after !== before)
        throw new Error(`Slice slice-1-def922 changed or vanished: ${before} -> ${after}`);
    },
  );

  await h.step(
    "tag v1.3.0 with values the API server refuses (replicas -1): the upgrade fails and Helm rolls back",
    async () => {
      const bad = s.withUpfValues((v) => {
        v.replicas = -1;
        v.logLevel = "trace";
      });
      await repo.commit({ ...s.base, ...bad }, "fleet v1.3.0: upf replicas -1");
      await repo.tag("v1.3.0");
      s.setRef({ tag: "v1.3.0" });
      const hr = await upUntil(s, "rollback", () =>
        kube.waitCondition(HR, "HelmRelease", "upf", FLUX, {
          type: "Remediated",
          timeoutMs: 240_000,
          check: alive,
        }),
      );
      const remediated = conditions(hr).find((c) => c.type === "Remediated");
      if (remediated?.reason !== "RollbackSucceeded")
        throw new Error(`HelmRelease upf Remediated: ${JSON.stringify(remediated)}`);
      const history = (hr.status as { history?: { version: number; status: string }[] }).history ?? [];
      if (!history.some((x) => x.status === "failed"))
        throw new Error(`no failed release in the history of upf: ${JSON.stringify(history)}`);
      expectExactly("ConfigMap network-functions/upf-config data", await s.upfConfig(), s.upfWant("debug"));
      const d = await kube.get("apps/v1", "Deployment", "upf", NF);
      expectExactly(
        "Deployment network-functions/upf replicas",
        (d?.spec as { replicas?: number })?.replicas,
        1,
      );
      h.figure(
        "upf history after the rollback",
        JSON.stringify(history.map((x) => ({ version: x.version, status: x.status }))),
      );
    },
  );

  await h.step(
    "flux-system Secret deleted by hand is restored by pulumi up --refresh with the configured key; the source pulls again",
    async () => {
      if (!(await kube.delete("v1", "Secret", FLUX, FLUX)))
        throw new Error("Secret flux-system/flux-system not found");
      await kube.waitGone("v1", "Secret", FLUX, FLUX, 30_000);
      const start = Date.now();
      await s.upOnce(["--refresh"]);
      const secret = await kube.get("v1", "Secret", FLUX, FLUX);
      const data = (secret?.data ?? {}) as Record<string, string>;
      const decoded = (k: string) =>
        Buffer.from(data[k] ?? "", "base64")
          .toString()
          .trim();
      if (decoded("identity") !== s.git.identity.trim())
        throw new Error("the restored Secret's identity is not the configured deploy key");
      expectExactly("restored known_hosts", decoded("known_hosts"), s.git.knownHosts.trim());
      // The source pulls again with the restored key: a reconcile requested now is handled and Ready.
      const asked = new Date().toISOString();
      await kube.mergePatch(SRC, "GitRepository", FLUX, FLUX, {
        metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": asked } },
      });
      await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => (o.status as { lastHandledReconcileAt?: string }).lastHandledReconcileAt === asked,
      });
      recordFigure(h, "refresh", start);
      await s.noChange(["--refresh"]);
    },
  );
}
