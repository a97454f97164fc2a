/** `gitops:new-slice --source`: the instance pulls its model from a subset of the root source (flux.source.subsets). */
import * as path from "node:path";
import { parseNewSliceArgs, readSliceModel, scaffoldSlice, ScaffoldError } from "../../../automation/gitops";
import { SHIPPED } from "./helpers";

const EMBB = { SST: "1", SD: "def922", NSIID: "1", DNN: "internet", MCC: "262", MNC: "01" };
const model = readSliceModel(path.resolve(SHIPPED), "embb");

describe("gitops:new-slice --source", () => {
  it("points the instance's sourceRef at the subset, and at flux-system without it", () => {
    expect(parseNewSliceArgs(["--cluster", "local", "--source", "slice-catalog"]).source).toBe(
      "slice-catalog",
    );
    const [slice] = scaffoldSlice({ cluster: "local", model, values: EMBB, source: "slice-catalog" });
    expect(slice.content).toContain(
      "  path: ./catalog/slices/embb\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: slice-catalog\n",
    );
    const [plain] = scaffoldSlice({ cluster: "local", model, values: EMBB });
    expect(plain.content).toContain("  sourceRef:\n    kind: GitRepository\n    name: flux-system\n");
  });

  it("refuses a name that is not a Kubernetes name", () => {
    expect(() => parseNewSliceArgs(["--cluster", "local", "--source", "Slice_Catalog"])).toThrow(
      new ScaffoldError(
        "--source Slice_Catalog: must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are: it names a GitRepository in flux-system, one of the platform's flux.source.subsets",
      ),
    );
  });

  it("refuses a subset on a platform whose root is an OCIRepository", () => {
    expect(() =>
      scaffoldSlice({
        cluster: "local",
        model,
        values: EMBB,
        source: "slice-catalog",
        sourceKind: "OCIRepository",
      }),
    ).toThrow(
      new ScaffoldError(
        "--source slice-catalog: platform local pulls from an OCIRepository, which is always fetched whole; subsets (flux.source.subsets) are GitRepository objects of a Git root: leave out --source",
      ),
    );
  });
});
