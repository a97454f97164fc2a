/**
 * No credential in a URL or a free-form field, and `secure:` only as a ciphertext on a secret field
 * (issue 24): each URL field of the stack file wired to the one URL check, with its exact problems.
 */
import { randomBytes } from "node:crypto";
import { parsePlatformConfig } from "../../../stacks/config";
import { looksPlain } from "../../../stacks/stackFileSecrets";
import { bareMetalClusterProblems } from "../../../components/cluster/baremetal";
import { clusterArgs } from "../components/cluster/baremetal/fixtures";
import { configError, withValues } from "../../helpers/platform";

const PW = "hunter2";
const CRED = (where: string) =>
  `must not carry credentials (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in ${where}`;
const SOURCE_CREDS =
  "auth: type https with username and a password or token (`pulumi config set --secret --path 'flux.auth.password' <token>`), type ssh with a deploy key, or a provider";
const PULL =
  "install.imagePullSecret (server, username and a password set with `pulumi config set --secret --path 'flux.install.imagePullSecret.password'`)";
const TLS = "must use https://: what is fetched from it is run or trusted, so it must come over TLS";
const NONE = { type: "none", knownHosts: undefined };
const OCI = { kind: "oci", url: "oci://registry.example.com/acme/fleet" };
const PUBLIC_URL =
  "the access control of the forge or issuer, never this URL, which is public (objects, annotations, reports)";

/** The problem lines of a config, [] when valid. */
const problems = (values: Record<string, unknown>) =>
  configError(values)
    .split("\n")
    .slice(1)
    .map((l) => l.replace(/^ {2}- /, ""));

