import {
  renderFluxInstance,
  scalingArgs,
  transformInstallManifests,
} from "../../../../components/flux/manifests";
import type { K8sObject } from "../../../../components/flux/objects";
import { configError, installFixture, parse, withValues } from "../../../helpers/platform";

const EVENTS = "--events-addr=http://notification-controller.flux-system.svc.cluster.local./";
/** The install fixture with a helm-controller, as in Flux's install.yaml. */
const fixture = (): K8sObject[] => [
  ...installFixture(),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "helm-controller",
      namespace: "flux-system",
      labels: { "app.kubernetes.io/component": "helm-controller", "app.kubernetes.io/part-of": "flux" },
    },
    spec: {
      selector: { matchLabels: { app: "helm-controller" } },
      template: {
        metadata: { labels: { app: "helm-controller" } },
        spec: {
          serviceAccountName: "helm-controller",
          containers: [
            {
              name: "manager",
              image: "ghcr.io/fluxcd/helm-controller:v1.4.4",
              args: [EVENTS, "--watch-all-namespaces=true", "--log-level=info", "--log-encoding=json"],
            },
          ],
        },
      },
    },
  } as K8sObject,
];
const installOf = (install: Record<string, unknown>) => parse(withValues({ flux: { install } })).flux.install;
const deployment = (objs: K8sObject[], name: string) =>
  objs.find((o) => o.kind === "Deployment" && o.metadata.name === name) as unknown as {
    metadata: K8sObject["metadata"];
    spec: {
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: { serviceAccountName: string; containers: { image: string; args: string[] }[] };
      };
    };
  };
const argsOf = (objs: K8sObject[], name: string) =>
  deployment(objs, name).spec.template.spec.containers[0].args;

describe("scalingArgs", () => {
  it("gives --concurrent to the controller each field names, and the main selector to the sharded ones", () => {
    const scaling = { concurrency: { kustomize: 20, helm: 10, source: 6 }, shards: ["shard1"] };
    expect(scalingArgs("kustomize-controller", scaling)).toEqual([
      "--concurrent=20",
      "--watch-label-selector=!sharding.fluxcd.io/key",
    ]);
    expect(scalingArgs("helm-controller", scaling)).toEqual([
      "--concurrent=10",
      "--watch-label-selector=!sharding.fluxcd.io/key",
    ]);
    expect(scalingArgs("source-controller", scaling)).toEqual(["--concurrent=6"]);
    expect(scalingArgs("notification-controller", scaling)).toEqual([]);
    expect(scalingArgs("kustomize-controller", { shards: [] })).toEqual([]);
    expect(scalingArgs("kustomize-controller", undefined)).toEqual([]);
  });
});

