import type { RecordedResource } from "../../automation/render/engine";
import { toPolicyResources } from "../../automation/check/adapter";
import { PolicyRuleError, runPolicies } from "../../automation/check/run";
import type { PlatformResourcePolicy, PlatformStackPolicy } from "../../policy/rules";

const rec = (type: string, name: string, more: Partial<RecordedResource> = {}): RecordedResource => ({
  type,
  name,
  urn: `urn:pulumi:t::platform::${type}::${name}`,
  component: false,
  dependsOn: [],
  inputs: {},
  ...more,
});

const recorded = [
  rec("platform:cluster:ExistingCluster", "c", { component: true }),
  rec("pulumi:providers:kubernetes", "c-provider", {
    parent: "platform:cluster:ExistingCluster::c",
    inputs: { a: 1 },
  }),
  rec("kubernetes:core/v1:Namespace", "ns", { provider: "pulumi:providers:kubernetes::c-provider" }),
  rec("kubernetes:core/v1:ConfigMap", "cm", {
    provider: "pulumi:providers:kubernetes::c-provider",
    dependsOn: ["kubernetes:core/v1:Namespace::ns"],
  }),
];

describe("toPolicyResources", () => {
  it("links parent, dependencies and provider as the engine does", () => {
    const [cluster, provider, ns, cm] = toPolicyResources(recorded);
    expect(provider.parent).toBe(cluster);
    expect(provider.opts.parent).toBe(cluster.urn);
    expect(cm.dependencies).toEqual([ns]);
    expect(cm.provider).toEqual({
      type: "pulumi:providers:kubernetes",
      name: "c-provider",
      urn: provider.urn,
      props: { a: 1 },
    });
    expect(cm.props).toBe(recorded[3].inputs);
    expect(cm.isType({ __pulumiType: "kubernetes:core/v1:ConfigMap" } as never)).toBe(true);
  });
});

describe("propertyDependencies offline", () => {
  it("links inputs holding another resource's offline id, as the engine's property dependencies", () => {
    const [subnet, ng] = toPolicyResources([
      rec("aws:ec2/subnet:Subnet", "private-a"),
      rec("aws:eks/nodeGroup:NodeGroup", "ng", {
        inputs: { subnetIds: ["private-a-id", "elsewhere"], name: "x" },
      }),
    ]);
    expect(ng.propertyDependencies).toEqual({ subnetIds: [subnet] });
  });
});

describe("runPolicies", () => {
  const resources = toPolicyResources(recorded);
  const base = {
    description: "x.",
    severity: "low",
    enforcementLevel: "advisory",
    configSchema: { properties: { n: { type: "integer", default: 3 } } },
  } as const;
  const perResource: PlatformResourcePolicy = {
    ...base,
    name: "r",
    validateResource: (args, report) => {
      if (args.type !== "kubernetes:core/v1:ConfigMap") args.notApplicable("only ConfigMaps");
      report(`n=${args.getConfig<{ n: number }>().n} provider=${args.provider?.name}`);
    },
  };
  const perStack: PlatformStackPolicy = {
    ...base,
    name: "s",
    validateStack: (args, report) => report(`${args.resources.length} resources`, args.resources[2].urn),
  };

  it("runs each policy at its configured level, with its settings, skipping not-applicable resources", async () => {
    expect(
      await runPolicies(resources, [perResource, perStack], { r: { enforcementLevel: "mandatory", n: 5 } }),
    ).toEqual([
      {
        policy: "r",
        level: "mandatory",
        severity: "low",
        message: "n=5 provider=c-provider",
        resource: { type: "kubernetes:core/v1:ConfigMap", name: "cm", urn: resources[3].urn },
      },
      {
        policy: "s",
        level: "advisory",
        severity: "low",
        message: "4 resources",
        resource: { type: "kubernetes:core/v1:Namespace", name: "ns", urn: resources[2].urn },
      },
    ]);
  });

  it("skips disabled policies", async () => {
    expect(await runPolicies(resources, [perResource, perStack], { all: "disabled" })).toEqual([]);
  });

  it("reports a rule that throws instead of hiding it", async () => {
    const broken: PlatformResourcePolicy = {
      ...perResource,
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await expect(runPolicies(resources, [broken], {})).rejects.toThrow(
      new PolicyRuleError("policy r failed on platform:cluster:ExistingCluster c: boom"),
    );
  });
});
