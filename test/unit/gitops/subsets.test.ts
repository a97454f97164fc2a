/** gitops:lint with flux.source.subsets: Kustomizations that pull their path from a subset of the root. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { treeContextOf } from "../../../automation/gitops/shared/contract";
import { stackContracts } from "../../../automation/gitops/shared/stackContracts";
import { copyOfShipped, edit, lintLines, shippedContracts } from "./helpers";

const PROJECT = path.resolve(__dirname, "../../..");

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

describe("the contract of a stack file with flux.source.subsets", () => {
  it("carries the subsets to the tree the lint walks", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "subsets-"));
    try {
      fs.copyFileSync(path.join(PROJECT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      const local = fs.readFileSync(path.join(PROJECT, "Pulumi.local.yaml"), "utf8");
      const from = "      ref:\n        branch: main\n";
      expect(local).toContain(from);
      fs.writeFileSync(
        path.join(dir, "Pulumi.local.yaml"),
        local.replace(from, `${from}      subsets:\n        slice-catalog: [catalog/slices]\n`),
      );
      const { contracts, findings } = await stackContracts(dir);
      expect(findings).toEqual([]);
      expect(contracts.get("local")?.subsets).toEqual({ "slice-catalog": ["catalog/slices"] });
      expect(treeContextOf(contracts.get("local")!).subsets).toEqual({ "slice-catalog": ["catalog/slices"] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