describe("the install transform applies install.scaling (manifests mode)", () => {
  it("sets --concurrent on the main controllers and --requeue-dependency beside it", () => {
    const install = installOf({
      requeueDependency: "5s",
      scaling: { concurrency: { kustomize: 20, source: 4 } },
    });
    const out = transformInstallManifests(fixture(), install, { skipAwait: false });
    expect(argsOf(out, "kustomize-controller")).toEqual([
      EVENTS,
      "--log-level=info",
      "--requeue-dependency=5s",
      "--concurrent=20",
    ]);
    expect(argsOf(out, "helm-controller")).toEqual([
      EVENTS,
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--log-encoding=json",
      "--requeue-dependency=5s",
    ]);
    expect(argsOf(out, "source-controller")).toEqual([
      EVENTS,
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--log-encoding=json",
      "--concurrent=4",
    ]);
    expect(out.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name)).toEqual([
      "source-controller",
      "kustomize-controller",
      "helm-controller",
    ]);
  });

  it("adds a kustomize-controller and a helm-controller per shard, the main ones watching the unlabelled objects", () => {
    const install = installOf({
      scaling: { concurrency: { kustomize: 10 }, shards: ["shard1", "shard2"] },
      lockdown: {},
    });
    const out = transformInstallManifests(fixture(), install, { skipAwait: false });
    expect(out.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name)).toEqual([
      "source-controller",
      "kustomize-controller",
      "helm-controller",
      "kustomize-controller-shard1",
      "helm-controller-shard1",
      "kustomize-controller-shard2",
      "helm-controller-shard2",
    ]);
    const lockdown = ["--no-cross-namespace-refs=true", "--default-service-account=default"];
    expect(argsOf(out, "kustomize-controller")).toEqual([
      EVENTS,
      "--log-level=info",
      "--concurrent=10",
      "--watch-label-selector=!sharding.fluxcd.io/key",
      ...lockdown,
      "--no-remote-bases=true",
    ]);
    expect(argsOf(out, "kustomize-controller-shard2")).toEqual([
      EVENTS,
      "--log-level=info",
      "--concurrent=10",
      "--watch-label-selector=sharding.fluxcd.io/key in (shard2)",
      ...lockdown,
      "--no-remote-bases=true",
    ]);
    expect(argsOf(out, "helm-controller")).toEqual([
      EVENTS,
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--log-encoding=json",
      "--watch-label-selector=!sharding.fluxcd.io/key",
      ...lockdown,
    ]);
    expect(argsOf(out, "helm-controller-shard1")).toEqual([
      EVENTS,
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--log-encoding=json",
      "--watch-label-selector=sharding.fluxcd.io/key in (shard1)",
      ...lockdown,
    ]);
    expect(argsOf(out, "source-controller")).not.toContainEqual(
      expect.stringMatching(/^--watch-label-selector/),
    );
    const shard = deployment(out, "kustomize-controller-shard1");
    expect(shard.metadata.labels?.["sharding.fluxcd.io/role"]).toBe("shard");
    expect(shard.spec.selector).toEqual({ matchLabels: { app: "kustomize-controller-shard1" } });
    expect(shard.spec.template.metadata.labels).toEqual({
      app: "kustomize-controller-shard1",
      "sharding.fluxcd.io/role": "shard",
    });
    expect(shard.metadata.labels).toEqual({
      "app.kubernetes.io/component": "kustomize-controller",
      "app.kubernetes.io/part-of": "flux",
      "sharding.fluxcd.io/role": "shard",
    });
    expect(deployment(out, "helm-controller-shard2").spec.template.spec.serviceAccountName).toBe(
      "helm-controller",
    );
    expect(shard.spec.template.spec.containers[0].image).toBe(
      deployment(out, "kustomize-controller").spec.template.spec.containers[0].image,
    );
    // The main Deployment keeps its own pods.
    expect(deployment(out, "kustomize-controller").spec.selector).toEqual({
      matchLabels: { app: "kustomize-controller" },
    });
  });

  it("copies the user's patches of the main controller into its shards", () => {
    const install = installOf({
      scaling: { shards: ["a"] },
      patches: [
        {
          target: { kind: "Deployment", name: "kustomize-controller" },
          patch: [
            { op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--kube-api-qps=500" },
          ],
        },
      ],
    });
    const out = transformInstallManifests(fixture(), install, { skipAwait: false });
    expect(argsOf(out, "kustomize-controller-a")).toEqual([
      EVENTS,
      "--log-level=info",
      "--watch-label-selector=sharding.fluxcd.io/key in (a)",
      "--kube-api-qps=500",
    ]);
  });
});

describe("install.scaling.inMemoryBuilds", () => {
  /** The fixture with kustomize-controller's `temp` emptyDir mounted at /tmp, as in Flux's install.yaml. */
  const withTemp = (): K8sObject[] =>
    fixture().map((o) => {
      if (o.kind !== "Deployment" || o.metadata.name !== "kustomize-controller") return o;
      const d = JSON.parse(JSON.stringify(o)) as ReturnType<typeof deployment>;
      const spec = d.spec.template.spec as unknown as Record<string, unknown>;
      spec.volumes = [{ name: "temp", emptyDir: {} }];
      (spec.containers as Record<string, unknown>[])[0].volumeMounts = [{ name: "temp", mountPath: "/tmp" }];
      return d as unknown as K8sObject;
    });
  const volumesOf = (objs: K8sObject[], name: string) =>
    (deployment(objs, name).spec.template.spec as unknown as { volumes?: unknown[] }).volumes;

  it("puts kustomize-controller's /tmp volume, and each shard's, in memory; nothing else changes", () => {
    const out = transformInstallManifests(
      withTemp(),
      installOf({ scaling: { inMemoryBuilds: true, shards: ["a"] } }),
      { skipAwait: false },
    );
    expect(volumesOf(out, "kustomize-controller")).toEqual([
      { name: "temp", emptyDir: { medium: "Memory" } },
    ]);
    expect(volumesOf(out, "kustomize-controller-a")).toEqual([
      { name: "temp", emptyDir: { medium: "Memory" } },
    ]);
    expect(volumesOf(out, "helm-controller")).toBeUndefined();
    const off = transformInstallManifests(withTemp(), installOf({}), { skipAwait: false });
    expect(volumesOf(off, "kustomize-controller")).toEqual([{ name: "temp", emptyDir: {} }]);
  });
  it("refuses an install whose kustomize-controller has no temp emptyDir, naming the setting", () => {
    expect(() =>
      transformInstallManifests(fixture(), installOf({ scaling: { inMemoryBuilds: true } }), {
        skipAwait: false,
      }),
    ).toThrow(
      "flux.install.scaling.inMemoryBuilds: Deployment kustomize-controller of the install manifests has no emptyDir volume \"temp\" to put in memory (Flux's install mounts it at /tmp): use Flux's install manifests, or set the volume with install.patches instead",
    );
  });
  it("is a strategic-merge patch of the temp volume in operator mode", () => {
    const spec = renderFluxInstance(
      "2.9.4",
      installOf({ mode: "operator", scaling: { inMemoryBuilds: true } }),
    ).spec as { kustomize: { patches: { target: unknown; patch: string }[] } };
    expect(spec.kustomize.patches.map((p) => [p.target, JSON.parse(p.patch)])).toEqual([
      [
        { kind: "Deployment", name: "kustomize-controller" },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "kustomize-controller" },
          spec: { template: { spec: { volumes: [{ name: "temp", emptyDir: { medium: "Memory" } }] } } },
        },
      ],
    ]);
  });
});

