// Flux at scale on real controllers: one platform (`pulumi up` against a real control plane, Flux's
// controllers run by the process kubelet), then a tag that adds N slice instances, made the way
// `gitops:new-slice` makes them. Runs, each on a fresh control plane (`--runs`, default
// default,sharded,subset): Flux's defaults; `tuned`, the recommended concurrency
// (flux.install.scaling.concurrency); `sharded`, the same with shards (flux.install.scaling.shards,
// instances spread over them with `--shard`); `memory`, the same with in-memory builds
// (flux.install.scaling.inMemoryBuilds: kustomize-controller unpacks each artifact on a tmpfs);
// `subset`, the same with the instances pulling the catalog from a subset of the root source
// (flux.source.subsets, `gitops:new-slice --source`): each reconcile unpacks the catalog, not the
// whole repository.
//
//   npm run test:e2e:slices -- --slices 100 [--concurrency 10] [--shards 2] [--runs default,sharded,subset]
//
// Measured from the moment the GitRepository flux-system is pointed at the new tag (what `pulumi up`
// with the new tag does; the engine's own time is left out) to every slice Kustomization Ready at
// that tag with its Slice object present; and the controllers' CPU seconds over that span and their
// peak RSS, from /proc. Figures only: the assertions are about correctness (every instance Ready,
// exact object counts, each shard's instances reconciled by that shard's controller only).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { startControlPlane } from "./harness/controlPlane";
import { e2eFleetTree, e2eProject } from "./harness/fleet";
import { startGitServer } from "./harness/gitServer";
import { startKubelet } from "./harness/kubelet";
import { procUsage, type ProcUsage } from "./harness/procStats";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { secondsSince, waitFor } from "./harness/util";
import { appliedOf, FLUX, KS, SRC } from "./harness/fluxNames";
import { allRuns, isReady, labelsOf, onTmpfs, SHARD_KEY, shardOf, sliceFiles, tmpdirOf } from "./slices/runs";

const SLICE = "catalog.platform.io/v1alpha1";
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller"];
const PLATFORM_DIR = "clusters/local";

