// The official flux CLI as an oracle of gitops:diff: at a tag change, `flux diff kustomization`
// (the new revision's tree against the live cluster, server-side dry run) and `gitops:diff` (the
// two revisions built offline) must say the same objects change, the same way.
import * as path from "node:path";
import { fluxDiffKustomization, type FluxDiffChange } from "../harness/fluxCli";
import { runStatus } from "../harness/util";
import type { FleetDiff, DiffObject } from "../../../automation/gitops/diff/compare";
import { FLUX, KS, PLATFORM } from "./common";
import type { Scenario } from "./setup";

const id = (o: Pick<DiffObject, "kind" | "namespace" | "name">) =>
  o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;

/**
 * What gitops:diff says changes for the platform, as flux diff names it: added → created, changed →
 * drifted, removed → deleted (a rename is both). Only objects applied by a Kustomization the cluster
 * has now: `flux diff --recursive` does not descend into a Kustomization it would create.
 */
export function gitopsChanges(diff: FleetDiff, platform: string, live: Set<string>): FluxDiffChange[] {
  const p = diff.platforms.find((x) => x.platform === platform);
  if (!p)
    throw new Error(
      `gitops:diff reports no platform ${platform}: ${diff.platforms.map((x) => x.platform).join(", ")}`,
    );
  if (p.problems.length || diff.problems.length)
    throw new Error(
      `gitops:diff could not build everything: ${[...diff.problems, ...p.problems].join("; ")}`,
    );
  const applied = (o: DiffObject) => live.has(o.appliedBy);
  return [
    ...p.added.filter(applied).map((o) => ({ object: id(o), change: "created" as const })),
    ...p.changed.filter(applied).map((o) => ({ object: id(o), change: "drifted" as const })),
    ...p.removed.filter(applied).map((o) => ({ object: id(o), change: "deleted" as const })),
    ...p.renamed.flatMap((r) => [
      ...(applied(r.from) ? [{ object: id(r.from), change: "deleted" as const }] : []),
      ...(applied(r.to) ? [{ object: id(r.to), change: "created" as const }] : []),
    ]),
  ];
}

const sorted = (cs: FluxDiffChange[]) => cs.map((c) => `${c.change} ${c.object}`).sort();

/**
 * Both tools on the change from tag `from` to tag `to`, which exists in the fleet repository's
 * working clone and is not pushed yet (the cluster is still at `from`). `dropOne` removes one object
 * from gitops:diff's side: the deliberately broken variant (`--break flux-diff`).
 */
export async function fluxDiffAgrees(
  s: Scenario,
  from: string,
  to: string,
  dropOne: boolean,
): Promise<{ flux: string[]; ours: string[] }> {
  const clone = s.repo.workDir;
  const fluxSide = await fluxDiffKustomization(s.tools, s.cp.kubeconfig, {
    name: FLUX,
    namespace: FLUX,
    path: path.join(clone, "clusters/local"),
    localSource: `GitRepository/${FLUX}/${FLUX}`,
    sourceDir: clone,
  });
  const r = await runStatus(
    "npm",
    ["run", "-s", "gitops:diff", "--", from, to, "--repo", clone, "--project", s.project, "--json"],
    { cwd: s.project, env: s.pulumi.env, timeoutMs: 300_000 },
  );
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`gitops:diff ${from} ${to} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  const live = new Set(
    (await s.kube.list(KS, "Kustomization", FLUX)).map(
      (k) => `${String(k.metadata.namespace)}/${k.metadata.name}`,
    ),
  );
  const oursAll = gitopsChanges(JSON.parse(r.stdout) as FleetDiff, PLATFORM, live);
  const ours = sorted(dropOne ? oursAll.slice(1) : oursAll);
  const flux = sorted(fluxSide.changes);
  console.log(
    `\n  ${from} → ${to}\n  flux diff kustomization ${FLUX} --recursive:\n${flux.map((l) => `    ${l}`).join("\n")}\n  gitops:diff (objects of live Kustomizations):\n${ours.map((l) => `    ${l}`).join("\n")}`,
  );
  const onlyFlux = flux.filter((l) => !ours.includes(l));
  const onlyOurs = ours.filter((l) => !flux.includes(l));
  if (onlyFlux.length || onlyOurs.length || !flux.length)
    throw new Error(
      `flux diff and gitops:diff disagree on ${from} → ${to}: only flux says ${JSON.stringify(onlyFlux)}; only gitops:diff says ${JSON.stringify(onlyOurs)}${flux.length ? "" : " (and flux saw no change at all)"}\nflux diff output:\n${fluxSide.stdout}`,
    );
  return { flux, ours };
}
