/** The destroy diff: what a cluster holds beyond a snapshot, and what it lost. */
import { snapshotDiff } from "../../e2e/harness/snapshot";

describe("snapshotDiff", () => {
  it("names what was added and what was removed, sorted", () => {
    const before = new Set(["Namespace default", "v1 keep", "rbac.authorization.k8s.io/ClusterRole admin"]);
    const after = new Set([
      "Namespace default",
      "rbac.authorization.k8s.io/ClusterRole leftover",
      "apiextensions.k8s.io/CustomResourceDefinition slices.catalog.platform.io",
      "rbac.authorization.k8s.io/ClusterRole admin",
    ]);
    expect(snapshotDiff(before, after)).toEqual({
      added: [
        "apiextensions.k8s.io/CustomResourceDefinition slices.catalog.platform.io",
        "rbac.authorization.k8s.io/ClusterRole leftover",
      ],
      removed: ["v1 keep"],
    });
  });
});
