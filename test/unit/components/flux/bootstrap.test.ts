import { isSecretWrapped, redactSecrets } from "../../../../automation/render/engine";
import { transformInstallManifests } from "../../../../components/flux/manifests";
import { deploy, installFixture, KNOWN_HOSTS, parse, withValues } from "../../../helpers/platform";
import { validateFluxObject } from "../../../helpers/fluxSchemas";
import type { K8sObject } from "../../../../components/flux/objects";

const PROVIDER = "pulumi:providers:kubernetes::de-dev-provider";
const BOOTSTRAP = "platform:flux:FluxBootstrap::flux";
const NS = "kubernetes:core/v1:Namespace::flux-namespace";
const GIT = "kubernetes:core/v1:Secret::flux-git-auth";
const VARS = "kubernetes:core/v1:ConfigMap::flux-cluster-vars";
const INSTALL = "kubernetes:yaml/v2:ConfigGroup::flux-install";
const SOURCE = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository::flux-source";
const MIGRATE = "pulumi-nodejs:dynamic/flux:StoredVersions::flux-stored-versions";

describe("FluxBootstrap on the mock engine", () => {
  it("creates namespace → early secrets → install → root sync, each depending on the whole previous step", async () => {
    const d = await deploy(parse(withValues({})));
    expect(d.resources.map((r) => [`${r.type}::${r.name}`, r.parent, r.provider, r.dependsOn])).toEqual([
      ["platform:cluster:ExistingCluster::de-dev", undefined, undefined, []],
      [
        "pulumi:providers:kubernetes::de-dev-provider",
        "platform:cluster:ExistingCluster::de-dev",
        undefined,
        [],
      ],
      [BOOTSTRAP, undefined, undefined, []],
      [NS, BOOTSTRAP, PROVIDER, []],
      ["tls:index/privateKey:PrivateKey::flux-deploy-key", BOOTSTRAP, undefined, []],
      [GIT, BOOTSTRAP, PROVIDER, [NS]],
      [VARS, BOOTSTRAP, PROVIDER, [NS]],
      [MIGRATE, BOOTSTRAP, undefined, [NS, GIT, VARS]],
      [INSTALL, BOOTSTRAP, PROVIDER, [NS, GIT, VARS, MIGRATE]],
      [SOURCE, BOOTSTRAP, PROVIDER, [INSTALL]],
      [
        "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization::flux-sync",
        BOOTSTRAP,
        PROVIDER,
        [INSTALL, SOURCE],
      ],
    ]);
  });

  it("migrates Flux's stored versions before the install: the kubeconfig (secret), the release and the install's CRDs", async () => {
    const d = await deploy(parse(withValues({})));
    const { __provider, kubeconfig, ...inputs } = d.get("flux-stored-versions").inputs;
    expect(isSecretWrapped(kubeconfig)).toBe(true);
    expect(typeof __provider).toBe("string");
    // The CRDs the install applies (the fixture has two), each listing v1 only.
    const installed = (d.inputs("flux-install") as { objs: K8sObject[] }).objs
      .filter((o) => o.kind === "CustomResourceDefinition")
      .map((o) => o.metadata.name);
    expect(installed).toEqual([
      "gitrepositories.source.toolkit.fluxcd.io",
      "kustomizations.kustomize.toolkit.fluxcd.io",
    ]);
    expect(inputs).toEqual({
      fluxVersion: "2.9.4",
      crds: Object.fromEntries(installed.map((n) => [n, { storage: "v1", versions: ["v1"] }])),
    });
  });

  it("generates an ED25519 deploy key, exports its public half, and puts the key in Secret flux-system", async () => {
    const d = await deploy(parse(withValues({})));
    expect(d.inputs("flux-deploy-key")).toEqual({ algorithm: "ED25519" });
    const git = d.get("flux-git-auth").inputs as { stringData: unknown };
    expect(isSecretWrapped(git.stringData)).toBe(true);
    expect(d.inputs("flux-git-auth")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "flux-system",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      stringData: {
        identity: "-----BEGIN OPENSSH PRIVATE KEY----- render placeholder flux-deploy-key",
        "identity.pub": "ssh-ed25519 AAAA-render-placeholder-flux-deploy-key",
        known_hosts: KNOWN_HOSTS + "\n",
      },
    });
    expect(d.outputs.deployPublicKey).toBe("ssh-ed25519 AAAA-render-placeholder-flux-deploy-key");
  });

  it.each([
    ["rsa", { algorithm: "RSA", rsaBits: 4096 }],
    ["ecdsa", { algorithm: "ECDSA", ecdsaCurve: "P384" }],
  ])("generates a %s deploy key when asked", async (keyAlgorithm, inputs) => {
    const d = await deploy(parse(withValues({ flux: { auth: { keyAlgorithm } } })));
    expect(d.inputs("flux-deploy-key")).toEqual(inputs);
  });

  it("writes the exact cluster-vars, watched by Flux, and exports them", async () => {
    const d = await deploy(parse(withValues({ site: "fra1", flux: { vars: { SLICE_MCC: "262" } } })));
    const vars = {
      PLATFORM_NAME: "de-dev",
      PLATFORM_ENVIRONMENT: "dev",
      PLATFORM_OWNER: "net-int",
      PLATFORM_ORGANIZATION: "acme",
      CLUSTER_NAME: "de-dev",
      CLUSTER_KIND: "existing",
      CLUSTER_DOMAIN: "cluster.local",
      FLUX_VERSION: "2.9.4",
      PLATFORM_COUNTRY: "de",
      PLATFORM_SITE: "fra1",
      SLICE_MCC: "262",
    };
    expect(d.inputs("flux-cluster-vars")).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "cluster-vars",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi", "reconcile.fluxcd.io/watch": "Enabled" },
      },
      data: vars,
    });
    expect(d.outputs.clusterVars).toEqual(vars);
  });

  it("with a GitHub App, sets provider github on the GitRepository (source-controller reads the App's Secret only then)", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            source: { url: "https://github.com/acme/fleet.git" },
            auth: {
              type: "githubApp",
              appId: 42,
              installationOwner: "acme",
              privateKey: "PK",
              knownHosts: undefined,
            },
          },
        }),
      ),
    );
    const source = d.inputs("flux-source") as K8sObject;
    expect(source.spec).toEqual({
      url: "https://github.com/acme/fleet.git",
      ref: { tag: "v1.0.0" },
      interval: "1m",
      timeout: "60s",
      secretRef: { name: "flux-system" },
      provider: "github",
    });
    validateFluxObject(source);
  });

  it("renders the root GitRepository and Kustomization exactly, valid against the Flux schemas", async () => {
    const d = await deploy(
      parse(withValues({ flux: { source: { ref: { tag: undefined, semver: "~1.2" } } } })),
    );
    const source = d.inputs("flux-source") as K8sObject;
    const sync = d.inputs("flux-sync") as K8sObject;
    expect(source.spec).toEqual({
      url: "ssh://git@git.example.com/acme/fleet.git",
      ref: { semver: "~1.2" },
      interval: "1m",
      timeout: "60s",
      secretRef: { name: "flux-system" },
    });
    expect(sync.spec).toEqual({
      interval: "10m",
      retryInterval: "2m",
      timeout: "5m",
      path: "./clusters/de-dev",
      prune: true,
      deletionPolicy: "WaitForTermination",
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "cluster-vars" }] },
    });
    validateFluxObject(source);
    validateFluxObject(sync);
    expect(d.outputs).toMatchObject({
      rootSourceUrl: "ssh://git@git.example.com/acme/fleet.git",
      rootSourceRef: "semver ~1.2",
      rootPath: "./clusters/de-dev",
    });
  });
});

