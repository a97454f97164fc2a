/**
 * flux.install.retainOnDelete: Pulumi forgets the install instead of deleting it (moving between
 * install modes, handing Flux over). The ConfigGroup's children are reached by a transform, which
 * must name the provider again (a transform's opts of a ConfigGroup child do not carry it).
 */
import * as k8s from "@pulumi/kubernetes";
import { retainOptions } from "../../../../components/flux/install";
import { applyFluxDefaults } from "../../../../components/flux/args";
import { configError, parse, withValues } from "../../../helpers/platform";

const flux = (retainOnDelete?: boolean) =>
  applyFluxDefaults({
    source: { url: "ssh://git@example.com/fleet.git", ref: { branch: "main" } },
    sync: { path: "./clusters/x" },
    ...(retainOnDelete !== undefined ? { install: { retainOnDelete } } : {}),
  } as Parameters<typeof applyFluxDefaults>[0]);

describe("flux.install.retainOnDelete", () => {
  const provider = {} as k8s.Provider;

  it("defaults to false: no options, the install is deleted with the stack or a mode change", () => {
    expect(flux().install.retainOnDelete).toBe(false);
    expect(retainOptions(flux(), provider)).toEqual({});
    expect(retainOptions(flux(false), provider)).toEqual({});
  });

  it("retains the resource itself and, through a transform, each child with the provider named again", () => {
    const o = retainOptions(flux(true), provider);
    expect(o.retainOnDelete).toBe(true);
    expect(o.transforms).toHaveLength(1);
    const props = { metadata: { name: "source-controller" } };
    const childOpts = { parent: undefined, dependsOn: [], protect: false };
    expect(
      o.transforms![0]({
        custom: true,
        type: "kubernetes:apps/v1:Deployment",
        name: "x",
        props,
        opts: childOpts,
      }),
    ).toEqual({ props, opts: { ...childOpts, provider, retainOnDelete: true } });
  });

  it("is read from the stack file (platform:flux.install.retainOnDelete) and must be a boolean", () => {
    expect(
      parse(withValues({ flux: { install: { retainOnDelete: true } } })).flux.install.retainOnDelete,
    ).toBe(true);
    expect(configError(withValues({ flux: { install: { retainOnDelete: "yes" } } }))).toContain(
      "flux.install.retainOnDelete",
    );
  });
});
