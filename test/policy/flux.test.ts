import {
  effectiveRef,
  fluxGitUrlScheme,
  fluxNetworkPolicies,
  fluxRootKustomization,
  fluxRootSourceRef,
  fluxVersionPinned,
  imagePinned,
  isFluxInstall,
} from "../../policy/rules/flux";
import { violations } from "./helpers";

const GIT = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository";
const OCI = "kubernetes:source.toolkit.fluxcd.io/v1:OCIRepository";
const KS = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
const INSTANCE = "kubernetes:fluxcd.controlplane.io/v1:FluxInstance";
const GROUP = "kubernetes:yaml/v2:ConfigGroup";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const root = { name: "flux-system", namespace: "flux-system" };

describe("flux-root-source-ref", () => {
  const git = (ref: object | undefined, metadata = root) =>
    violations(fluxRootSourceRef, GIT, {
      metadata,
      spec: { url: "ssh://git@h/o/r.git", ...(ref ? { ref } : {}) },
    });
  const fix =
    'set flux.source.ref to a release tag (tag: v1.2.0) or a semver range (semver: ">=1.0.0 <2.0.0"), so rollback is moving back to a tag.';
  it("passes a tag, a semver range and a refs/tags name; ignores sources that are not the root", () => {
    expect(git({ tag: "v1.0.0" })).toEqual([]);
    expect(git({ semver: ">=1.0.0-0", branch: "main" })).toEqual([]);
    expect(git({ name: "refs/tags/v1.0.0" })).toEqual([]);
    expect(git({ branch: "main" }, { name: "apps", namespace: "flux-system" })).toEqual([]);
  });
  it("fails a branch", () => {
    expect(git({ branch: "main" })).toEqual([
      `The root source must follow a tag or a semver range: GitRepository flux-system/flux-system follows branch main; ${fix}`,
    ]);
  });
  it("fails a source without ref (Flux follows master)", () => {
    expect(git(undefined)).toEqual([
      `The root source must follow a tag or a semver range: GitRepository flux-system/flux-system has no ref, so it follows branch master; ${fix}`,
    ]);
  });
  it("fails a kind the config does not allow, by Flux's precedence", () => {
    expect(
      violations(
        fluxRootSourceRef,
        GIT,
        { metadata: root, spec: { ref: { commit: "0123abcd", tag: "v1" } } },
        { config: { allowedRefKinds: ["tag"] } },
      ),
    ).toEqual([
      `The root source must follow a tag: GitRepository flux-system/flux-system follows commit 0123abcd; ${fix}`,
    ]);
  });
  it("fails an OCI root on the mutable latest tag; passes a digest when allowed", () => {
    expect(violations(fluxRootSourceRef, OCI, { metadata: root, spec: { ref: { tag: "latest" } } })).toEqual([
      `The root source must follow a tag or a semver range: OCIRepository flux-system/flux-system follows the mutable tag latest; ${fix}`,
    ]);
    expect(
      violations(
        fluxRootSourceRef,
        OCI,
        { metadata: root, spec: { ref: { digest: "sha256:ab" } } },
        { config: { allowedRefKinds: ["digest"] } },
      ),
    ).toEqual([]);
  });
  it("resolves refs as Flux does", () => {
    expect(effectiveRef("git", { name: "refs/heads/dev" })).toEqual({
      kind: "branch",
      value: "dev",
      implicit: false,
    });
    expect(effectiveRef("oci", {})).toEqual({ kind: "tag", value: "latest", implicit: true });
  });
});

