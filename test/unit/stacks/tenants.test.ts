/** flux.tenants in the stack file: every bad tenant refused with its path, and credentials from Secrets Manager. */
import { isSecretWrapped, unwrapSecrets } from "../../../automation/render/engine";
import { configError, deploy, parse, withValues } from "../../helpers/platform";

const HOSTS = "git.acme.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVENDORHOSTKEY";
const ssh = { type: "ssh", identity: "-----BEGIN OPENSSH PRIVATE KEY-----", knownHosts: HOSTS };
const https = { type: "https", username: "git", password: "token" };
const oci = { type: "oci", server: "registry.acme.example", username: "pull", password: "token" };
const HEAD = (n: number) =>
  `Invalid configuration for stack "test" (Pulumi.test.yaml), ${n} problem${n === 1 ? "" : "s"}:`;
const problems = (tenants: unknown[], extra: Record<string, unknown> = {}) =>
  configError(withValues({ flux: { tenants, ...extra } }));

describe("flux.tenants: bad input", () => {
  it.each<[string, unknown[], Record<string, unknown>, string[]]>([
    [
      "a name that is no DNS label",
      [{ name: "Acme_NF", credential: ssh }],
      {},
      [
        "flux.tenants.0.name: must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are",
      ],
    ],
    [
      "a tenant named like a system namespace (its namespace too, reported once)",
      [{ name: "kube-system", credential: https }],
      {},
      [
        "flux.tenants.0.name: kube-system is a namespace of the cluster or of Flux, never a tenant's: use one named after the vendor (e.g. acme)",
      ],
    ],
    [
      "a tenant namespace that is Flux's",
      [{ name: "acme", namespace: "flux-system", credential: https }],
      {},
      [
        "flux.tenants.0.namespace: flux-system is a namespace of the cluster or of Flux, never a tenant's: use one named after the vendor (e.g. acme)",
      ],
    ],
    [
      "a tenant listed twice",
      [
        { name: "acme", credential: https },
        { name: "acme", namespace: "acme-2", credential: https },
      ],
      {},
      ["flux.tenants.1.name: acme is listed twice (also flux.tenants.0): list a tenant once"],
    ],
    [
      "a namespace of two tenants",
      [
        { name: "acme", credential: https },
        { name: "globex", namespace: "acme", credential: oci },
      ],
      {},
      [
        "flux.tenants.1.namespace: acme is already the namespace of tenant acme (flux.tenants.0): a namespace belongs to one tenant; give each its own",
      ],
    ],
    [
      "no credential value",
      [{ name: "acme", credential: { type: "ssh", knownHosts: HOSTS } }],
      {},
      ["flux.tenants.0.credential: give exactly one of identity (a secure: value) and fromSecretsManager"],
    ],
    [
      "a value and a Secrets Manager reference",
      [{ name: "acme", credential: { ...oci, fromSecretsManager: { secretId: "acme/registry" } } }],
      {},
      ["flux.tenants.0.credential: give exactly one of password (a secure: value) and fromSecretsManager"],
    ],
    [
      "missing fields",
      [{ credential: { type: "oci", password: "token" } }],
      {},
      [
        "flux.tenants.0.name: is required",
        "flux.tenants.0.credential.server: is required for oci: the registry host, e.g. registry.vendor.example",
        "flux.tenants.0.credential.username: is required for oci: the registry user name",
      ],
    ],
    [
      "an unknown credential type",
      [{ name: "acme", credential: { type: "token" } }],
      {},
      ["flux.tenants.0.credential.type: type must be one of ssh, https, oci"],
    ],
    [
      "empty known hosts",
      [{ name: "acme", credential: { ...ssh, knownHosts: "# none\n" } }],
      {},
      [
        "flux.tenants.0.credential.knownHosts: is empty: add the output of `ssh-keyscan [-p PORT] <vendor's git host>`",
      ],
    ],
    [
      "a registry URL instead of a host",
      [{ name: "acme", credential: { ...oci, server: "oci://registry.acme.example/charts" } }],
      {},
      [
        'flux.tenants.0.credential.server: "oci://registry.acme.example/charts" must be the registry host (and port), e.g. registry.vendor.example: no scheme, path or credentials',
      ],
    ],
    [
      "an extra secret that takes the tenant's Secret name",
      [{ name: "acme", credential: https }],
      { extraSecrets: [{ namespace: "acme", name: "acme-auth", data: { token: "x" } }] },
      [
        "flux.extraSecrets.0.name: acme/acme-auth is the credential Secret of tenant acme (flux.tenants.0): choose another name",
      ],
    ],
    [
      "an extra secret that creates the tenant's namespace again",
      [{ name: "acme", credential: https }],
      { extraSecrets: [{ namespace: "acme", name: "acme-extra", data: { token: "x" } }] },
      [
        "flux.extraSecrets.0.createNamespace: namespace acme is created for tenant acme (flux.tenants.0): set createNamespace: false here",
      ],
    ],
  ])("refuses %s", (_what, tenants, extra, expected) => {
    expect(problems(tenants, extra)).toBe(
      [HEAD(expected.length), ...expected.map((e) => `  - ${e}`)].join("\n"),
    );
  });

  it("takes a credential only as a secure: value", () => {
    expect(
      configError(withValues({ flux: { tenants: [{ name: "acme", credential: https }] } }), ["flux"]),
    ).toBe(
      [
        HEAD(1),
        "  - flux.tenants.0.credential.password: is a secret but is stored in plain text: run `pulumi config set --secret --path 'flux.tenants.0.credential.password' <value>` so it is encrypted in Pulumi.test.yaml",
      ].join("\n"),
    );
  });
});

describe("flux.tenants from Secrets Manager", () => {
  it("reads the credential with the platform's AWS provider into the tenant's Secret", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            tenants: [
              {
                name: "acme",
                credential: {
                  type: "ssh",
                  knownHosts: HOSTS,
                  fromSecretsManager: { secretId: "acme/vendor/ssh" },
                },
              },
              {
                name: "globex",
                credential: {
                  ...oci,
                  password: undefined,
                  fromSecretsManager: { secretId: "acme/vendor/registry" },
                },
              },
            ],
          },
        }),
      ),
    );
    expect(d.resources.filter((r) => r.type === "pulumi:providers:aws").map((r) => r.name)).toEqual(["aws"]);
    const acme = d.get("flux-tenant-acme-auth").inputs as { stringData: unknown };
    expect(isSecretWrapped(acme.stringData)).toBe(true);
    expect(unwrapSecrets(acme.stringData)).toEqual({
      identity: "render-placeholder-secret-acme/vendor/ssh",
      known_hosts: HOSTS + "\n",
    });
    const pw = "render-placeholder-secret-acme/vendor/registry";
    expect(
      unwrapSecrets((d.get("flux-tenant-globex-auth").inputs as { stringData: unknown }).stringData),
    ).toEqual({
      ".dockerconfigjson": JSON.stringify({
        auths: {
          "registry.acme.example": {
            username: "pull",
            password: pw,
            auth: Buffer.from(`pull:${pw}`).toString("base64"),
          },
        },
      }),
    });
    expect(JSON.stringify(d.outputs)).not.toContain("render-placeholder-secret");
  });
});
