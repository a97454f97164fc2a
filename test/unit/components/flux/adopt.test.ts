/**
 * flux.adopt: taking over a Flux that `flux bootstrap` installed. Every object the bootstrap makes
 * carries the annotations that keep kustomize-controller from applying or pruning it from the
 * repository's flux-system folder, and lets the program's server-side apply take the fields.
 */
import {
  configError,
  deploy,
  installFixture,
  parse,
  testEnvironment,
  withValues,
} from "../../../helpers/platform";
import type { K8sObject } from "../../../../components/flux/objects";

const ADOPT = {
  "kustomize.toolkit.fluxcd.io/reconcile": "disabled",
  "kustomize.toolkit.fluxcd.io/prune": "disabled",
  "pulumi.com/patchForce": "true",
};
const annotations = (o: unknown) => (o as K8sObject).metadata.annotations ?? {};
/** An install object's annotations, without the CRD ordering every Deployment carries (tested in manifests.test.ts). */
const own = (o: K8sObject) => {
  const { "config.kubernetes.io/depends-on": _order, ...rest } = o.metadata.annotations ?? {};
  return Object.keys(rest).length ? rest : undefined;
};

describe("flux.adopt", () => {
  it("marks every object the bootstrap makes, install objects included", async () => {
    const d = await deploy(
      parse(withValues({ flux: { adopt: true, sops: { ageKey: "AGE-SECRET-KEY-1K" } } })),
    );
    const made = [
      "flux-namespace",
      "flux-git-auth",
      "flux-sops-age",
      "flux-cluster-vars",
      "flux-source",
      "flux-sync",
    ];
    expect(made.map((n) => [n, annotations(d.inputs(n))])).toEqual(made.map((n) => [n, ADOPT]));
    const objs = (d.inputs("flux-install") as { objs: K8sObject[] }).objs;
    const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    // Every install object of the fixture but its Namespace (the bootstrap makes that one first)
    // and the image controllers' (not among the default components).
    expect(objs.map(id)).toEqual(
      installFixture()
        .filter((o) => o.kind !== "Namespace" && !/image/.test(o.metadata.name ?? ""))
        .map(id),
    );
    expect(objs.map((o) => [id(o), own(o)])).toEqual(objs.map((o) => [id(o), ADOPT]));
  });

  it("keeps the install's own annotations beside them (skipAwait)", async () => {
    const d = await deploy(
      parse(withValues({ flux: { adopt: true, install: { manifests: { skipAwait: true } } } })),
    );
    const objs = (d.inputs("flux-install") as { objs: K8sObject[] }).objs;
    expect(objs.map(own)).toEqual(objs.map(() => ({ "pulumi.com/skipAwait": "true", ...ADOPT })));
  });

  it("adds nothing when not adopting (the default)", async () => {
    const d = await deploy(parse(withValues({})));
    for (const n of ["flux-namespace", "flux-git-auth", "flux-cluster-vars", "flux-source", "flux-sync"])
      expect([n, annotations(d.inputs(n))]).toEqual([n, {}]);
    const objs = (d.inputs("flux-install") as { objs: K8sObject[] }).objs;
    expect(objs.filter((o) => own(o) !== undefined).map((o) => o.metadata.name)).toEqual([]);
  });

  it("refuses adopt in operator mode, saying how to get there", () => {
    expect(configError(withValues({ flux: { adopt: true, install: { mode: "operator" } } }))).toContain(
      "flux.adopt: takes over what flux bootstrap installed, in install.mode manifests: adopt in manifests mode first, then move to the operator (docs/lifetime.md)",
    );
  });

  it("refuses an adopt that is neither a boolean nor how Flux was installed", () => {
    expect(configError(withValues({ flux: { adopt: "yes" } }))).toContain("flux.adopt");
  });
});

describe("flux.adopt names the install as flux bootstrap does", () => {
  const install = (name: string, kind: string, extra: Record<string, unknown> = {}): K8sObject =>
    ({ apiVersion: "v1", kind, metadata: { name, namespace: "flux-system" }, ...extra }) as K8sObject;
  const release = () => [
    install("crd-controller", "ClusterRole"),
    install("crd-controller", "ClusterRoleBinding", {
      roleRef: { kind: "ClusterRole", name: "crd-controller" },
    }),
    install("cluster-reconciler", "ClusterRoleBinding", {
      roleRef: { kind: "ClusterRole", name: "cluster-admin" },
    }),
    install("critical-pods", "ResourceQuota"),
    install("source-controller", "ServiceAccount"),
  ];
  const withInstall = (objects: K8sObject[]) => ({
    ...testEnvironment,
    loadInstallManifests: async () => ({ objects }),
  });
  const names = (objs: K8sObject[]) =>
    objs.map((o) => [o.kind, o.metadata.name, (o as { roleRef?: { name: string } }).roleRef?.name]);

  it("suffixes the cluster-wide RBAC and the ResourceQuota with the namespace, role references included", async () => {
    const d = await deploy(parse(withValues({ flux: { adopt: true } })), withInstall(release()));
    expect(names((d.inputs("flux-install") as { objs: K8sObject[] }).objs)).toEqual([
      ["ClusterRole", "crd-controller-flux-system", undefined],
      ["ClusterRoleBinding", "crd-controller-flux-system", "crd-controller-flux-system"],
      ["ClusterRoleBinding", "cluster-reconciler-flux-system", "cluster-admin"],
      ["ResourceQuota", "critical-pods-flux-system", undefined],
      ["ServiceAccount", "source-controller", undefined],
    ]);
  });

  it("flux-cli is what adopt: true means", async () => {
    const d = await deploy(parse(withValues({ flux: { adopt: "flux-cli" } })), withInstall(release()));
    const t = await deploy(parse(withValues({ flux: { adopt: true } })), withInstall(release()));
    expect(names((d.inputs("flux-install") as { objs: K8sObject[] }).objs)).toEqual(
      names((t.inputs("flux-install") as { objs: K8sObject[] }).objs),
    );
  });

  it("adopt: manifests keeps the release's names (a Flux from install.yaml, or from this program), marked for the takeover", async () => {
    const d = await deploy(parse(withValues({ flux: { adopt: "manifests" } })), withInstall(release()));
    const objs = (d.inputs("flux-install") as { objs: K8sObject[] }).objs;
    expect(names(objs)).toEqual(names(release()));
    expect(objs.map(own)).toEqual(objs.map(() => ADOPT));
  });

  it("keeps the release's names when not adopting", async () => {
    const d = await deploy(parse(withValues({})), withInstall(release()));
    expect(names((d.inputs("flux-install") as { objs: K8sObject[] }).objs)).toEqual(names(release()));
  });
});