describe("install modes", () => {
  it("manifests: the transformed upstream objects, skipAwait when configured", async () => {
    const config = parse(
      withValues({ flux: { install: { manifests: { skipAwait: true }, logLevel: "error" } } }),
    );
    const d = await deploy(config);
    expect(d.inputs("flux-install")).toEqual({
      objs: transformInstallManifests(installFixture(), config.flux.install, { skipAwait: true }),
    });
  });

  it("operator: the Flux Operator chart, then a FluxInstance, then the root sync", async () => {
    const d = await deploy(parse(withValues({ flux: { install: { mode: "operator" } } })));
    const release = "kubernetes:helm.sh/v3:Release::flux-operator";
    const instance = "kubernetes:fluxcd.controlplane.io/v1:FluxInstance::flux-instance";
    expect(d.names()).not.toContain("flux-install");
    expect(d.inputs("flux-operator")).toMatchObject({
      name: "flux-operator",
      chart: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
      namespace: "flux-system",
      createNamespace: false,
      skipAwait: false,
    });
    expect(d.get("flux-operator").dependsOn).toEqual([NS, GIT, VARS]);
    expect(d.get("flux-stored-versions").dependsOn).toEqual([NS, GIT, VARS]);
    // The operator applies the CRDs: the migration knows none of them, and runs before the FluxInstance.
    expect(d.get("flux-stored-versions").inputs.crds).toEqual({});
    expect(d.get("flux-instance").dependsOn).toEqual([release, MIGRATE]);
    expect((d.inputs("flux-instance") as K8sObject).spec).toEqual({
      distribution: { version: "2.9.4", registry: "ghcr.io/fluxcd" },
      components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
      cluster: { type: "kubernetes", multitenant: false, networkPolicy: true, domain: "cluster.local" },
    });
    // pulumi up waits until the operator has installed Flux: the root sync needs Flux's CRDs.
    expect((d.inputs("flux-instance") as K8sObject).metadata).toEqual({
      name: "flux",
      namespace: "flux-system",
      annotations: { "pulumi.com/waitFor": "condition=Ready" },
    });
    expect(d.get("flux-source").dependsOn).toEqual([release, instance]);
  });

  it("operator with skipAwait: neither the chart nor the FluxInstance is awaited", async () => {
    const d = await deploy(
      parse(withValues({ flux: { install: { mode: "operator", manifests: { skipAwait: true } } } })),
    );
    expect(d.inputs("flux-operator")).toMatchObject({ skipAwait: true });
    expect((d.inputs("flux-instance") as K8sObject).metadata).toEqual({
      name: "flux",
      namespace: "flux-system",
      annotations: { "pulumi.com/skipAwait": "true" },
    });
  });

  it("none: no install; the root sync follows the early secrets", async () => {
    const d = await deploy(parse(withValues({ flux: { install: { mode: "none" } } })));
    expect(
      d.resources.some((r) => r.type.startsWith("kubernetes:yaml") || r.type.startsWith("kubernetes:helm")),
    ).toBe(false);
    expect(d.get("flux-source").dependsOn).toEqual([NS, GIT, VARS]);
  });
});

