import { stringify } from "yaml";
import { ManifestCache, parseManifests } from "../../../automation/gitops/shared/manifests";
import { objectVariables, tracedDoc } from "../../../automation/gitops/shared/trace";
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

describe("objectVariables", () => {
  // What the manifest reader finds in the object's YAML text, which the trace used to parse per object.
  const fromText = (object: Record<string, unknown>) =>
    parseManifests("x.yaml", stringify(object)).docs[0].variables.map(({ line: _, ...v }) => v);

  it("finds each reference of every document of the shipped tree as its YAML text gives it", () => {
    const cache = new ManifestCache(SHIPPED);
    const docs = cache.allFiles().flatMap((f) => cache.read(f).docs);
    const withVariables = docs.filter((d) => d.variables.length);
    expect(withVariables.length).toBeGreaterThanOrEqual(15);
    for (const d of docs) expect([d.file, objectVariables(d.object)]).toEqual([d.file, fromText(d.object)]);
  });

  it("keys, list items, several references in one value, defaults and invalid names", () => {
    const object = {
      kind: "ConfigMap",
      metadata: { name: "n-${A}", labels: { "${KEY}": "${B:=1}" } },
      data: { list: ["${C}", { deep: " ${D} " }, "${E}-${F}", "$${G}", "${not valid}"], n: 1, t: true },
    };
    expect(objectVariables(object)).toEqual(fromText(object));
    expect(
      objectVariables(object).map((v) => [v.text, v.at.join("."), v.whole, v.hasDefault, v.invalid]),
    ).toEqual([
      ["${A}", "metadata.name", false, false, false],
      ["${KEY}", "metadata.labels", false, false, false],
      ["${B:=1}", "metadata.labels.${KEY}", true, true, false],
      ["${C}", "data.list.*", true, false, false],
      ["${D}", "data.list.*.deep", true, false, false],
      ["${E}", "data.list.*", false, false, false],
      ["${F}", "data.list.*", false, false, false],
      ["${not valid}", "data.list.*", true, false, true],
    ]);
  });
});
