import type { PolicyResource } from "@pulumi/policy";
import {
  stackClusterProvider,
  stackSingleRootSync,
  stackSopsDecryption,
  rootSyncs,
} from "../../policy/rules/stack";
import { NotApplicable, resource, stackViolations } from "./helpers";

const KS = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
const GROUP = "kubernetes:yaml/v2:ConfigGroup";
const SECRET = "kubernetes:core/v1:Secret";
const meta = (name: string) => ({ metadata: { name, namespace: "flux-system" } });
const installProps = { files: ["https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml"] };

/** The bootstrap's shape: cluster component → provider; namespace → install → sync. */
function platform(opts: { syncDependsOnInstall?: boolean; decryption?: object; ageKey?: boolean } = {}) {
  const cluster = resource("platform:cluster:ExistingCluster", "local");
  const provider = resource("pulumi:providers:kubernetes", "local-provider", {}, { parent: cluster });
  const bootstrap = resource("platform:flux:FluxBootstrap", "flux");
  const k8s = (type: string, name: string, props: object, dependencies: PolicyResource[] = []) =>
    resource(type, name, props as Record<string, unknown>, { parent: bootstrap, provider, dependencies });
  const ns = k8s("kubernetes:core/v1:Namespace", "flux-namespace", { metadata: { name: "flux-system" } });
  const age = k8s(
    SECRET,
    "flux-sops-age",
    { ...meta("sops-age"), stringData: { "age.agekey": "[secret]" } },
    [ns],
  );
  const install = k8s(GROUP, "flux-install", installProps, opts.ageKey ? [ns, age] : [ns]);
  const spec = { prune: true, ...(opts.decryption ? { decryption: opts.decryption } : {}) };
  const sync = k8s(
    KS,
    "flux-sync",
    { ...meta("flux-system"), spec },
    opts.syncDependsOnInstall === false ? [ns] : [install],
  );
  return {
    cluster,
    provider,
    bootstrap,
    ns,
    age,
    install,
    sync,
    all: [cluster, provider, bootstrap, ns, ...(opts.ageKey ? [age] : []), install, sync],
  };
}

const SYNC_RULE = "A platform stack must seed exactly one root sync, after the Flux install";

