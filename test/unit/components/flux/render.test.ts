import {
  describeRef,
  renderAuthData,
  renderDockerConfigJson,
  renderNamespace,
  renderRootKustomization,
  renderRootSource,
  rootPath,
} from "../../../../components/flux/render";
import { validateFluxObject } from "../../../helpers/fluxSchemas";
import { KNOWN_HOSTS, parse, withValues } from "../../../helpers/platform";
import type { SecretValue } from "../../../../stacks/schema/common";

const source = (patch: Record<string, unknown>) => parse(withValues({ flux: { source: patch } })).flux.source;
const unwrap = (v: SecretValue) => `secret(${v.value})`;

describe("renderNamespace", () => {
  it("labels flux-system as flux bootstrap does", () => {
    expect(renderNamespace()).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "flux-system",
        labels: {
          "app.kubernetes.io/part-of": "flux",
          "app.kubernetes.io/instance": "flux-system",
          "pod-security.kubernetes.io/warn": "restricted",
          "app.kubernetes.io/managed-by": "pulumi",
        },
      },
    });
  });
});

describe("renderRootSource: GitRepository", () => {
  const base = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: {
      name: "flux-system",
      namespace: "flux-system",
      labels: { "app.kubernetes.io/managed-by": "pulumi" },
    },
  };
  it.each([
    ["tag", { tag: "v1.0.0" }],
    ["semver", { semver: ">=1.0.0 <2.0.0" }],
    ["branch", { branch: "main" }],
    ["commit", { commit: "0123456789abcdef0123456789abcdef01234567" }],
    ["name", { name: "refs/heads/main" }],
  ])("ref by %s", (_kind, ref) => {
    const obj = renderRootSource(source({ ref: { tag: undefined, ...ref } }), { secretName: "flux-system" });
    expect(obj).toEqual({
      ...base,
      spec: {
        url: "ssh://git@git.example.com/acme/fleet.git",
        ref,
        interval: "1m",
        timeout: "60s",
        secretRef: { name: "flux-system" },
      },
    });
    validateFluxObject(obj);
  });

  it("carries interval, timeout, ignore, submodules, provider and verification", () => {
    const obj = renderRootSource(
      source({
        ref: { tag: "v2.0.0" },
        interval: "5m",
        timeout: "2m",
        ignore: "/docs\n*.md",
        recurseSubmodules: true,
        verify: { mode: "TagAndHEAD", publicKeys: { "team.asc": "-----BEGIN PGP PUBLIC KEY BLOCK-----" } },
      }),
      { secretName: "flux-system", verifySecretName: "flux-system-verify" },
    );
    expect(obj.spec).toEqual({
      url: "ssh://git@git.example.com/acme/fleet.git",
      ref: { tag: "v2.0.0" },
      interval: "5m",
      timeout: "2m",
      secretRef: { name: "flux-system" },
      ignore: "/docs\n*.md",
      recurseSubmodules: true,
      verify: { mode: "TagAndHEAD", secretRef: { name: "flux-system-verify" } },
    });
    validateFluxObject(obj);
  });

  it("omits secretRef for a public repository", () => {
    const publicSource = parse(
      withValues({
        flux: {
          source: { url: "https://github.com/acme/fleet.git" },
          auth: { type: "none", knownHosts: undefined },
        },
      }),
    ).flux.source;
    const obj = renderRootSource(publicSource, {});
    expect(obj.spec).toEqual({
      url: "https://github.com/acme/fleet.git",
      ref: { tag: "v1.0.0" },
      interval: "1m",
      timeout: "60s",
    });
    validateFluxObject(obj);
  });
});

