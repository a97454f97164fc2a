import { ManifestCache } from "../../../automation/gitops/shared/manifests";
import { tracedDoc } from "../../../automation/gitops/shared/trace";
import { SHIPPED } from "./helpers";

describe("tracedDoc", () => {
  const cache = new ManifestCache(SHIPPED);
  const where = { file: "clusters/de-dev/slices/1-def922/slice.yaml", line: 15 };

  it("points a reference at the model's line, a patch's reference at the patch", () => {
    const doc = tracedDoc(
      cache,
      {
        object: {
          apiVersion: "catalog.platform.io/v1alpha1",
          kind: "Slice",
          metadata: { name: "slice-${SST}-${SD}" },
          spec: { priority: "${SLICE_PRIORITY:=7}", plmnID: "${MCC}-${MNC}" },
        },
        origin: { file: "catalog/slices/embb/slice.yaml" },
      },
      ["clusters/de-dev/overlays/embb/kustomization.yaml", "clusters/de-dev/overlays/embb/slice-lab.yaml"],
      where,
    );
    expect([doc.file, doc.line, doc.lineOf(["spec", "plmnID"])]).toEqual([
      "catalog/slices/embb/slice.yaml",
      7,
      16,
    ]);
    expect(doc.variables.map((v) => [v.text, v.file ?? doc.file, v.line, v.untraced ?? false])).toEqual([
      ["${SST}", "catalog/slices/embb/slice.yaml", 10, false],
      ["${SD}", "catalog/slices/embb/slice.yaml", 10, false],
      ["${SLICE_PRIORITY:=7}", "clusters/de-dev/overlays/embb/slice-lab.yaml", 9, false],
      ["${MCC}", "catalog/slices/embb/slice.yaml", 16, false],
      ["${MNC}", "catalog/slices/embb/slice.yaml", 16, false],
    ]);
  });

  it("says when a reference kustomize made cannot be traced, and shows the object's line", () => {
    const doc = tracedDoc(
      cache,
      {
        object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "${MADE_UP}" } },
        origin: { configuredIn: "clusters/de-dev/overlays/embb/kustomization.yaml" },
      },
      [],
      where,
    );
    expect(doc.variables.map((v) => [v.text, doc.file, v.line, v.untraced])).toEqual([
      ["${MADE_UP}", "clusters/de-dev/overlays/embb/kustomization.yaml", 17, true],
    ]);
  });
});