describe("stack-single-root-sync", () => {
  it("passes one sync that depends on the install", async () => {
    expect(await stackViolations(stackSingleRootSync, platform().all)).toEqual([]);
  });
  it("passes a dependency on a child of the install, or through another resource", async () => {
    const p = platform({ syncDependsOnInstall: false });
    const child = resource(
      "kubernetes:apps/v1:Deployment",
      "flux-system/source-controller",
      {},
      { parent: p.install },
    );
    const between = resource("kubernetes:core/v1:ConfigMap", "between", {}, { dependencies: [child] });
    p.sync.dependencies.push(between);
    expect(await stackViolations(stackSingleRootSync, [...p.all, child, between])).toEqual([]);
  });
  it("fails a stack without a sync", async () => {
    const p = platform();
    expect(
      await stackViolations(
        stackSingleRootSync,
        p.all.filter((r) => r !== p.sync),
      ),
    ).toEqual([
      {
        message: `${SYNC_RULE}: the stack has no Flux Kustomization; create the root Kustomization flux-system (FluxBootstrap does).`,
      },
    ]);
  });
  it("fails several syncs, counting Kustomizations carried in a ConfigGroup", async () => {
    const p = platform();
    const extra = resource(GROUP, "apps", {
      objs: [{ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", ...meta("apps") }],
    });
    expect(await stackViolations(stackSingleRootSync, [...p.all, extra])).toEqual([
      {
        message: `${SYNC_RULE}: the stack has 2 (Kustomization flux-system/flux-system, Kustomization flux-system/apps (in apps)); keep one root Kustomization and let Flux pull the others from Git.`,
      },
    ]);
  });
  it("fails a sync that does not depend on the install", async () => {
    expect(await stackViolations(stackSingleRootSync, platform({ syncDependsOnInstall: false }).all)).toEqual(
      [
        {
          message: `${SYNC_RULE}: Kustomization flux-system/flux-system does not depend on the Flux install flux-install (kubernetes:yaml/v2:ConfigGroup); add it to dependsOn so the Flux CRDs and controllers exist before the sync is applied.`,
          resource: "flux-sync",
        },
      ],
    );
  });
  it("recognizes the install as the engine shows it: a group with empty inputs and Flux objects as children", async () => {
    const p = platform({ syncDependsOnInstall: false });
    const group = resource(GROUP, "flux-install", {}, { parent: p.bootstrap });
    const child = resource(
      "kubernetes:apps/v1:Deployment",
      "flux-system/source-controller",
      { metadata: { name: "source-controller", labels: { "app.kubernetes.io/part-of": "flux" } } },
      { parent: group },
    );
    const all = [...p.all.filter((r) => r !== p.install), group, child];
    expect((await stackViolations(stackSingleRootSync, all)).map((v) => v.message)).toEqual([
      `${SYNC_RULE}: Kustomization flux-system/flux-system does not depend on the Flux install flux-install (kubernetes:yaml/v2:ConfigGroup); add it to dependsOn so the Flux CRDs and controllers exist before the sync is applied.`,
    ]);
    p.sync.dependencies.push(group);
    expect(await stackViolations(stackSingleRootSync, all)).toEqual([]);
  });
  it("counts a FluxInstance sync, ordered by the install itself", async () => {
    const instance = resource("kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "flux-instance", {
      metadata: { name: "flux", namespace: "flux-system" },
      spec: { sync: { kind: "GitRepository", url: "ssh://git@h/r.git" } },
    });
    expect(rootSyncs([instance]).map((s) => s.label)).toEqual(["FluxInstance flux-system/flux spec.sync"]);
    expect(await stackViolations(stackSingleRootSync, [instance])).toEqual([]);
  });
});

describe("flux-sops-decryption", () => {
  const RULE = "SOPS decryption must be configured whenever an age key is";
  it("passes when the Kustomization decrypts with the age key's Secret, and stacks without an age key", async () => {
    expect(
      await stackViolations(
        stackSopsDecryption,
        platform({ ageKey: true, decryption: { provider: "sops", secretRef: { name: "sops-age" } } }).all,
      ),
    ).toEqual([]);
    expect(await stackViolations(stackSopsDecryption, platform().all)).toEqual([]);
  });
  it("fails an age key without decryption", async () => {
    expect(await stackViolations(stackSopsDecryption, platform({ ageKey: true }).all)).toEqual([
      {
        message: `${RULE}: Secret flux-system/sops-age holds an age key but Kustomization flux-system/flux-system has no SOPS decryption; set spec.decryption { provider: sops, secretRef: { name: sops-age } }.`,
        resource: "flux-sync",
      },
    ]);
  });
  it("fails decryption with another Secret", async () => {
    expect(
      await stackViolations(
        stackSopsDecryption,
        platform({ ageKey: true, decryption: { provider: "sops", secretRef: { name: "other" } } }).all,
      ),
    ).toEqual([
      {
        message: `${RULE}: Kustomization flux-system/flux-system decrypts with Secret other, not Secret flux-system/sops-age which holds the age key; set spec.decryption.secretRef.name to sops-age.`,
        resource: "flux-sync",
      },
    ]);
  });
});

describe("stack-cluster-provider", () => {
  const RULE = "Kubernetes resources must use the platform cluster's provider";
  it("passes when every Kubernetes resource uses the cluster's provider", async () => {
    expect(await stackViolations(stackClusterProvider, platform().all)).toEqual([]);
  });
  it("does not apply to a stack without Kubernetes resources", async () => {
    await expect(stackViolations(stackClusterProvider, [resource("aws:kms/key:Key", "k")])).rejects.toThrow(
      NotApplicable,
    );
  });
  it("fails a resource on the default provider", async () => {
    const stray = resource("kubernetes:core/v1:ConfigMap", "stray");
    expect(await stackViolations(stackClusterProvider, [...platform().all, stray])).toEqual([
      {
        message: `${RULE}: kubernetes:core/v1:ConfigMap stray uses the default provider (the ambient kubeconfig), not the cluster's (local-provider); pass { provider: cluster.provider }.`,
        resource: "stray",
      },
    ]);
  });
  it("fails a resource on another provider", async () => {
    const other = resource("pulumi:providers:kubernetes", "other");
    const stray = resource("kubernetes:core/v1:Namespace", "stray", {}, { provider: other });
    expect(await stackViolations(stackClusterProvider, [...platform().all, other, stray])).toEqual([
      {
        message: `${RULE}: kubernetes:core/v1:Namespace stray uses provider other, not the cluster's (local-provider); pass { provider: cluster.provider }.`,
        resource: "stray",
      },
    ]);
  });
  it("fails a stack whose Kubernetes provider does not come from a cluster component", async () => {
    const provider = resource("pulumi:providers:kubernetes", "loose");
    const ns = resource("kubernetes:core/v1:Namespace", "ns", {}, { provider });
    expect(await stackViolations(stackClusterProvider, [provider, ns])).toEqual([
      {
        message: `${RULE}: no Kubernetes provider belongs to a cluster component (^platform:cluster:); create the provider in the cluster component and pass it to every Kubernetes resource.`,
      },
    ]);
  });
});
