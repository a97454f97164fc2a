import {
  annotateServiceAccounts,
  lockdownArgs,
  renderFluxInstance,
  serviceAccountProblems,
  transformInstallManifests,
} from "../../../../components/flux/manifests";
import { renderRootKustomization } from "../../../../components/flux/render";
import type { K8sObject } from "../../../../components/flux/objects";
import { installFixture, parse, withValues } from "../../../helpers/platform";

const installOf = (install: Record<string, unknown>) => parse(withValues({ flux: { install } })).flux.install;
const argsOf = (objs: K8sObject[], name: string) =>
  (
    objs.find((o) => o.kind === "Deployment" && o.metadata.name === name) as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    }
  ).spec.template.spec.containers[0].args;
const LOCKED = { noCrossNamespaceRefs: true, defaultServiceAccount: "default", noRemoteBases: true };

describe("lockdownArgs", () => {
  it("gives each controller the flags of Flux's multi-tenancy lockdown that concern it", () => {
    expect(lockdownArgs("kustomize-controller", LOCKED)).toEqual([
      "--no-cross-namespace-refs=true",
      "--default-service-account=default",
      "--no-remote-bases=true",
    ]);
    expect(lockdownArgs("helm-controller", LOCKED)).toEqual([
      "--no-cross-namespace-refs=true",
      "--default-service-account=default",
    ]);
    for (const c of ["notification-controller", "image-reflector-controller", "image-automation-controller"])
      expect(lockdownArgs(c, LOCKED)).toEqual(["--no-cross-namespace-refs=true"]);
    expect(lockdownArgs("source-controller", LOCKED)).toEqual([]);
    expect(lockdownArgs("kustomize-controller", undefined)).toEqual([]);
  });
  it("leaves out what is turned off and names the service account given", () => {
    expect(
      lockdownArgs("kustomize-controller", {
        noCrossNamespaceRefs: false,
        defaultServiceAccount: "tenant-reconciler",
        noRemoteBases: false,
      }),
    ).toEqual(["--default-service-account=tenant-reconciler"]);
  });
});

describe("the install transform applies the lockdown", () => {
  it("adds the flags to the installed controllers' args (parsed from the config, with its defaults)", () => {
    const install = installOf({ lockdown: {}, extraComponents: ["image-reflector-controller"] });
    expect(install.lockdown).toEqual(LOCKED);
    const out = transformInstallManifests(installFixture(), install, { skipAwait: false });
    expect(argsOf(out, "kustomize-controller")).toEqual([
      "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
      "--log-level=info",
      "--no-cross-namespace-refs=true",
      "--default-service-account=default",
      "--no-remote-bases=true",
    ]);
    expect(argsOf(out, "source-controller")).toEqual([
      "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--log-encoding=json",
    ]);
    expect(argsOf(out, "image-reflector-controller")).toEqual([
      "--log-level=info",
      "--no-cross-namespace-refs=true",
    ]);
  });
  it("replaces a flag upstream (or a patch) already set instead of repeating it", () => {
    const docs = installFixture().map((o) =>
      o.kind === "Deployment" && o.metadata.name === "kustomize-controller"
        ? (withValues(
            {
              spec: {
                template: { spec: { containers: [{ name: "manager", args: ["--no-remote-bases=false"] }] } },
              },
            },
            o as never,
          ) as unknown as K8sObject)
        : o,
    );
    const out = transformInstallManifests(docs, installOf({ lockdown: {} }), { skipAwait: false });
    expect(argsOf(out, "kustomize-controller")).toEqual([
      "--no-cross-namespace-refs=true",
      "--default-service-account=default",
      "--no-remote-bases=true",
    ]);
  });
});