const { values: opts } = parseArgs({
  options: {
    slices: { type: "string", default: "100" },
    concurrency: { type: "string", default: "10" },
    shards: { type: "string", default: "2" },
    runs: { type: "string", default: "default,sharded,subset" },
  },
});
const count = (flag: string, v: string | undefined, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${flag} ${v}: give a whole number, at least ${min}`);
    process.exit(2);
  }
  return n;
};
const N = count("slices", opts.slices, 1);
const ALL_RUNS = allRuns(count("concurrency", opts.concurrency, 1), count("shards", opts.shards, 1));
// `--runs subset` runs only the recommended setting (the large sizes, where every run takes minutes).
const wanted = (opts.runs ?? "").split(",").filter(Boolean);
const unknownRuns = wanted.filter((w) => !ALL_RUNS.some((r) => r.name === w));
if (wanted.length === 0 || unknownRuns.length > 0) {
  console.error(
    `--runs ${opts.runs}: give a comma-separated list of ${ALL_RUNS.map((r) => r.name).join(", ")}`,
  );
  process.exit(2);
}
const RUNS = ALL_RUNS.filter((r) => wanted.includes(r.name));

// How long the roll-out of one run may take: each instance costs more the larger the repository
// (every reconcile unpacks the whole artifact), about 1.7 s each at 1,000 on disk with 4 shards.
const ROLLOUT_MS = Math.max(10 * 60_000, N * 3_000);
void runHarness(
  "e2e-slices",
  { deadlineMs: Math.max(75 * 60_000, RUNS.length * (ROLLOUT_MS + 5 * 60_000)) },
  async (h) => {
    const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
    const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
    const base = e2eFleetTree();
    const shipped = Object.keys(base).filter((f) =>
      new RegExp(`^${PLATFORM_DIR}/slices/[^/]+/slice\\.yaml$`).test(f),
    );
    const repo = await h.step("fleet repository pushed, tag v1.0.0", async () => {
      const r = await git.createRepo("fleet");
      await r.commit(base, "fleet v1.0.0");
      await r.tag("v1.0.0");
      return r;
    });
    const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
    h.figure("slice instances added by the tag", N);
    const summary: string[] = [];

    for (const [k, run] of RUNS.entries()) {
      const prefix = `${run.name}-`;
      const plane = await h.step(`[${run.name}] control plane up`, () =>
        startControlPlane(h.sup, tools, path.join(h.workDir, run.name), { crds: false, prefix }),
      );
      const kubelet = startKubelet({
        sup: h.sup,
        tools,
        kube: plane.kube,
        kubeconfigFor: (sa) => plane.serviceAccountKubeconfig(FLUX, sa),
        workDir: h.workDir,
        prefix,
      });
      const shards = run.scaling?.shards ?? [];
      const controllers = [
        ...CONTROLLERS,
        ...shards.flatMap((s) => [`kustomize-controller-${s}`, `helm-controller-${s}`]),
      ];
      const stack = `slices-${run.name}`;

      await h.step(`[${run.name}] pulumi up (${run.label}); the controllers run`, async () => {
        const config = {
          config: {
            "platform:name": "local",
            "platform:environment": "dev",
            "platform:owner": "platform-team",
            "platform:organization": "acme",
            "platform:cluster": { kind: "existing", kubeconfigPath: plane.kubeconfig },
            "platform:flux": {
              install: {
                mode: "manifests",
                components: CONTROLLERS,
                networkPolicy: false,
                requeueDependency: "5s",
                manifests: { file: installFile, skipAwait: true },
                ...(run.scaling ? { scaling: run.scaling } : {}),
              },
              source: {
                url: git.url(repo.name),
                ref: { tag: "v1.0.0" },
                interval: "1m",
                ...(run.subset ? { subsets: { [run.subset.name]: run.subset.dirs } } : {}),
              },
              auth: { type: "ssh", knownHosts: git.knownHosts },
              sync: { path: `./${PLATFORM_DIR}`, interval: "1m", retryInterval: "20s" },
            },
          },
        };
        fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), stringify(config));
        await pulumi.run(["stack", "init", stack]);
        await pulumi.run(
          ["config", "set", "--stack", stack, "--secret", "--path", "platform:flux.auth.privateKey"],
          {
            input: git.identity,
          },
        );
        await pulumi.run(["up", "--stack", stack, "--yes", "--skip-preview"]);
        await kubelet.ready(controllers, 180_000);
        const running = kubelet.running();
        for (const s of shards) {
          const args = running[`kustomize-controller-${s}`] ?? [];
          if (!args.includes(`--watch-label-selector=${SHARD_KEY} in (${s})`))
            throw new Error(`kustomize-controller-${s} runs without its shard's selector: ${args.join(" ")}`);
        }
        if (
          shards.length &&
          !running["kustomize-controller"].includes(`--watch-label-selector=!${SHARD_KEY}`)
        )
          throw new Error(`kustomize-controller runs without --watch-label-selector=!${SHARD_KEY}`);
        const want = run.scaling ? `--concurrent=${run.scaling.concurrency.kustomize}` : undefined;
        const got = running["kustomize-controller"].filter((a) => a.startsWith("--concurrent"));
        if (JSON.stringify(got) !== JSON.stringify(want ? [want] : []))
          throw new Error(`kustomize-controller runs with ${JSON.stringify(got)}, want ${want ?? "none"}`);
        // In-memory builds: each kustomize-controller's /tmp (its TMPDIR) on the tmpfs, and only then.
        for (const c of controllers.filter((x) => x.startsWith("kustomize-controller"))) {
          const where = tmpdirOf(h.sup.find(`${prefix}${c}`)?.pid ?? -1);
          if (onTmpfs(where) !== Boolean(run.scaling?.inMemoryBuilds))
            throw new Error(
              `${c} unpacks in ${where}, ${onTmpfs(where) ? "" : "not "}on a tmpfs; want ${run.scaling?.inMemoryBuilds ? "in memory" : "on disk"}`,
            );
        }
      });

      await h.step(
        `[${run.name}] the platform's slices layer Ready at v1.0.0 (${shipped.length} shipped instance)`,
        () =>
          plane.kube.waitCondition(KS, "Kustomization", "slices", FLUX, {
            timeoutMs: 300_000,
            check: () => h.sup.assertAlive(),
            accept: (o) => appliedOf(o).startsWith("v1.0.0@"),
          }),
      );

      const tag = `v1.${k + 1}.0`;
      await h.step(
        `[${run.name}] tag ${tag} pushed: ${N} slice instances${shards.length ? " over the shards" : ""}`,
        async () => {
          await repo.commit(
            { ...base, ...sliceFiles(N, shards, run.subset?.name) },
            `fleet ${tag}: ${N} slice instances`,
          );
          await repo.tag(tag);
        },
      );

      const controlPlane = ["kube-apiserver", "etcd"];
      const usage = () =>
        Object.fromEntries(
          [...controllers, ...controlPlane].map(
            (c) => [c, procUsage(h.sup.find(`${prefix}${c}`)?.pid ?? -1)] as const,
          ),
        ) as Record<string, ProcUsage | undefined>;
      const before = usage();
      // What `pulumi up` with the new tag changes: the root source and its subsets follow the tag.
      const t0 = Date.now();
      for (const name of [FLUX, ...(run.subset ? [run.subset.name] : [])])
        await plane.kube.mergePatch(SRC, "GitRepository", name, FLUX, {
          spec: { ref: { tag } },
          metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date(t0).toISOString() } },
        });
      const total = N + shipped.length;
      let last = "";
      await h.step(
        `[${run.name}] all ${total} slice Kustomizations Ready at ${tag}, ${total} Slice objects`,
        () =>
          waitFor(
            `${total} slice Kustomizations Ready at ${tag}`,
            async () => {
              h.sup.assertAlive();
              const ks = await plane.kube.list(KS, "Kustomization", FLUX, "catalog.platform.io/model");
              const ready = ks.filter((o) => isReady(o) && appliedOf(o).startsWith(`${tag}@`));
              const slices = await plane.kube.list(SLICE, "Slice", "slices");
              last = `${ks.length} slice Kustomizations, ${ready.length} Ready at ${tag}; ${slices.length} Slice objects`;
              return ks.length === total && ready.length === total && slices.length === total
                ? true
                : undefined;
            },
            { timeoutMs: ROLLOUT_MS, intervalMs: 1000, lastReason: () => last },
          ),
      );
      const seconds = secondsSince(t0);
      const after = usage();

      await h.step(
        `[${run.name}] exact counts: ${total} Kustomizations, ${total} Slices, ${total} slice-vars ConfigMaps`,
        async () => {
          const ks = await plane.kube.list(KS, "Kustomization", FLUX, "catalog.platform.io/model");
          const cms = await plane.kube.list("v1", "ConfigMap", FLUX, "catalog.platform.io/model");
          const slices = await plane.kube.list(SLICE, "Slice", "slices");
          if (ks.length !== total || cms.length !== total || slices.length !== total)
            throw new Error(
              `${ks.length} Kustomizations, ${cms.length} ConfigMaps, ${slices.length} Slices; want ${total} each`,
            );
          for (const s of shards) {
            const labelled = ks.filter((o) => labelsOf(o)[SHARD_KEY] === s).length;
            const want = Array.from({ length: N }, (_, i) => shardOf(i + 1, shards)).filter(
              (x) => x === s,
            ).length;
            if (labelled !== want)
              throw new Error(`${labelled} Kustomizations labelled ${SHARD_KEY}: ${s}, want ${want}`);
          }
        },
      );

      const subset = run.subset;
      if (subset)
        await h.step(
          `[${run.name}] the ${N} instances pull from GitRepository ${subset.name}, whose artifact holds ${subset.dirs.join(", ")} only`,
          async () => {
            const ks = await plane.kube.list(KS, "Kustomization", FLUX, "catalog.platform.io/model");
            const fromSubset = ks.filter(
              (o) => (o.spec as { sourceRef?: { name?: string } }).sourceRef?.name === subset.name,
            );
            if (fromSubset.length !== N)
              throw new Error(
                `${fromSubset.length} slice Kustomizations pull from ${subset.name}, want ${N}`,
              );
            const sizeOf = async (name: string) => {
              const o = await plane.kube.get(SRC, "GitRepository", name, FLUX);
              if (!o) throw new Error(`GitRepository ${FLUX}/${name} does not exist`);
              const st = o.status as { artifact?: { size?: number; revision?: string } } | undefined;
              if (!st?.artifact?.revision?.startsWith(`${tag}@`))
                throw new Error(`GitRepository ${name} has artifact ${st?.artifact?.revision}, want ${tag}`);
              return { size: st.artifact.size ?? 0, spec: o.spec as { sparseCheckout?: string[] } };
            };
            const root = await sizeOf(FLUX);
            const part = await sizeOf(subset.name);
            if (JSON.stringify(part.spec.sparseCheckout) !== JSON.stringify(subset.dirs))
              throw new Error(
                `${subset.name} has sparseCheckout ${JSON.stringify(part.spec.sparseCheckout)}`,
              );
            h.figure(
              `[${run.name}] artifact sizes`,
              `${FLUX} ${root.size} bytes, ${subset.name} ${part.size} bytes`,
            );
            // The subset leaves out every platform's files: N instances' folders at least.
            if (!(part.size > 0 && part.size * 4 < root.size))
              throw new Error(
                `${subset.name}'s artifact (${part.size} bytes) is not much smaller than ${FLUX}'s (${root.size} bytes): the subset carries more than ${subset.dirs.join(", ")}`,
              );
          },
        );

      if (shards.length)
        await h.step(
          `[${run.name}] each shard's instances reconciled by its own kustomize-controller only`,
          async () => {
            const ks = await plane.kube.list(KS, "Kustomization", FLUX, "catalog.platform.io/model");
            // The Kustomizations a controller reconciled: its "Reconciliation finished" lines name them.
            const reconciledBy = (c: string) =>
              new Set(
                [
                  ...fs
                    .readFileSync(h.sup.find(`${prefix}${c}`)!.logFile, "utf8")
                    .matchAll(/Reconciliation finished.*?"Kustomization": \{"name":"([^"]+)"/g),
                ].map((m) => m[1]),
              );
            const by = Object.fromEntries(
              ["kustomize-controller", ...shards.map((s) => `kustomize-controller-${s}`)].map((c) => [
                c,
                reconciledBy(c),
              ]),
            );
            for (const o of ks) {
              const owner = labelsOf(o)[SHARD_KEY];
              const want = owner ? `kustomize-controller-${owner}` : "kustomize-controller";
              const seen = Object.keys(by).filter((c) => by[c].has(o.metadata.name));
              if (seen.length !== 1 || seen[0] !== want)
                throw new Error(
                  `Kustomization ${o.metadata.name} (shard ${owner ?? "none"}) was reconciled by ${JSON.stringify(seen)}, want only ${want}`,
                );
            }
          },
        );

      const cpuOf = (names: string[]) =>
        names
          .map((c) => `${c} ${((after[c]?.cpuSeconds ?? 0) - (before[c]?.cpuSeconds ?? 0)).toFixed(1)}s`)
          .join(", ");
      const cpu = cpuOf(controllers);
      const rss = controllers.map((c) => `${c} ${after[c]?.peakRssMiB ?? "?"}MiB`).join(", ");
      h.figure(`[${run.name}] ${run.label}: tag to all Ready`, `${seconds}s`);
      h.figure(`[${run.name}] controller CPU over that span`, cpu);
      h.figure(`[${run.name}] control plane CPU over that span`, cpuOf(controlPlane));
      h.figure(`[${run.name}] controller peak RSS`, rss);
      summary.push(`${run.label}: ${seconds}s`);

      await h.step(`[${run.name}] control plane and controllers stopped`, async () => {
        await kubelet.stop();
        plane.kube.close();
        await h.sup.stop([`${prefix}kube-controller-manager`, `${prefix}kube-apiserver`, `${prefix}etcd`]);
      });
    }
    h.figure(`${N} slices, tag to all Ready`, summary.join("; "));
  },
);
