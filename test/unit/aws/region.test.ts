import * as pulumi from "@pulumi/pulumi";
import { deployValues, eksValues, json, named } from "./fixtures";

describe("AWS region", () => {
  afterAll(() => pulumi.runtime.setConfig("aws:region", ""));

  it("takes aws:region from the stack config for the provider, the kubeconfig and cluster-vars", async () => {
    pulumi.runtime.setConfig("aws:region", "eu-west-1");
    const d = await deployValues(eksValues({ dns: undefined, secrets: undefined }));
    const provider = named(d, "pulumi:providers:aws", "aws").inputs;
    expect([provider.region, json(provider.defaultTags)]).toEqual([
      "eu-west-1",
      { tags: { environment: "dev", "managed-by": "pulumi", owner: "net-int", platform: "de-dev" } },
    ]);
    expect((d.outputs.clusterVars as Record<string, string>).AWS_REGION).toBe("eu-west-1");
    expect(d.inputs("de-dev-provider").kubeconfig).toContain("- --region\n          - eu-west-1\n");
  });
});