describe("every URL field goes through the URL check", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["a clean config", {}, []],
    [
      "source.url with user:password",
      {
        flux: { source: { url: `https://bot:${PW}@git.example.com/acme/fleet.git` }, auth: NONE },
      },
      [`flux.source.url: ${CRED(SOURCE_CREDS)}`],
    ],
    [
      "source.url with a token as user",
      { flux: { source: { url: "https://ghp_x@git.example.com/acme/fleet.git" }, auth: NONE } },
      [`flux.source.url: ${CRED(SOURCE_CREDS)}`],
    ],
    [
      "source.url with a token in the query",
      {
        flux: {
          source: { url: "https://git.example.com/acme/fleet.git?private_token=x" },
          auth: NONE,
        },
      },
      [`flux.source.url: ${CRED(SOURCE_CREDS)}`],
    ],
    [
      "source.url ssh:// with a password",
      { flux: { source: { url: `ssh://git:${PW}@git.example.com/acme/fleet.git` } } },
      [`flux.source.url: ${CRED(SOURCE_CREDS)}`],
    ],
    [
      "source.url ssh:// with a user only",
      { flux: { source: { url: "ssh://git@git.example.com/acme/fleet.git" } } },
      [],
    ],
    [
      "source.url over plain http to a remote host",
      { flux: { source: { url: "http://git.example.com/acme/fleet.git" }, auth: NONE } },
      [`flux.source.url: ${TLS}`],
    ],
    [
      "source.url over plain http to the loopback host",
      { flux: { source: { url: "http://127.0.0.1:3000/acme/fleet.git" }, auth: NONE } },
      [],
    ],
    [
      "an OCI source.url with user:password",
      {
        flux: {
          source: { ...OCI, url: `oci://robot:${PW}@registry.example.com/acme/fleet` },
          auth: NONE,
        },
      },
      [`flux.source.url: ${CRED(SOURCE_CREDS)}`],
    ],
    [
      "source.charts.url with user:password",
      {
        flux: {
          source: {
            ...OCI,
            charts: { url: `oci://robot:${PW}@registry.example.com/acme/charts`, names: ["nf"] },
          },
          auth: NONE,
        },
      },
      [
        `flux.source.charts.url: ${CRED("the registry login of `npm run gitops:publish` and source.provider (not the URL)")}`,
      ],
    ],
    [
      "source.origin with a token",
      {
        flux: { source: { ...OCI, origin: `https://x:${PW}@github.com/acme/fleet` }, auth: NONE },
      },
      [`flux.source.origin: ${CRED(PUBLIC_URL)}`],
    ],
    [
      "install.manifests.url with user:password",
      { flux: { install: { manifests: { url: `https://m:${PW}@mirror.example.com/install.yaml` } } } },
      [
        `flux.install.manifests.url: ${CRED("a mirror that needs none, or install.manifests.file (a local copy)")}`,
      ],
    ],
    [
      "install.manifests.url over plain http",
      { flux: { install: { manifests: { url: "http://mirror.example.com/install.yaml" } } } },
      [
        `flux.install.manifests.url: ${TLS}; the install manifests run Flux with cluster-admin rights; for a local copy use install.manifests.file`,
      ],
    ],
    [
      "install.manifests.url over plain http to the loopback host",
      { flux: { install: { manifests: { url: "http://localhost:8080/install.yaml" } } } },
      [],
    ],
    [
      "install.registry with user:password",
      { flux: { install: { registry: `robot:${PW}@registry.example.com/fluxcd` } } },
      [`flux.install.registry: ${CRED(PULL)}`],
    ],
    [
      "install.registry with a scheme",
      { flux: { install: { registry: "https://registry.example.com/fluxcd" } } },
      ["flux.install.registry: must be a registry host and path such as ghcr.io/fluxcd, without a scheme"],
    ],
    [
      "install.imagePullSecret.server with user:password",
      { flux: { install: { imagePullSecret: { server: `https://robot:${PW}@registry.example.com` } } } },
      [
        "flux.install.imagePullSecret: server, username and password go together: give all three to have the Secret created, or none to reference an existing Secret",
        `flux.install.imagePullSecret.server: ${CRED(PULL)}`,
      ],
    ],
    [
      "install.operator.chart over plain http",
      { flux: { install: { operator: { chart: "http://charts.example.com/flux-operator" } } } },
      [`flux.install.operator.chart: ${TLS}`],
    ],
    [
      "auth.baseUrl with user:password",
      {
        flux: {
          source: { url: "https://github.com/acme/fleet.git" },
          auth: {
            type: "githubApp",
            knownHosts: undefined,
            appId: 1,
            installationId: 2,
            privateKey: "k",
            baseUrl: `https://a:${PW}@ghe.example.com/api/v3`,
          },
        },
      },
      [`flux.auth.baseUrl: ${CRED("auth.privateKey (the App's key)")}`],
    ],
  ])("%s", (_, patch, expected) => {
    const got = problems(withValues(patch));
    expect(got).toEqual(expected);
    expect(got.join("\n")).not.toContain(PW);
  });

  it("reports the issuer URL of flux.oidcProvider", () => {
    const values = withValues({
      flux: {
        sops: { provider: "awskms" },
        oidcProvider: {
          arn: "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/lab",
          issuerUrl: `https://u:${PW}@oidc.example.com/lab`,
        },
      },
    });
    expect(problems(values)).toEqual([`flux.oidcProvider.issuerUrl: ${CRED(PUBLIC_URL)}`]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "scriptUrl with user:password",
      { install: { scriptUrl: `https://m:${PW}@get.rke2.io` } },
      [
        `install.scriptUrl: ${CRED("a mirror the nodes reach without credentials (the URL lands in the node commands, their logs and the state)")}`,
      ],
    ],
    [
      "mirrorUrl over plain http",
      { install: { mode: "airgap", mirrorUrl: "http://artifacts.example.net/rke2/{version}" } },
      [
        `install.mirrorUrl: ${TLS}; the nodes fetch and run it as root; or set install.insecure: true for a lab mirror (the baremetal-install-https policy flags it)`,
      ],
    ],
    [
      "mirrorUrl over plain http, insecure",
      { install: { mode: "airgap", mirrorUrl: "http://artifacts.example.net", insecure: true } },
      [],
    ],
    [
      "mirrorUrl over plain http to the loopback host",
      { install: { mode: "airgap", mirrorUrl: "http://127.0.0.1:8080" } },
      [],
    ],
  ])("bare metal: %s", (_, patch, expected) => {
    expect(bareMetalClusterProblems(clusterArgs(patch)).map((p) => `${p.path}: ${p.message}`)).toEqual(
      expected,
    );
  });
});

