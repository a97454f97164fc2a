import { parseFluxDiff, parseFluxGet, sameRevision } from "../../e2e/harness/fluxCli";

describe("the flux CLI oracle's reading of flux get", () => {
  it("reads the first five columns of each row, not the message", () => {
    const out = [
      "NAMESPACE  \tNAME       \tREVISION          \tSUSPENDED\tREADY\tMESSAGE                                           ",
      "flux-system\tflux-system\tmain@sha1:75df959d\tFalse    \tTrue \tstored artifact for revision 'main@sha1:75df959d'\t",
      "flux-system\tslices     \t                  \tFalse    \tFalse\tdependency 'flux-system/apps' is not ready",
      "",
    ].join("\n");
    expect(parseFluxGet(out)).toEqual([
      {
        namespace: "flux-system",
        name: "flux-system",
        revision: "main@sha1:75df959d",
        suspended: "False",
        ready: "True",
      },
      {
        namespace: "flux-system",
        name: "slices",
        revision: "",
        suspended: "False",
        ready: "False",
      },
    ]);
  });

  it("reads a table aligned with spaces by the header's columns", () => {
    const out = ["NAMESPACE  \tNAME       \tREVISION          \tSUSPENDED\tREADY\tMESSAGE"]
      .join("")
      .replace(/\t/g, " ");
    const rows = [
      "flux-system flux-system main@sha1:75df959d False     True  stored artifact",
      "flux-system slices                         False     False dependency 'flux-system/apps' is not ready",
    ];
    expect(parseFluxGet([out, ...rows].join("\n"))).toEqual([
      {
        namespace: "flux-system",
        name: "flux-system",
        revision: "main@sha1:75df959d",
        suspended: "False",
        ready: "True",
      },
      { namespace: "flux-system", name: "slices", revision: "", suspended: "False", ready: "False" },
    ]);
  });

  it("refuses output without the table", () => {
    expect(() => parseFluxGet("✗ no Kustomization objects found\n")).toThrow(
      "flux get printed no NAMESPACE NAME REVISION SUSPENDED READY table",
    );
  });

  it.each([
    ["main@sha1:75df959d", "main@sha1:75df959d01dab7f1f6ac2b05895ff4e5764855c5", true],
    ["v1.0.0@sha1:75df959d", "v1.0.0@sha1:75df959d01dab7f1f6ac2b05895ff4e5764855c5", true],
    ["main@sha1:75df959e", "main@sha1:75df959d01dab7f1f6ac2b05895ff4e5764855c5", false],
    ["main@sha1:75df", "main@sha1:75df959d01dab7f1f6ac2b05895ff4e5764855c5", false],
    ["v1.0.0@sha256:abc", "v1.0.0@sha256:abc", true],
  ])("%s shows %s: %s", (shown, full, same) => {
    expect(sameRevision(shown, full)).toBe(same);
  });
});

describe("the flux CLI oracle's reading of flux diff kustomization", () => {
  it("reads each created, drifted and deleted object, colours stripped, not the diff text nor the headers", () => {
    const out = [
      "\u001b[32m► Kustomization/flux-system/slice-2-ab0001 created\u001b[0m",
      "► ConfigMap/flux-system/slice-vars-2-ab0001 created",
      "📁 Kustomization/flux-system/slices changed",
      "► ConfigMap/flux-system/upf-values drifted",
      "",
      "data.values.yaml",
      "  ± value change",
      "    - logLevel: debug",
      "    + logLevel: info",
      "► Namespace/vendor skipped",
      "\u001b[31m► ClusterRole/old-reader deleted\u001b[0m",
      "",
    ].join("\n");
    expect(parseFluxDiff(out)).toEqual([
      { object: "Kustomization/flux-system/slice-2-ab0001", change: "created" },
      { object: "ConfigMap/flux-system/slice-vars-2-ab0001", change: "created" },
      { object: "ConfigMap/flux-system/upf-values", change: "drifted" },
      { object: "ClusterRole/old-reader", change: "deleted" },
    ]);
  });
});