describe("renderFluxInstance with install.scaling (operator mode)", () => {
  it("sets spec.sharding and patches --concurrent onto the named controllers", () => {
    const install = installOf({
      mode: "operator",
      scaling: { concurrency: { kustomize: 20, helm: 8 }, shards: ["shard1", "shard2"] },
    });
    const spec = renderFluxInstance("2.9.4", install).spec as {
      sharding: unknown;
      kustomize: { patches: { target: unknown; patch: string }[] };
    };
    expect(spec.sharding).toEqual({ key: "sharding.fluxcd.io/key", shards: ["shard1", "shard2"] });
    expect(spec.kustomize.patches.map((p) => [p.target, JSON.parse(p.patch)])).toEqual([
      [
        { kind: "Deployment", name: "kustomize-controller" },
        [{ op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--concurrent=20" }],
      ],
      [
        { kind: "Deployment", name: "helm-controller" },
        [{ op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--concurrent=8" }],
      ],
    ]);
  });
  it("has no sharding without shards", () => {
    const spec = renderFluxInstance("2.9.4", installOf({ mode: "operator" })).spec;
    expect(spec).not.toHaveProperty("sharding");
  });
});

describe("install.scaling is validated", () => {
  const error = (install: Record<string, unknown>) => configError(withValues({ flux: { install } }));
  it("refuses bad shard names and counts, naming the path", () => {
    expect(error({ scaling: { shards: ["Shard_1"] } })).toContain(
      "flux.install.scaling.shards.0: must be lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. shard1",
    );
    expect(error({ scaling: { shards: ["a", "b", "a"] } })).toContain(
      'flux.install.scaling.shards.2: "a" is listed more than once',
    );
    expect(error({ scaling: { shards: ["x".repeat(43)] } })).toContain(
      "flux.install.scaling.shards.0: must be at most 42 characters",
    );
    expect(error({ scaling: { concurrency: { kustomize: 0 } } })).toContain(
      "flux.install.scaling.concurrency.kustomize: must be at least 1",
    );
    expect(error({ scaling: { concurrency: { helm: 2.5 } } })).toContain(
      "flux.install.scaling.concurrency.helm: must be a whole number",
    );
    expect(error({ scaling: { concurrency: { kustomize: 20 } } })).toBe("");
  });
  it("refuses scaling with mode none, concurrency beside operator.size, and a controller not installed", () => {
    expect(error({ mode: "none", scaling: { shards: ["a"] } })).toContain(
      "flux.install.scaling: cannot be applied with install.mode none (Flux is installed by someone else): set --concurrent and the shards where Flux is installed, or remove scaling",
    );
    expect(
      error({ mode: "operator", operator: { size: "large" }, scaling: { concurrency: { kustomize: 20 } } }),
    ).toContain(
      "flux.install.scaling.concurrency: and install.operator.size both set the controllers' --concurrent: give one, concurrency (per controller) or size (the operator's profile, large)",
    );
    expect(
      error({
        components: ["source-controller", "kustomize-controller", "notification-controller"],
        scaling: { concurrency: { helm: 8 } },
      }),
    ).toContain(
      "flux.install.scaling.concurrency.helm: sets helm-controller --concurrent but helm-controller is not installed: add it to install.components or remove the setting",
    );
    expect(
      error({
        components: ["source-controller", "helm-controller"],
        scaling: { inMemoryBuilds: true },
      }),
    ).toContain(
      "flux.install.scaling.inMemoryBuilds: puts kustomize-controller's builds in memory but kustomize-controller is not installed: add it to install.components or remove the setting",
    );
    expect(error({ scaling: { inMemoryBuilds: "yes" } })).toContain("flux.install.scaling.inMemoryBuilds:");
  });
});