describe("early secrets", () => {
  it("auth none: no Secret flux-system and no secretRef", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            source: { url: "https://github.com/acme/fleet.git" },
            auth: { type: "none", knownHosts: undefined },
          },
        }),
      ),
    );
    expect(d.names()).not.toContain("flux-git-auth");
    expect(d.names()).not.toContain("flux-deploy-key");
    expect((d.inputs("flux-source") as K8sObject).spec).not.toHaveProperty("secretRef");
    expect(d.outputs).not.toHaveProperty("deployPublicKey");
  });

  it("SOPS: Secret sops-age with age.agekey, and decryption on the root Kustomization", async () => {
    const d = await deploy(parse(withValues({ flux: { sops: { ageKey: "AGE-SECRET-KEY-1SOPSKEY" } } })));
    expect(d.inputs("flux-sops-age")).toMatchObject({
      metadata: { name: "sops-age", namespace: "flux-system" },
      stringData: { "age.agekey": "AGE-SECRET-KEY-1SOPSKEY" },
    });
    expect(isSecretWrapped((d.get("flux-sops-age").inputs as { stringData: unknown }).stringData)).toBe(true);
    expect((d.inputs("flux-sync") as K8sObject).spec).toMatchObject({
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
    });
    expect(d.get("flux-install").dependsOn).toContain("kubernetes:core/v1:Secret::flux-sops-age");
  });

  it("receiver: Secret fleet-receiver-token with exactly the configured token, before the install", async () => {
    const token = "5f0c1e2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100";
    const d = await deploy(parse(withValues({ flux: { receiver: { token } } })));
    expect(d.inputs("flux-receiver-token")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "fleet-receiver-token",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      stringData: { token },
    });
    expect(isSecretWrapped((d.get("flux-receiver-token").inputs as { stringData: unknown }).stringData)).toBe(
      true,
    );
    expect(d.get("flux-receiver-token").dependsOn).toEqual([NS]);
    expect(d.get("flux-install").dependsOn).toContain("kubernetes:core/v1:Secret::flux-receiver-token");
  });

  it("no receiver: no Secret fleet-receiver-token", async () => {
    const d = await deploy(parse(withValues({})));
    expect(d.names()).not.toContain("flux-receiver-token");
  });

  it("secret vars: Secret cluster-secret-vars, substituted after cluster-vars", async () => {
    const d = await deploy(parse(withValues({ flux: { secretVars: { VENDOR_TOKEN: "tok-123" } } })));
    expect(d.inputs("flux-cluster-secret-vars")).toMatchObject({
      metadata: { name: "cluster-secret-vars" },
      stringData: { VENDOR_TOKEN: "tok-123" },
    });
    expect(((d.inputs("flux-sync") as K8sObject).spec as { postBuild: unknown }).postBuild).toEqual({
      substituteFrom: [
        { kind: "ConfigMap", name: "cluster-vars" },
        { kind: "Secret", name: "cluster-secret-vars" },
      ],
    });
  });

  it("extra secrets: one Namespace per namespace, none for existing ones, each Secret after its namespace", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            extraSecrets: [
              {
                namespace: "vendor",
                name: "pull",
                type: "kubernetes.io/dockerconfigjson",
                data: { ".dockerconfigjson": "{}" },
              },
              { namespace: "vendor", name: "license", data: { key: "L" }, labels: { team: "ran" } },
              { namespace: "kube-system", name: "cni", data: { k: "v" }, createNamespace: false },
            ],
          },
        }),
      ),
    );
    expect(d.names().filter((n) => n.startsWith("flux-ns-"))).toEqual(["flux-ns-vendor"]);
    expect(d.get("flux-secret-vendor-pull").dependsOn).toEqual([
      "kubernetes:core/v1:Namespace::flux-ns-vendor",
    ]);
    expect(d.get("flux-secret-kube-system-cni").dependsOn).toEqual([]);
    expect(d.inputs("flux-secret-vendor-license")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "license",
        namespace: "vendor",
        labels: { "app.kubernetes.io/managed-by": "pulumi", team: "ran" },
      },
      type: "Opaque",
      stringData: { key: "L" },
    });
    expect(d.get("flux-install").dependsOn).toEqual([
      NS,
      GIT,
      VARS,
      "kubernetes:core/v1:Secret::flux-secret-vendor-pull",
      "kubernetes:core/v1:Secret::flux-secret-vendor-license",
      "kubernetes:core/v1:Secret::flux-secret-kube-system-cni",
      MIGRATE,
    ]);
  });

  it("image pull secret with credentials: a dockerconfigjson Secret referenced by every controller", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            install: { imagePullSecret: { server: "registry.example.com", username: "u", password: "p" } },
          },
        }),
      ),
    );
    expect(d.inputs("flux-registry")).toMatchObject({
      metadata: { name: "flux-registry" },
      type: "kubernetes.io/dockerconfigjson",
    });
    const objs = (d.inputs("flux-install") as { objs: K8sObject[] }).objs.filter(
      (o) => o.kind === "Deployment",
    );
    expect(
      objs.map(
        (o) =>
          (o.spec as { template: { spec: { imagePullSecrets: unknown } } }).template.spec.imagePullSecrets,
      ),
    ).toEqual([[{ name: "flux-registry" }], [{ name: "flux-registry" }]]);
  });

  it("never lets a secret value reach a ConfigMap, an output or the redacted record", async () => {
    const secrets = [
      "SUPPLIED-PRIVATE-KEY",
      "KEY-PASSPHRASE",
      "AGE-SECRET-KEY-1LEAK",
      "secret-var-value",
      "extra-secret-value",
      "KUBECONFIG-CONTENTS",
    ];
    const config = parse(
      withValues({
        cluster: { kubeconfig: "KUBECONFIG-CONTENTS" },
        flux: {
          auth: { privateKey: "SUPPLIED-PRIVATE-KEY", password: "KEY-PASSPHRASE" },
          sops: { ageKey: "AGE-SECRET-KEY-1LEAK" },
          secretVars: { S: "secret-var-value" },
          extraSecrets: [{ namespace: "vendor", name: "x", data: { k: "extra-secret-value" } }],
        },
      }),
    );
    const d = await deploy(config);
    const plain = JSON.stringify([
      d.inputs("flux-cluster-vars"),
      d.outputs.clusterVars,
      d.outputs.rootSourceUrl,
      redactSecrets(d.resources),
    ]);
    for (const s of secrets) expect(plain).not.toContain(s);
    // ... while the Secrets do carry them, wrapped as secrets.
    expect(JSON.stringify(d.inputs("flux-git-auth"))).toContain("SUPPLIED-PRIVATE-KEY");
  });
});
