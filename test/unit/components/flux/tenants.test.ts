/**
 * flux.tenants on the mock engine: each tenant's Namespace and Secret `<tenant>-auth`, their exact
 * inputs, order (before the Flux install), secrecy, and a credential rotation that changes only the
 * Secret's data.
 */
import * as pulumi from "@pulumi/pulumi";
import { isSecretWrapped } from "../../../../automation/render/engine";
import { deployPlatform } from "../../../../stacks/platform";
import { deploy, onEngine, parse, testEnvironment, withValues } from "../../../helpers/platform";

const VENDOR_HOSTS = "git.acme.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVENDORHOSTKEY";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nacme-key-1\n-----END OPENSSH PRIVATE KEY-----";

const tenantValues = (identity = KEY) =>
  withValues({
    flux: {
      install: { lockdown: {} },
      tenants: [
        { name: "acme", credential: { type: "ssh", identity, knownHosts: VENDOR_HOSTS } },
        {
          name: "globex",
          namespace: "globex-nf",
          credential: { type: "oci", server: "registry.globex.example", username: "pull", password: "tok-1" },
        },
        {
          name: "initech",
          createNamespace: false,
          credential: { type: "https", username: "git", password: "tok-2" },
        },
      ],
    },
  });

const BOOTSTRAP = "platform:flux:FluxBootstrap::flux";
const PROVIDER = "pulumi:providers:kubernetes::de-dev-provider";
const NS = "kubernetes:core/v1:Namespace::flux-namespace";

