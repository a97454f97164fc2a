/** gitops:lint with flux.source.subsets: Kustomizations that pull their path from a subset of the root. */
import * as fs from "node:fs";
import { copyOfShipped, edit, lintLines, shippedContracts } from "./helpers";

const INSTANCE = "clusters/local/slices/1-def922/slice.yaml";

/** The shipped contracts, local's root source with the given subsets. */
const withSubsets = (subsets?: Record<string, string[]>) => {
  const contracts = shippedContracts();
  contracts.set("local", { ...contracts.get("local")!, ...(subsets ? { subsets } : {}) });
  return contracts;
};

describe("gitops:lint: a slice instance pulling from a subset of the root", () => {
  let repo: string;
  beforeAll(() => {
    repo = copyOfShipped();
    edit(repo, INSTANCE, "    name: flux-system\n", "    name: slice-catalog\n");
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("is clean when the platform's stack declares the subset with the model's directory", async () => {
    expect(await lintLines(repo, withSubsets({ "slice-catalog": ["./catalog/slices/"] }))).toEqual([]);
  });

  it("is a missing source when the stack declares no such subset", async () => {
    expect(await lintLines(repo, withSubsets())).toEqual([
      "clusters/local/slices/1-def922/slice.yaml:17: [reference] Kustomization flux-system/slice-1-def922: sourceRef GitRepository flux-system/slice-catalog does not exist in the tree of local (local)",
      "clusters/local/slices/1-def922/slice.yaml:23: [reference] Kustomization flux-system/slice-1-def922: health check target Slice slices/slice-1-def922 is not applied by any Kustomization of local (local)",
    ]);
  });

  it("is reported when the subset does not carry what the build reads", async () => {
    expect(await lintLines(repo, withSubsets({ "slice-catalog": ["catalog/crds"] }))).toEqual([
      "clusters/local/slices/1-def922/slice.yaml:14: [reference] Kustomization flux-system/slice-1-def922 path ./catalog/slices/embb: it pulls from GitRepository flux-system/slice-catalog, which carries only catalog/crds (flux.source.subsets.slice-catalog), but its build reads catalog/slices/embb, catalog/slices/embb/slice.yaml: add the directory to flux.source.subsets.slice-catalog in platform local's stack file, or pull from flux-system (local)",
      "clusters/local/slices/1-def922/slice.yaml:23: [reference] Kustomization flux-system/slice-1-def922: health check target Slice slices/slice-1-def922 is not applied by any Kustomization of local (local)",
    ]);
  });
});