describe("service account wiring (IRSA)", () => {
  const role = "arn:aws:iam::123456789012:role/acme-de-dev-flux-source-controller";
  it("annotates the named flux-system ServiceAccounts only, without touching its input", () => {
    const objs = installFixture();
    const out = annotateServiceAccounts(objs, {
      "source-controller": { "eks.amazonaws.com/role-arn": role },
    });
    expect(out.find((o) => o.kind === "ServiceAccount")?.metadata).toEqual({
      name: "source-controller",
      namespace: "flux-system",
      labels: { "app.kubernetes.io/component": "source-controller" },
      annotations: { "eks.amazonaws.com/role-arn": role },
    });
    expect(objs.find((o) => o.kind === "ServiceAccount")?.metadata.annotations).toBeUndefined();
    expect(out.filter((o) => o.kind !== "ServiceAccount")).toEqual(
      objs.filter((o) => o.kind !== "ServiceAccount"),
    );
  });
  it("reports a ServiceAccount the install does not have", () => {
    expect(serviceAccountProblems(installFixture(), ["source-controller", "kustomize-controller"])).toEqual([
      {
        path: "install.manifests",
        message:
          "the install manifests have no ServiceAccount flux-system/kustomize-controller to bind the workload identity to: give Flux's own install.yaml with kustomize-controller installed",
      },
    ]);
  });
});

describe("renderFluxInstance with lockdown and IRSA", () => {
  it("patches the controllers' args and annotates the service accounts", () => {
    const install = installOf({ mode: "operator", lockdown: {} });
    const spec = renderFluxInstance("2.9.4", install, undefined, {
      "kustomize-controller": { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/k" },
    }).spec as { kustomize: { patches: { target: object; patch: string }[] } };
    expect(spec.kustomize.patches.map((p) => [p.target, JSON.parse(p.patch)])).toEqual([
      [
        { kind: "Deployment", name: "kustomize-controller" },
        [
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: "--no-cross-namespace-refs=true",
          },
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: "--default-service-account=default",
          },
          { op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--no-remote-bases=true" },
        ],
      ],
      [
        { kind: "Deployment", name: "helm-controller" },
        [
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: "--no-cross-namespace-refs=true",
          },
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: "--default-service-account=default",
          },
        ],
      ],
      [
        { kind: "Deployment", name: "notification-controller" },
        [
          {
            op: "add",
            path: "/spec/template/spec/containers/0/args/-",
            value: "--no-cross-namespace-refs=true",
          },
        ],
      ],
      [
        { kind: "ServiceAccount", name: "kustomize-controller" },
        { metadata: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/k" } } },
      ],
    ]);
  });
});

describe("renderRootKustomization for KMS and the lockdown", () => {
  const sync = {
    interval: "10m",
    retryInterval: "2m",
    timeout: "5m",
    prune: true,
    wait: false,
    deletionPolicy: "WaitForTermination" as const,
  };
  it("decrypts with no secretRef through KMS, runs as kustomize-controller under the lockdown", () => {
    expect(
      renderRootKustomization({
        sync,
        path: "./clusters/de-prod",
        sourceKind: "OCIRepository",
        sops: true,
        sopsProvider: "awskms",
        serviceAccountName: "kustomize-controller",
        secretVars: false,
      }),
    ).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: {
        name: "flux-system",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      spec: {
        interval: "10m",
        retryInterval: "2m",
        timeout: "5m",
        path: "./clusters/de-prod",
        prune: true,
        deletionPolicy: "WaitForTermination",
        sourceRef: { kind: "OCIRepository", name: "flux-system" },
        serviceAccountName: "kustomize-controller",
        decryption: { provider: "sops" },
        postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars" }] },
      },
    });
  });
  it("annotates a stated KMS exemption with age", () => {
    const ks = renderRootKustomization({
      sync,
      path: "./clusters/lab",
      sourceKind: "GitRepository",
      sops: true,
      sopsProvider: "age",
      sopsKmsExemption: "bare metal, no AWS identity",
      secretVars: false,
    });
    expect(ks.metadata.annotations).toEqual({ "platform/sops-kms-exemption": "bare metal, no AWS identity" });
    expect((ks.spec as { decryption: unknown }).decryption).toEqual({
      provider: "sops",
      secretRef: { name: "sops-age" },
    });
  });
});
