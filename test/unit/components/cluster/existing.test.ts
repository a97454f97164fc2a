import { ExistingCluster } from "../../../../components/cluster";
import { isSecretWrapped } from "../../../../automation/render/engine";
import { onEngine } from "../../../helpers/platform";

describe("ExistingCluster from its own arguments", () => {
  it("adopts the cluster through one Kubernetes provider, the kubeconfig always secret", async () => {
    const d = await onEngine(() => {
      const c = new ExistingCluster("kind", {
        clusterName: "kind-dev",
        kubeconfig: "apiVersion: v1\n",
        context: "ctx",
      });
      return { clusterName: c.clusterName, kubeconfig: c.kubeconfig };
    });
    expect(d.resources.map((r) => [`${r.type}::${r.name}`, r.parent, r.provider])).toEqual([
      ["platform:cluster:ExistingCluster::kind", undefined, undefined],
      ["pulumi:providers:kubernetes::kind-provider", "platform:cluster:ExistingCluster::kind", undefined],
    ]);
    const provider = d.get("kind-provider").inputs;
    expect(isSecretWrapped(provider.kubeconfig)).toBe(true);
    expect(d.inputs("kind-provider")).toEqual({
      kubeconfig: "apiVersion: v1\n",
      context: "ctx",
      enableServerSideApply: "true",
      enableConfigMapMutable: "true",
      enableSecretMutable: "true",
    });
    expect(d.outputs.clusterName).toBe("kind-dev");
  });
});