describe("secure: values", () => {
  const b64 = (n: number) => randomBytes(n).toString("base64");
  it.each<[string, unknown, boolean]>([
    ["a passphrase/KMS ciphertext", `v1:${b64(12)}:${b64(40)}`, false],
    ["the shortest one (an empty secret: the 16-byte tag)", `v1:${b64(12)}:${b64(16)}`, false],
    ["a Pulumi Cloud ciphertext", b64(64), false],
    ["hunter2", PW, true],
    ["a GitHub token", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", true],
    ["a private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----", true],
    ["an age key", `AGE-SECRET-KEY-1${"Q".repeat(58)}`, true],
    ["a nonce of the wrong size", `v1:${b64(10)}:${b64(40)}`, true],
    ["a ciphertext shorter than the tag", `v1:${b64(12)}:${b64(15)}`, true],
    ["v1: with made-up parts", "v1:AAAA:BBBB", true],
    [
      "v1: with a base64-encoded plaintext",
      `v1:${b64(12)}:${Buffer.from("set it with pulumi config set --secret").toString("base64")}`,
      true,
    ],
    [
      "a base64-encoded plaintext",
      Buffer.from("the vendor token is 0123456789abcdef").toString("base64"),
      true,
    ],
    ["a short base64 string", b64(24), true],
    ["base64 with a line break", `${b64(30)}\n${b64(30)}`, true],
    ["not a string", { nested: true }, true],
  ])("%s → plain text: %s", (_, value, plain) => {
    expect(looksPlain(value)).toBe(plain);
  });

  it("refuses secure: on a field that is not secret, with its path, and takes it on a secret field", () => {
    const source = (securePaths: string[]) => ({
      stack: "test",
      file: "Pulumi.test.yaml",
      values: withValues({
        flux: { vars: { MCC: "[redacted]" }, secretVars: { TOKEN: "[redacted]" } },
      }),
      isSecret: () => true,
      securePaths,
    });
    const message = (p: string) =>
      `${p}: is not a secret field, but is given as secure: the program would decrypt it and put the plaintext where it is read in the clear (tags, ConfigMaps, object fields, outputs): give it in plain text (\`pulumi config set --path '${p}' <value>\`); a credential belongs in a field marked secret in docs/configuration.md`;
    expect(() => parsePlatformConfig(source(["flux.secretVars.TOKEN", "cluster.kubeconfig"]))).not.toThrow();
    expect(() => parsePlatformConfig(source(["owner", "flux.vars.MCC", "flux.secretVars.TOKEN"]))).toThrow(
      [
        'Invalid configuration for stack "test" (Pulumi.test.yaml), 2 problems:',
        `  - ${message("owner")}`,
        `  - ${message("flux.vars.MCC")}`,
      ].join("\n"),
    );
  });

  it("finds a PGP private key among the public keys", () => {
    const values = withValues({
      flux: {
        source: {
          verify: {
            mode: "HEAD",
            publicKeys: { "release.asc": "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n" },
          },
        },
      },
    });
    expect(problems(values)).toEqual([
      "flux.source.verify.publicKeys.release.asc: looks like a credential (a private key), which must not be stored here in plain text: give the public half only (`gpg --export --armor <key id>`, or the .pub file of an SSH key), never the private key",
    ]);
  });
});