describe("flux-git-url-scheme", () => {
  const check = (url: string) => violations(fluxGitUrlScheme, GIT, { metadata: root, spec: { url } });
  const fix = "write ssh://git@<host>/<org>/<repo>.git or https://<host>/<org>/<repo>.git.";
  it("passes ssh and https URLs, and OCI sources", () => {
    expect(check("ssh://git@github.com/acme/fleet.git")).toEqual([]);
    expect(check("https://github.com/acme/fleet.git")).toEqual([]);
    expect(violations(fluxGitUrlScheme, OCI, { metadata: root, spec: { url: "oci://r/x" } })).toEqual([]);
  });
  it("fails plain http", () => {
    expect(check("http://git.example.com/fleet.git")).toEqual([
      `Git URLs must use ssh:// or https://: GitRepository flux-system/flux-system url "http://git.example.com/fleet.git" uses http://; ${fix}`,
    ]);
  });
  it("fails the scp form", () => {
    expect(check("git@github.com:acme/fleet.git")).toEqual([
      `Git URLs must use ssh:// or https://: GitRepository flux-system/flux-system url "git@github.com:acme/fleet.git" is in the scp form user@host:path, which Flux rejects; ${fix}`,
    ]);
  });
  it("fails a FluxInstance sync over a scheme the config does not allow", () => {
    expect(
      violations(
        fluxGitUrlScheme,
        INSTANCE,
        {
          metadata: { name: "flux", namespace: "flux-system" },
          spec: { sync: { kind: "GitRepository", url: "https://h/r.git" } },
        },
        { config: { allowedSchemes: ["ssh"] } },
      ),
    ).toEqual([
      `Git URLs must use ssh://: FluxInstance flux-system/flux sync url "https://h/r.git" uses https://; ${fix}`,
    ]);
  });
});

describe("flux-root-kustomization", () => {
  const spec = { prune: true, postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars" }] } };
  const rule = "The root Kustomization must prune and substitute from ConfigMap cluster-vars";
  it("passes the bootstrap's root Kustomization; ignores others", () => {
    expect(violations(fluxRootKustomization, KS, { metadata: root, spec })).toEqual([]);
    expect(
      violations(fluxRootKustomization, KS, {
        metadata: { name: "apps", namespace: "flux-system" },
        spec: {},
      }),
    ).toEqual([]);
  });
  it("fails without prune", () => {
    expect(
      violations(fluxRootKustomization, KS, { metadata: root, spec: { ...spec, prune: false } }),
    ).toEqual([
      `${rule}: Kustomization flux-system/flux-system has prune false; set flux.sync.prune: true so objects removed from Git are removed from the cluster.`,
    ]);
  });
  it("fails without substitution from cluster-vars", () => {
    expect(
      violations(fluxRootKustomization, KS, {
        metadata: root,
        spec: { prune: true, postBuild: { substituteFrom: [{ kind: "Secret", name: "cluster-vars" }] } },
      }),
    ).toEqual([
      `${rule}: Kustomization flux-system/flux-system postBuild.substituteFrom does not list ConfigMap cluster-vars; add { kind: ConfigMap, name: cluster-vars } so the platform's variables resolve.`,
    ]);
  });
});

const deployment = (image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "source-controller",
    namespace: "flux-system",
    labels: { "app.kubernetes.io/part-of": "flux" },
  },
  spec: { template: { spec: { containers: [{ name: "manager", image }] } } },
});
const netpol = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-egress", namespace: "flux-system" },
};
const instance = (spec: object) => ({ metadata: { name: "flux", namespace: "flux-system" }, spec });

