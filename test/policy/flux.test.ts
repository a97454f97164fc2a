import {
  effectiveRef,
  fluxGitUrlScheme,
  fluxRootKustomization,
  fluxRootSourceRef,
} from "../../policy/rules/flux";
import { violations } from "./helpers";

const GIT = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository";
const OCI = "kubernetes:source.toolkit.fluxcd.io/v1:OCIRepository";
const KS = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
const INSTANCE = "kubernetes:fluxcd.controlplane.io/v1:FluxInstance";
const root = { name: "flux-system", namespace: "flux-system" };

describe("flux-root-source-ref", () => {
  const git = (ref: object | undefined, metadata = root) =>
    violations(fluxRootSourceRef, GIT, {
      metadata,
      spec: { url: "ssh://git@h/o/r.git", ...(ref ? { ref } : {}) },
    });
  const fix =
    'set flux.source.ref to a release tag (tag: v1.2.0) or a semver range (semver: ">=1.0.0 <2.0.0"), so rollback is moving back to a tag.';
  it("passes a tag, a semver range and a refs/tags name; ignores sources that are not the root", async () => {
    expect(await git({ tag: "v1.0.0" })).toEqual([]);
    expect(await git({ semver: ">=1.0.0-0", branch: "main" })).toEqual([]);
    expect(await git({ name: "refs/tags/v1.0.0" })).toEqual([]);
    expect(await git({ branch: "main" }, { name: "apps", namespace: "flux-system" })).toEqual([]);
  });
  it("fails a branch", async () => {
    expect(await git({ branch: "main" })).toEqual([
      `The root source must follow a tag or a semver range: GitRepository flux-system/flux-system follows branch main; ${fix}`,
    ]);
  });
  it("fails a source without ref (Flux follows master)", async () => {
    expect(await git(undefined)).toEqual([
      `The root source must follow a tag or a semver range: GitRepository flux-system/flux-system has no ref, so it follows branch master; ${fix}`,
    ]);
  });
  it("fails a kind the config does not allow, by Flux's precedence", async () => {
    expect(
      await violations(
        fluxRootSourceRef,
        GIT,
        { metadata: root, spec: { ref: { commit: "0123abcd", tag: "v1" } } },
        { config: { allowedRefKinds: ["tag"] } },
      ),
    ).toEqual([
      `The root source must follow a tag: GitRepository flux-system/flux-system follows commit 0123abcd; ${fix}`,
    ]);
  });
  it("fails an OCI root on the mutable latest tag; passes a digest when allowed", async () => {
    expect(
      await violations(fluxRootSourceRef, OCI, { metadata: root, spec: { ref: { tag: "latest" } } }),
    ).toEqual([
      `The root source must follow a tag or a semver range: OCIRepository flux-system/flux-system follows the mutable tag latest; ${fix}`,
    ]);
    expect(
      await violations(
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
  it("passes ssh and https URLs, and OCI sources", async () => {
    expect(await check("ssh://git@github.com/acme/fleet.git")).toEqual([]);
    expect(await check("https://github.com/acme/fleet.git")).toEqual([]);
    expect(await violations(fluxGitUrlScheme, OCI, { metadata: root, spec: { url: "oci://r/x" } })).toEqual(
      [],
    );
  });
  it("fails plain http", async () => {
    expect(await check("http://git.example.com/fleet.git")).toEqual([
      `Git URLs must use ssh:// or https://: GitRepository flux-system/flux-system url "http://git.example.com/fleet.git" uses http://; ${fix}`,
    ]);
  });
  it("fails the scp form", async () => {
    expect(await check("git@github.com:acme/fleet.git")).toEqual([
      `Git URLs must use ssh:// or https://: GitRepository flux-system/flux-system url "git@github.com:acme/fleet.git" is in the scp form user@host:path, which Flux rejects; ${fix}`,
    ]);
  });
  it("fails a FluxInstance sync over a scheme the config does not allow", async () => {
    expect(
      await violations(
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
  it("passes the bootstrap's root Kustomization; ignores others", async () => {
    expect(await violations(fluxRootKustomization, KS, { metadata: root, spec })).toEqual([]);
    expect(
      await violations(fluxRootKustomization, KS, {
        metadata: { name: "apps", namespace: "flux-system" },
        spec: {},
      }),
    ).toEqual([]);
  });
  it("fails without prune", async () => {
    expect(
      await violations(fluxRootKustomization, KS, { metadata: root, spec: { ...spec, prune: false } }),
    ).toEqual([
      `${rule}: Kustomization flux-system/flux-system has prune false; set flux.sync.prune: true so objects removed from Git are removed from the cluster.`,
    ]);
  });
  it("fails without substitution from cluster-vars", async () => {
    expect(
      await violations(fluxRootKustomization, KS, {
        metadata: root,
        spec: { prune: true, postBuild: { substituteFrom: [{ kind: "Secret", name: "cluster-vars" }] } },
      }),
    ).toEqual([
      `${rule}: Kustomization flux-system/flux-system postBuild.substituteFrom does not list ConfigMap cluster-vars; add { kind: ConfigMap, name: cluster-vars } so the platform's variables resolve.`,
    ]);
  });
});
