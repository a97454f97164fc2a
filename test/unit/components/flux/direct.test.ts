import { ExistingCluster } from "../../../../components/cluster";
import { applyFluxDefaults, FluxBootstrap, type FluxArgs } from "../../../../components/flux";
import { baseValues, onEngine, parse } from "../../../helpers/platform";
import { ArgsError } from "../../../../components/problems";

/** Flux settings written as FluxBootstrap's own arguments: no zod, no stack file; the rest is DEFAULTS. */
const fluxArgs = (patch: Partial<FluxArgs> = {}): FluxArgs => ({
  install: { mode: "none" },
  source: { url: "https://git.example.com/acme/fleet.git", ref: { branch: "main" } },
  ...patch,
});

const build = (flux: FluxArgs, onError?: (e: unknown) => void) =>
  onEngine(() => {
    const cluster = new ExistingCluster("c", {
      clusterName: "c",
      kubeconfig: "apiVersion: v1\nkind: Config\n",
    });
    try {
      const f = new FluxBootstrap("flux", {
        cluster,
        platformName: "p",
        flux,
        clusterVars: { PLATFORM_NAME: "p" },
      });
      return { sourceUrl: f.sourceUrl, sourceRef: f.sourceRef, rootPath: f.rootPath };
    } catch (e) {
      onError?.(e);
      return {};
    }
  });

const BOOT = "platform:flux:FluxBootstrap::flux";
const K8S = "pulumi:providers:kubernetes::c-provider";

describe("applyFluxDefaults", () => {
  it("gives exactly what the config schema gives for the same settings (one set of defaults)", () => {
    const { flux } = baseValues() as { flux: FluxArgs };
    expect(applyFluxDefaults(flux)).toEqual(parse(baseValues()).flux);
  });

  it("keeps an explicit false, 0 or empty list (?? not ||)", () => {
    const r = applyFluxDefaults(
      fluxArgs({ install: { networkPolicy: false, components: [] }, sync: { prune: false } }),
    );
    expect([r.install.networkPolicy, r.install.components, r.sync.prune, r.install.mode]).toEqual([
      false,
      [],
      false,
      "manifests",
    ]);
  });
});

describe("FluxBootstrap from its own arguments", () => {
  it("bootstraps on the given cluster's provider: namespace → cluster-vars → root source and sync", async () => {
    const d = await build(fluxArgs());
    const NS = "kubernetes:core/v1:Namespace::flux-namespace";
    const VARS = "kubernetes:core/v1:ConfigMap::flux-cluster-vars";
    const SOURCE = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source";
    expect(d.resources.map((r) => [`${r.type}::${r.name}`, r.parent, r.provider, r.dependsOn])).toEqual([
      ["platform:cluster:ExistingCluster::c", undefined, undefined, []],
      [K8S, "platform:cluster:ExistingCluster::c", undefined, []],
      [BOOT, undefined, undefined, []],
      [NS, BOOT, K8S, []],
      [VARS, BOOT, K8S, [NS]],
      [SOURCE, BOOT, K8S, [NS, VARS]],
      ["kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization::flux-sync", BOOT, K8S, [NS, VARS, SOURCE]],
    ]);
    expect(d.inputs("flux-source").spec).toEqual({
      interval: "1m",
      timeout: "60s",
      url: "https://git.example.com/acme/fleet.git",
      ref: { branch: "main" },
    });
    expect(d.outputs).toEqual({
      sourceUrl: "https://git.example.com/acme/fleet.git",
      sourceRef: "branch main",
      rootPath: "./clusters/p",
    });
  });

  it("throws one ArgsError with every problem before registering anything of its own", async () => {
    let error: unknown;
    const d = await build(
      fluxArgs({
        source: {
          ...fluxArgs().source,
          url: "git@github.com:acme/fleet.git",
          ref: { branch: "main", tag: "v1" },
        },
        vars: { "BAD-NAME": "x" },
      }),
      (e) => (error = e),
    );
    expect(error).toBeInstanceOf(ArgsError);
    expect((error as ArgsError).problems).toEqual([
      {
        path: "flux.source.ref",
        message: "give exactly one of tag, semver, branch, commit, name (Git) or tag, semver, digest (OCI)",
      },
      {
        path: "flux.source.url",
        message:
          '"git@github.com:acme/fleet.git" is the scp-like form, which Flux does not accept: write ssh://git@github.com/acme/fleet.git',
      },
      {
        path: "flux.vars.BAD-NAME",
        message:
          "is not a valid Flux variable name: use letters, digits and '_', not starting with a digit (e.g. SLICE_REGION)",
      },
    ]);
    expect(d.names()).toEqual(["c", "c-provider"]);
  });
});
