/**
 * `flux.source.subsets`: GitRepository objects that follow the root source but carry only some
 * directories (spec.sparseCheckout), for Kustomizations that need only those (slice instances).
 */
import { renderSubsetSources } from "../../../../components/flux/render";
import { checkSource } from "../../../../components/flux/problems/source";
import { applyFluxDefaults } from "../../../../components/flux";
import { validateFluxObject } from "../../../helpers/fluxSchemas";
import { configError, deploy, KNOWN_HOSTS, parse, withValues } from "../../../helpers/platform";

const GIT_URL = "ssh://git@git.example.com/acme/fleet.git";
const SOURCE = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source";
const SUBSET = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source-slice-catalog";
const INSTALL = "kubernetes:yaml/v2:ConfigGroup::flux-install";

const sourceWith = (patch: Record<string, unknown>) =>
  parse(withValues({ flux: { source: patch } })).flux.source;

const problems = (source: Record<string, unknown>, auth: Record<string, unknown> = { type: "none" }) =>
  checkSource(
    applyFluxDefaults({
      install: { mode: "none" },
      source: { ref: { tag: "v1.0.0" }, ...source } as never,
      auth: auth as never,
    }),
  );

describe("renderSubsetSources", () => {
  it("copies the root GitRepository (URL, ref, interval, credentials, verification) under each subset's name, with its directories", () => {
    const source = sourceWith({
      ref: { tag: "v1.4.0" },
      interval: "5m",
      ignore: "*.md",
      verify: { mode: "Tag", publicKeys: { "ops.asc": "KEY" } },
      subsets: { "slice-catalog": ["./catalog/slices/", "catalog/crds"], models: ["catalog"] },
    });
    const objs = renderSubsetSources(source, {
      secretName: "flux-system",
      verifySecretName: "flux-system-verify",
    });
    const spec = {
      url: GIT_URL,
      ref: { tag: "v1.4.0" },
      interval: "5m",
      timeout: "60s",
      secretRef: { name: "flux-system" },
      ignore: "*.md",
      verify: { mode: "Tag", secretRef: { name: "flux-system-verify" } },
    };
    const metadata = (name: string) => ({
      name,
      namespace: "flux-system",
      labels: { "app.kubernetes.io/managed-by": "pulumi" },
    });
    expect(objs).toEqual([
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: metadata("slice-catalog"),
        spec: { ...spec, sparseCheckout: ["catalog/slices", "catalog/crds"] },
      },
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: metadata("models"),
        spec: { ...spec, sparseCheckout: ["catalog"] },
      },
    ]);
    objs.forEach((o) => validateFluxObject(o));
  });

  it("renders none without subsets", () => {
    expect(renderSubsetSources(sourceWith({}), { secretName: "flux-system" })).toEqual([]);
  });
});

describe("checkSource: subsets", () => {
  it("refuses bad names and directories, each at its path", () => {
    expect(
      problems({
        url: "https://git.example.com/acme/fleet.git",
        subsets: {
          "flux-system": ["catalog"],
          Bad_Name: ["catalog"],
          empty: [],
          dirs: [".", "/etc", "catalog/../..", "catalog/*", "catalog/slices", "./catalog/slices/"],
        },
      }),
    ).toEqual([
      {
        path: "source.subsets.flux-system",
        message:
          'the name "flux-system" is the root source\'s own name: give the subset another name, e.g. slice-catalog',
      },
      {
        path: "source.subsets.Bad_Name",
        message:
          "the name \"Bad_Name\" must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are",
      },
      {
        path: "source.subsets.empty",
        message: "lists no directory: name the repository directories it carries, e.g. [catalog/slices]",
      },
      {
        path: "source.subsets.dirs[0]",
        message: '"." is the whole repository: use the root source flux-system instead of a subset',
      },
      {
        path: "source.subsets.dirs[1]",
        message: '"/etc" must be a directory inside the repository, relative to its top, without ..',
      },
      {
        path: "source.subsets.dirs[2]",
        message: '"catalog/../.." must be a directory inside the repository, relative to its top, without ..',
      },
      {
        path: "source.subsets.dirs[3]",
        message:
          '"catalog/*" must be a plain directory path: sparse checkout takes directories, not patterns or spaces',
      },
      { path: "source.subsets.dirs[5]", message: '"./catalog/slices/" is listed twice' },
    ]);
  });

  it("refuses subsets of an OCI root", () => {
    expect(
      problems({ kind: "oci", url: "oci://registry.example.com/acme/fleet", subsets: { s: ["x"] } }),
    ).toEqual([
      {
        path: "source.subsets",
        message:
          "needs a Git root source: an OCI artifact is always fetched whole (GitRepository spec.sparseCheckout has no OCI counterpart); remove source.subsets",
      },
    ]);
  });

  it("is a config error of the stack file, with the config path", () => {
    expect(
      configError(withValues({ flux: { source: { subsets: { "flux-system": ["catalog"] } } } })),
    ).toContain('flux.source.subsets.flux-system: the name "flux-system" is the root source\'s own name');
  });
});

describe("FluxBootstrap with subsets", () => {
  it("creates each subset after the install and before the root Kustomization", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            source: { subsets: { "slice-catalog": ["catalog/slices"] } },
            auth: { type: "ssh", knownHosts: KNOWN_HOSTS },
          },
        }),
      ),
    );
    const deps = (name: string) => d.resources.find((r) => r.name === name)?.dependsOn;
    expect(deps("flux-source-slice-catalog")).toEqual([INSTALL]);
    expect(deps("flux-sync")).toEqual([INSTALL, SOURCE, SUBSET]);
    const { metadata, spec } = d.inputs("flux-source-slice-catalog") as Record<
      string,
      Record<string, unknown>
    >;
    expect(metadata.name).toBe("slice-catalog");
    expect(spec).toEqual({ ...(d.inputs("flux-source").spec as object), sparseCheckout: ["catalog/slices"] });
  });
});
