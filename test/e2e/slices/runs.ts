// The runs of test/e2e/sliceScale.ts: the settings each brings the platform up with, the instances it
// pushes (as `gitops:new-slice` writes them), and the checks of where a kustomize-controller unpacks.
import * as fs from "node:fs";
import * as path from "node:path";
import { readSliceModel, scaffoldSlice } from "../../../automation/gitops";
import { conditions, type KubeObject } from "../harness/kube";
import { REPO_ROOT } from "../harness/tools";

export const SHARD_KEY = "sharding.fluxcd.io/key";
/** The subset of the root source the `subset` run's instances pull their model from. */
export const CATALOG_SUBSET = "slice-catalog";

export interface Run {
  name: string;
  label: string;
  scaling?: {
    concurrency: { kustomize: number; helm: number; source: number };
    shards?: string[];
    inMemoryBuilds?: boolean;
  };
  /** flux.source.subsets, and the instances pull from this one (`gitops:new-slice --source`). */
  subset?: { name: string; dirs: string[] };
}

/** Every run, for a concurrency and a number of shards. */
export function allRuns(concurrency: number, shards: number): Run[] {
  const shardNames = Array.from({ length: shards }, (_, i) => `shard${i + 1}`);
  const tuned = {
    kustomize: concurrency,
    helm: concurrency,
    source: Math.max(2, Math.ceil(concurrency / 2)),
  };
  const memory = { concurrency: tuned, shards: shardNames, inMemoryBuilds: true };
  return [
    { name: "default", label: "Flux's default concurrency" },
    { name: "tuned", label: `concurrency ${concurrency}`, scaling: { concurrency: tuned } },
    {
      name: "sharded",
      label: `concurrency ${concurrency}, ${shards} shards`,
      scaling: { concurrency: tuned, shards: shardNames },
    },
    {
      name: "memory",
      label: `concurrency ${concurrency}, ${shards} shards, in-memory builds`,
      scaling: memory,
    },
    {
      name: "subset",
      label: `concurrency ${concurrency}, ${shards} shards, in-memory builds, catalog subset`,
      scaling: memory,
      subset: { name: CATALOG_SUBSET, dirs: ["catalog/slices"] },
    },
  ];
}

/** A process's TMPDIR (the folder its /tmp volume was given), resolved; "" when it has none. */
export const tmpdirOf = (pid: number) => {
  const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  const dir = env.find((e) => e.startsWith("TMPDIR="))?.slice("TMPDIR=".length);
  return dir ? fs.realpathSync(dir) : "";
};

/** Whether a folder is on a tmpfs mount (the longest mount point of /proc/mounts that holds it). */
export const onTmpfs = (dir: string) => {
  if (dir === "") return false;
  const mounts = fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f.length > 2 && (dir === f[1] || dir.startsWith(`${f[1].replace(/\/$/, "")}/`)))
    .sort((a, b) => b[1].length - a[1].length);
  return mounts[0]?.[2] === "tmpfs";
};

export const labelsOf = (o: KubeObject) => (o.metadata.labels ?? {}) as Record<string, string>;

export const isReady = (o: KubeObject) => {
  const c = conditions(o).find((x) => x.type === "Ready");
  const gen = (o.metadata as { generation?: number }).generation;
  return c?.status === "True" && (c.observedGeneration === undefined || c.observedGeneration === gen);
};

/** The shard of instance i (1-based) over the shards, as the runs spread them. */
export const shardOf = (i: number, shards: string[]) =>
  shards.length ? shards[i % shards.length] : undefined;

/**
 * N instances, as `gitops:new-slice --cluster local --model embb --sst 2 --sd <hex> … [--shard s]
 * [--source subset]` writes them.
 */
export function sliceFiles(n: number, shards: string[], source?: string): Record<string, string> {
  const model = readSliceModel(path.join(REPO_ROOT, "gitops"), "embb");
  const out: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const values = {
      SST: "2",
      SD: i.toString(16).padStart(6, "0"),
      NSIID: String(i),
      DNN: "internet",
      MCC: "001",
      MNC: "01",
    };
    const shard = shardOf(i, shards);
    const argv = Object.entries(values).flatMap(([k, v]) => [`--${k.toLowerCase()}`, v]);
    const command = `npm run gitops:new-slice -- --cluster local --model embb ${argv.join(" ")}${shard ? ` --shard ${shard}` : ""}${source ? ` --source ${source}` : ""}`;
    for (const f of scaffoldSlice({ cluster: "local", model, values, shard, source, command }))
      out[f.path] = f.content;
  }
  return out;
}