describe("flux.tenants", () => {
  it("creates each tenant's Namespace and Secret before the install, keyed by tenant", async () => {
    const d = await deploy(parse(tenantValues()));
    const rows = d.resources
      .filter(
        (r) =>
          r.parent === BOOTSTRAP &&
          !r.type.startsWith("kubernetes:source") &&
          !r.type.startsWith("kubernetes:kustomize"),
      )
      .map((r) => [`${r.type}::${r.name}`, r.provider, r.dependsOn]);
    const beforeInstall = [
      NS,
      "kubernetes:core/v1:Secret::flux-git-auth",
      "kubernetes:core/v1:ConfigMap::flux-cluster-vars",
      "kubernetes:core/v1:Namespace::flux-tenant-acme",
      "kubernetes:core/v1:Secret::flux-tenant-acme-auth",
      "kubernetes:core/v1:Namespace::flux-tenant-globex",
      "kubernetes:core/v1:Secret::flux-tenant-globex-auth",
      "kubernetes:core/v1:Secret::flux-tenant-initech-auth",
    ];
    expect(rows).toEqual([
      [NS, PROVIDER, []],
      ["tls:index/privateKey:PrivateKey::flux-deploy-key", undefined, []],
      ["kubernetes:core/v1:Secret::flux-git-auth", PROVIDER, [NS]],
      ["kubernetes:core/v1:ConfigMap::flux-cluster-vars", PROVIDER, [NS]],
      ["kubernetes:core/v1:Namespace::flux-tenant-acme", PROVIDER, []],
      [
        "kubernetes:core/v1:Secret::flux-tenant-acme-auth",
        PROVIDER,
        ["kubernetes:core/v1:Namespace::flux-tenant-acme"],
      ],
      ["kubernetes:core/v1:Namespace::flux-tenant-globex", PROVIDER, []],
      [
        "kubernetes:core/v1:Secret::flux-tenant-globex-auth",
        PROVIDER,
        ["kubernetes:core/v1:Namespace::flux-tenant-globex"],
      ],
      ["kubernetes:core/v1:Secret::flux-tenant-initech-auth", PROVIDER, []],
      ["pulumi-nodejs:dynamic/flux:StoredVersions::flux-stored-versions", undefined, beforeInstall],
      [
        "kubernetes:yaml/v2:ConfigGroup::flux-install",
        PROVIDER,
        [...beforeInstall, "pulumi-nodejs:dynamic/flux:StoredVersions::flux-stored-versions"],
      ],
    ]);
  });

  it("writes the exact Namespaces (name and tenant label only) and Secrets", async () => {
    const d = await deploy(parse(tenantValues()));
    expect(d.inputs("flux-tenant-acme")).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "acme", labels: { "toolkit.fluxcd.io/tenant": "acme" } },
    });
    expect(d.inputs("flux-tenant-globex")).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "globex-nf", labels: { "toolkit.fluxcd.io/tenant": "globex" } },
    });
    const labels = (t: string) => ({
      "app.kubernetes.io/managed-by": "pulumi",
      "toolkit.fluxcd.io/tenant": t,
    });
    expect(d.inputs("flux-tenant-acme-auth")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "acme-auth", namespace: "acme", labels: labels("acme") },
      type: "Opaque",
      stringData: { identity: KEY, known_hosts: VENDOR_HOSTS + "\n" },
    });
    expect(d.inputs("flux-tenant-globex-auth")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "globex-auth", namespace: "globex-nf", labels: labels("globex") },
      type: "kubernetes.io/dockerconfigjson",
      stringData: {
        ".dockerconfigjson": JSON.stringify({
          auths: {
            "registry.globex.example": {
              username: "pull",
              password: "tok-1",
              auth: Buffer.from("pull:tok-1").toString("base64"),
            },
          },
        }),
      },
    });
    expect(d.inputs("flux-tenant-initech-auth")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "initech-auth", namespace: "initech", labels: labels("initech") },
      type: "Opaque",
      stringData: { username: "git", password: "tok-2" },
    });
  });

  it("keeps every credential a Pulumi secret (the whole stringData), out of the outputs", async () => {
    const d = await deploy(parse(tenantValues()));
    for (const t of ["acme", "globex", "initech"]) {
      const secret = d.get(`flux-tenant-${t}-auth`).inputs as { stringData: unknown };
      expect([t, isSecretWrapped(secret.stringData)]).toEqual([t, true]);
    }
    const outputs = JSON.stringify(d.outputs);
    for (const plain of ["acme-key-1", "tok-1", "tok-2", Buffer.from("pull:tok-1").toString("base64")])
      expect(outputs).not.toContain(plain);
  });

  it("rotates a credential as a change of the Secret's data only: same resources, same Namespace, retained namespaces", async () => {
    const options: Record<string, pulumi.CustomResourceOptions> = {};
    const run = (identity: string) =>
      onEngine(() => {
        pulumi.runtime.registerStackTransformation((a) => {
          if (a.name.startsWith("flux-tenant-")) options[a.name] = a.opts;
          return undefined;
        });
        return deployPlatform(parse(tenantValues(identity)), testEnvironment);
      });
    const before = await run(KEY);
    const after = await run(KEY.replace("acme-key-1", "acme-key-2"));
    const ids = (d: typeof before) => d.resources.map((r) => [r.urn, r.dependsOn]);
    expect(ids(after)).toEqual(ids(before));
    expect(after.inputs("flux-tenant-acme")).toEqual(before.inputs("flux-tenant-acme"));
    const { stringData: was, ...restBefore } = before.inputs("flux-tenant-acme-auth");
    const { stringData: now, ...restAfter } = after.inputs("flux-tenant-acme-auth");
    expect(restAfter).toEqual(restBefore);
    expect([was, now]).toEqual([
      { identity: KEY, known_hosts: VENDOR_HOSTS + "\n" },
      { identity: KEY.replace("acme-key-1", "acme-key-2"), known_hosts: VENDOR_HOSTS + "\n" },
    ]);
    // The cluster's provider updates Secrets in place (without it a data change replaces the Secret,
    // deleting <tenant>-auth before creating it again); nothing forces a replacement; the Namespace
    // outlives the tenant's removal from the stack file.
    expect(
      [before, after].map(
        (d) => (d.get("de-dev-provider").inputs as { enableSecretMutable?: unknown }).enableSecretMutable,
      ),
    ).toEqual(["true", "true"]);
    expect(
      Object.entries(options).map(([n, o]) => [
        n,
        o.retainOnDelete,
        o.replaceOnChanges,
        o.deleteBeforeReplace,
      ]),
    ).toEqual([
      ["flux-tenant-acme", true, undefined, undefined],
      ["flux-tenant-acme-auth", undefined, undefined, undefined],
      ["flux-tenant-globex", true, undefined, undefined],
      ["flux-tenant-globex-auth", undefined, undefined, undefined],
      ["flux-tenant-initech-auth", undefined, undefined, undefined],
    ]);
  });
});
