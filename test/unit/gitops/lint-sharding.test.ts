/**
 * gitops:lint on Flux sharding: an object labelled `sharding.fluxcd.io/key` for a shard its platform
 * does not declare (flux.install.scaling.shards) is reconciled by no controller.
 */
import * as fs from "node:fs";
import { shardingFindings } from "../../../automation/gitops/lint/sharding";
import {
  platformShards,
  treeContextOf,
  type PlatformShards,
} from "../../../automation/gitops/shared/contract";
import { ManifestCache } from "../../../automation/gitops/shared/manifests";
import { walkTree } from "../../../automation/gitops/shared/tree";
import * as path from "node:path";
import { readStackConfig } from "../../../automation/render";
import { parsePlatformConfig } from "../../../stacks/config";
import { copyOfShipped, edit, lintLines, shippedContracts } from "./helpers";

const ROOT = path.join(__dirname, "..", "..", "..");
// Each lint runs kustomize over the repository: seconds on a loaded machine; not a timing test.
jest.setTimeout(60_000);

const SLICE_1 = "clusters/de-dev/slices/1-def922/slice.yaml";
const SLICE_2 = "clusters/de-dev/slices/2-ab0001/slice.yaml";
const UPF = "apps/network-functions/upf.yaml";
const ESO = "infrastructure/controllers/external-secrets.yaml";

const KS = ["kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io"];
const shards = (names: string[], groups = KS): PlatformShards => ({ names, groups, file: "Pulumi.dev.yaml" });

/** Label the object whose metadata starts with `nameLine` (its `name:` and `namespace:` lines). */
const label = (repo: string, file: string, nameLines: string, shard: string, hasLabels = false) =>
  hasLabels
    ? edit(
        repo,
        file,
        `${nameLines}  labels:\n`,
        `${nameLines}  labels:\n    sharding.fluxcd.io/key: ${shard}\n`,
      )
    : edit(repo, file, nameLines, `${nameLines}  labels:\n    sharding.fluxcd.io/key: ${shard}\n`);

/** A copy of the shipped repository with shard labels on two slices, upf's HelmRelease and a HelmRepository. */
function labelledCopy(): string {
  const repo = copyOfShipped();
  label(repo, SLICE_1, "  name: slice-1-def922\n  namespace: flux-system\n", "shard3", true);
  label(repo, SLICE_2, "  name: slice-2-ab0001\n  namespace: flux-system\n", "shard2", true);
  label(repo, UPF, "  name: upf\n  namespace: flux-system\n", "shard9");
  label(repo, ESO, "  name: external-secrets\n  namespace: external-secrets\n", "shard7");
  return repo;
}

const message = (id: string, shard: string, declared: string) =>
  `${id}: label sharding.fluxcd.io/key: "${shard}" names a shard platform de-dev does not declare (flux.install.scaling.shards in Pulumi.dev.yaml: ${declared}), and its main controllers reconcile only objects without that label, so no controller reconciles it: label it with one of ${declared} (npm run gitops:new-slice -- --shard <shard>), or add "${shard}" to flux.install.scaling.shards (de-dev)`;

describe("gitops:lint on shard labels", () => {
  let repo: string;
  beforeAll(() => {
    repo = labelledCopy();
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("reports the Kustomizations and HelmReleases labelled for a shard the platform does not declare", async () => {
    const contracts = shippedContracts();
    contracts.set("de-dev", { ...contracts.get("de-dev")!, shards: shards(["shard1", "shard2"]) });
    expect(await lintLines(repo, contracts)).toEqual([
      `${UPF}:12: [shard] ${message("HelmRelease flux-system/upf", "shard9", "shard1, shard2")}`,
      `${SLICE_1}:9: [shard] ${message("Kustomization flux-system/slice-1-def922", "shard3", "shard1, shard2")}`,
    ]);
  });

  it("with the operator, reports the sources too (its shards include source-controller)", async () => {
    const contracts = shippedContracts();
    contracts.set("de-dev", {
      ...contracts.get("de-dev")!,
      shards: shards(["shard1", "shard2"], [...KS, "source.toolkit.fluxcd.io"]),
    });
    expect(await lintLines(repo, contracts)).toEqual([
      `${UPF}:12: [shard] ${message("HelmRelease flux-system/upf", "shard9", "shard1, shard2")}`,
      `${SLICE_1}:9: [shard] ${message("Kustomization flux-system/slice-1-def922", "shard3", "shard1, shard2")}`,
      `${ESO}:14: [shard] ${message("HelmRepository external-secrets/external-secrets", "shard7", "shard1, shard2")}`,
    ]);
  });

  it("reports nothing without shards (no controller filters on the label) or when the shards are not known", () => {
    const contract = shippedContracts().get("de-dev")!;
    const tree = walkTree(new ManifestCache(repo), treeContextOf(contract));
    expect(shardingFindings(tree, shards([]))).toEqual([]);
    expect(shardingFindings(tree, undefined)).toEqual([]);
    // The same tree with the shards declared: the hand-written walk finds what the lint finds.
    expect(
      shardingFindings(tree, shards(["shard1", "shard2", "shard3"])).map((f) => `${f.file}:${f.line}`),
    ).toEqual([`${UPF}:12`]);
  });
});

describe("platformShards", () => {
  /** The local stack with `install` as its flux.install. */
  const config = async (install: Record<string, unknown>) => {
    const source = await readStackConfig(ROOT, "local");
    const flux = source.values.flux as Record<string, unknown>;
    return parsePlatformConfig({ ...source, values: { ...source.values, flux: { ...flux, install } } });
  };

  it("takes the stack's shards, and the source kinds only with the operator", async () => {
    expect(platformShards(await config({ scaling: { shards: ["a", "b"] } }), "Pulumi.local.yaml")).toEqual({
      names: ["a", "b"],
      groups: KS,
      file: "Pulumi.local.yaml",
    });
    expect(
      platformShards(await config({ mode: "operator", scaling: { shards: ["a"] } }), "Pulumi.local.yaml")
        .groups,
    ).toEqual([...KS, "source.toolkit.fluxcd.io"]);
    expect(platformShards(await config({}), "Pulumi.local.yaml").names).toEqual([]);
  });
});
