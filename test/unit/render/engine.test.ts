import * as pulumi from "@pulumi/pulumi";
import { DuplicateUrnError, runOnMocks, UnexpectedInvokeError } from "../../../automation/render/engine";

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}
class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Group", name, {}, opts);
    new Thing(`${name}-a`, { n: 1 }, { parent: this });
    this.registerOutputs({});
  }
}

describe("offline engine", () => {
  it("records type, name, URN, parent, dependsOn and inputs", async () => {
    const run = await runOnMocks(
      async () => {
        const g = new Group("g");
        const t = new Thing("t", { secret: pulumi.secret("s"), plain: "p" }, { dependsOn: [g] });
        return { id: t.id };
      },
      { project: "p", stack: "s" },
    );
    expect(
      run.resources.map(({ type, name, urn, parent, dependsOn, component }) => ({
        type,
        name,
        urn,
        parent,
        dependsOn,
        component,
      })),
    ).toEqual([
      {
        type: "test:index:Group",
        name: "g",
        urn: "urn:pulumi:s::p::test:index:Group::g",
        parent: undefined,
        dependsOn: [],
        component: true,
      },
      {
        type: "test:index:Thing",
        name: "g-a",
        urn: "urn:pulumi:s::p::test:index:Group$test:index:Thing::g-a",
        parent: "test:index:Group::g",
        dependsOn: [],
        component: false,
      },
      {
        type: "test:index:Thing",
        name: "t",
        urn: "urn:pulumi:s::p::test:index:Thing::t",
        parent: undefined,
        dependsOn: ["test:index:Group::g"],
        component: false,
      },
    ]);
    expect(run.resources[2].inputs).toEqual({
      plain: "p",
      secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s" },
    });
    expect(run.outputs).toEqual({ id: "t-id" });
  });

  it("records assets and archives by kind and value (the mock monitor hands their fields over as promises)", async () => {
    const { asset } = pulumi;
    const run = await runOnMocks(
      async () => {
        new Thing("t", {
          file: new asset.FileAsset("artifacts/install.sh"),
          text: pulumi.secret(new asset.StringAsset("hello")),
          remote: new asset.RemoteAsset("https://example.net/a"),
          dir: new asset.FileArchive("artifacts"),
          archive: new asset.AssetArchive({
            "a.txt": new asset.StringAsset("a"),
            sub: new asset.FileArchive("sub"),
          }),
          nested: [{ f: new asset.FileAsset("x") }],
        });
      },
      { project: "p", stack: "s" },
    );
    expect(run.resources[0].inputs).toEqual({
      file: { fileAsset: "artifacts/install.sh" },
      text: {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        value: { stringAsset: "hello" },
      },
      remote: { remoteAsset: "https://example.net/a" },
      dir: { fileArchive: "artifacts" },
      archive: { assetArchive: { "a.txt": { stringAsset: "a" }, sub: { fileArchive: "sub" } } },
      nested: [{ f: { fileAsset: "x" } }],
    });
  });

  it("fails on a duplicate URN, which the mock monitor would silently overwrite", async () => {
    await expect(
      runOnMocks(
        async () => {
          new Thing("same", {});
          new Thing("same", {});
        },
        { project: "p", stack: "s" },
      ),
    ).rejects.toThrow(
      new DuplicateUrnError(
        "duplicate URN urn:pulumi:s::p::test:index:Thing::same: two resources share a type, name and parent",
      ),
    );
  });

  it("fails on an invoke it has no answer for", async () => {
    await expect(
      runOnMocks(async () => pulumi.runtime.invoke("aws:index/getRegion:getRegion", {}), {
        project: "p",
        stack: "s",
      }),
    ).rejects.toThrow(
      new UnexpectedInvokeError(
        "unexpected invoke aws:index/getRegion:getRegion: add an answer for it to the offline engine (automation/render/placeholders.ts)",
      ),
    );
  });

  it("answers known invokes", async () => {
    const run = await runOnMocks(async () => pulumi.runtime.invoke("test:index:answer", { q: 1 }), {
      project: "p",
      stack: "s",
      invokes: { "test:index:answer": (inputs) => ({ a: Number(inputs.q) + 1 }) },
    });
    expect(run.outputs).toEqual({ a: 2 });
  });

  it("sets the providers' config (aws:region, …) the stack file gives", async () => {
    const run = await runOnMocks(async () => ({ region: new pulumi.Config("aws").get("region") }), {
      project: "p",
      stack: "s",
      config: { "aws:region": "eu-west-1" },
    });
    expect(run.outputs).toEqual({ region: "eu-west-1" });
  });
});