describe("flux-version-pinned", () => {
  const RULE = "The Flux version must be pinned";
  it("passes exact versions in every install form", () => {
    expect(violations(fluxVersionPinned, INSTANCE, instance({ distribution: { version: "2.9.4" } }))).toEqual(
      [],
    );
    expect(
      violations(fluxVersionPinned, RELEASE, {
        chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
        version: "0.33.0",
      }),
    ).toEqual([]);
    expect(
      violations(fluxVersionPinned, GROUP, {
        files: ["https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml"],
      }),
    ).toEqual([]);
    expect(
      violations(fluxVersionPinned, GROUP, {
        objs: [deployment("ghcr.io/fluxcd/source-controller:v1.9.4"), netpol],
      }),
    ).toEqual([]);
  });
  it("ignores groups and releases that are not Flux", () => {
    expect(violations(fluxVersionPinned, GROUP, { files: ["https://example.com/latest/app.yaml"] })).toEqual(
      [],
    );
    expect(violations(fluxVersionPinned, RELEASE, { chart: "cert-manager" })).toEqual([]);
  });
  it("fails a FluxInstance without a version, or with a range", () => {
    expect(violations(fluxVersionPinned, INSTANCE, instance({ distribution: {} }))).toEqual([
      `${RULE}: FluxInstance flux-system/flux has no spec.distribution.version; set flux.version to an exact version such as 2.9.4.`,
    ]);
    expect(violations(fluxVersionPinned, INSTANCE, instance({ distribution: { version: "2.x" } }))).toEqual([
      `${RULE}: FluxInstance flux-system/flux spec.distribution.version is "2.x", a range or tag that moves with new releases; set an exact version such as 2.9.4.`,
    ]);
  });
  it("fails an unpinned Flux Helm release", () => {
    expect(violations(fluxVersionPinned, RELEASE, { chart: "flux2" })).toEqual([
      `${RULE}: Helm release of chart flux2 has no version; set version to an exact chart version.`,
    ]);
  });
  it("fails install manifests from a latest URL", () => {
    const url = "https://github.com/fluxcd/flux2/releases/latest/download/install.yaml";
    expect(violations(fluxVersionPinned, GROUP, { files: [url] })).toEqual([
      `${RULE}: the install manifests ${url} do not name an exact release; use the asset of a fixed version, e.g. https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml.`,
    ]);
  });
  it("fails controller images on latest or without a tag", () => {
    expect(
      violations(fluxVersionPinned, GROUP, {
        objs: [deployment("registry.local:5000/fluxcd/source-controller")],
      }),
    ).toEqual([
      `${RULE}: Deployment flux-system/source-controller uses image "registry.local:5000/fluxcd/source-controller" without a fixed tag; pin it to the controller version of the Flux release.`,
    ]);
    expect(imagePinned("ghcr.io/fluxcd/source-controller:latest")).toBe(false);
    expect(imagePinned("ghcr.io/fluxcd/source-controller@sha256:abc")).toBe(true);
  });
  it("recognizes Flux installs", () => {
    expect(isFluxInstall(GROUP, { objs: [netpol] })).toBe(false);
    expect(isFluxInstall(GROUP, { objs: [deployment("x:v1")] })).toBe(true);
  });
});

describe("flux-network-policies", () => {
  const RULE = "Flux must be installed with its network policies";
  it("passes installs with network policies, and upstream manifests applied from a URL", () => {
    expect(violations(fluxNetworkPolicies, GROUP, { objs: [deployment("x:v1"), netpol] })).toEqual([]);
    expect(
      violations(fluxNetworkPolicies, GROUP, {
        files: ["https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml"],
      }),
    ).toEqual([]);
    expect(violations(fluxNetworkPolicies, INSTANCE, instance({ cluster: { networkPolicy: true } }))).toEqual(
      [],
    );
  });
  it("fails install manifests without NetworkPolicy objects", () => {
    expect(
      violations(fluxNetworkPolicies, GROUP, { objs: [deployment("x:v1")] }, { name: "flux-install" }),
    ).toEqual([
      `${RULE}: the install manifests of flux-install contain no NetworkPolicy; keep flux.install.networkPolicy true (the default).`,
    ]);
  });
  it("fails a FluxInstance that turns them off", () => {
    expect(
      violations(fluxNetworkPolicies, INSTANCE, instance({ cluster: { networkPolicy: false } })),
    ).toEqual([
      `${RULE}: FluxInstance flux-system/flux sets spec.cluster.networkPolicy false; keep flux.install.networkPolicy true (the default).`,
    ]);
  });
});