describe("renderRootSource: OCIRepository", () => {
  it.each([
    ["tag", { tag: "v1.0.0" }],
    ["semver", { semver: "1.x" }],
    ["digest", { digest: "sha256:" + "a".repeat(64) }],
  ])("ref by %s, with cloud provider and cosign verification", (_k, ref) => {
    const oci = parse(
      withValues({
        flux: {
          source: {
            kind: "oci",
            url: "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/fleet",
            ref: { tag: undefined, ...ref },
            provider: "aws",
            verify: { provider: "cosign" },
          },
          auth: { type: "none", knownHosts: undefined },
        },
      }),
    ).flux.source;
    const obj = renderRootSource(oci, {});
    expect(obj).toEqual({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: {
        name: "flux-system",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      spec: {
        url: "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/fleet",
        ref,
        interval: "1m",
        timeout: "60s",
        provider: "aws",
        verify: { provider: "cosign" },
      },
    });
    validateFluxObject(obj);
  });
});

describe("renderRootKustomization", () => {
  const sync = parse(withValues({})).flux.sync;
  it("prunes and substitutes from cluster-vars", () => {
    const obj = renderRootKustomization({
      sync,
      path: "./clusters/de-dev",
      sourceKind: "GitRepository",
      sops: false,
      secretVars: false,
    });
    expect(obj).toEqual({
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
        path: "./clusters/de-dev",
        prune: true,
        deletionPolicy: "WaitForTermination",
        sourceRef: { kind: "GitRepository", name: "flux-system" },
        postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars" }] },
      },
    });
    validateFluxObject(obj);
  });

  it("decrypts with sops-age and substitutes secret vars when configured", () => {
    const obj = renderRootKustomization({
      sync: { ...sync, wait: true },
      path: "./clusters/x",
      sourceKind: "OCIRepository",
      sops: true,
      secretVars: true,
    });
    expect(obj.spec).toEqual({
      interval: "10m",
      retryInterval: "2m",
      timeout: "5m",
      path: "./clusters/x",
      prune: true,
      deletionPolicy: "WaitForTermination",
      wait: true,
      sourceRef: { kind: "OCIRepository", name: "flux-system" },
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
      postBuild: {
        substituteFrom: [
          { kind: "ConfigMap", name: "cluster-vars" },
          { kind: "Secret", name: "cluster-secret-vars" },
        ],
      },
    });
    validateFluxObject(obj);
  });

  it("defaults the path to ./clusters/<platform>", () => {
    expect(rootPath("de-prod")).toBe("./clusters/de-prod");
    expect(rootPath("de-prod", "./fleet/de")).toBe("./fleet/de");
  });
});

describe("renderAuthData: every Git auth mode", () => {
  const auth = (a: Record<string, unknown>, url = "https://git.example.com/acme/fleet.git") =>
    parse(withValues({ flux: { source: { url }, auth: { knownHosts: undefined, ...a } } })).flux.auth;

  it("ssh with a generated key carries identity, identity.pub and known_hosts", () => {
    const a = parse(withValues({})).flux.auth;
    expect(renderAuthData(a, { identity: "GEN", identityPub: "ssh-ed25519 PUB", secret: unwrap })).toEqual({
      identity: "GEN",
      "identity.pub": "ssh-ed25519 PUB",
      known_hosts: KNOWN_HOSTS + "\n",
    });
  });
  it("ssh with a supplied, encrypted key", () => {
    const a = auth(
      { type: "ssh", privateKey: "KEY", password: "PW", knownHosts: KNOWN_HOSTS },
      "ssh://git@git.example.com/acme/fleet.git",
    );
    expect(renderAuthData(a, { secret: unwrap })).toEqual({
      identity: "secret(KEY)",
      known_hosts: KNOWN_HOSTS + "\n",
      password: "secret(PW)",
    });
  });
  it("https with username and token, and a private CA", () => {
    expect(
      renderAuthData(auth({ type: "https", username: "git", password: "TOKEN", caCert: "PEM" }), {
        secret: unwrap,
      }),
    ).toEqual({
      username: "git",
      password: "secret(TOKEN)",
      "ca.crt": "PEM",
    });
  });
  it("https with a bearer token", () => {
    expect(renderAuthData(auth({ type: "https", bearerToken: "BT" }), { secret: unwrap })).toEqual({
      bearerToken: "secret(BT)",
    });
  });
  it("GitHub App", () => {
    expect(
      renderAuthData(
        auth(
          { type: "githubApp", appId: 42, installationOwner: "acme", privateKey: "PK" },
          "https://github.com/acme/fleet.git",
        ),
        { secret: unwrap },
      ),
    ).toEqual({ githubAppID: "42", githubAppInstallationOwner: "acme", githubAppPrivateKey: "secret(PK)" });
  });
  it("none has no Secret", () => {
    expect(renderAuthData(auth({ type: "none" }), { secret: unwrap })).toBeUndefined();
  });
});

describe("small renderers", () => {
  it("describeRef names the ref kind and value", () => {
    expect(describeRef({ semver: ">=1.0.0" })).toBe("semver >=1.0.0");
    expect(describeRef({ tag: "v1" })).toBe("tag v1");
  });
  it("renderDockerConfigJson", () => {
    expect(JSON.parse(renderDockerConfigJson("registry.example.com", "u", "p"))).toEqual({
      auths: {
        "registry.example.com": { username: "u", password: "p", auth: Buffer.from("u:p").toString("base64") },
      },
    });
  });
});
