import { inspect } from "node:util";
import * as path from "node:path";
import { readStackConfig } from "../../../automation/render/stackFile";
import {
  ConfigError,
  parsePlatformConfig,
  platformSchema,
  rawSecretPaths,
  SecretValue,
} from "../../../stacks/config";
import { knownHostsName } from "../../../components/flux";
import versions from "../../../components/flux/versions.json";
import { baseValues, configError, KNOWN_HOSTS, parse, withValues } from "../../helpers/platform";

describe("platform config: defaults", () => {
  it("fills every default of a minimal config", () => {
    const c = parse(baseValues());
    expect(c.flux.version).toBe(versions.flux);
    expect(c.flux.install).toEqual({
      mode: "manifests",
      registry: "ghcr.io/fluxcd",
      tolerations: [],
      nodeSelector: {},
      networkPolicy: true,
      clusterDomain: "cluster.local",
      logLevel: "info",
      components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
      extraComponents: [],
      patches: [],
      retainOnDelete: false,
      manifests: { skipAwait: false },
      operator: {
        chart: versions.operator.chart,
        chartVersion: versions.operator.chartVersion,
        values: {},
        clusterType: "kubernetes",
        multitenant: false,
      },
    });
    expect(c.flux.source).toEqual({
      kind: "git",
      url: "ssh://git@git.example.com/acme/fleet.git",
      ref: { tag: "v1.0.0" },
      interval: "1m",
      timeout: "60s",
      recurseSubmodules: false,
    });
    expect(c.flux.sync).toEqual({
      interval: "10m",
      retryInterval: "2m",
      timeout: "5m",
      prune: true,
      deletionPolicy: "WaitForTermination",
      wait: false,
    });
    expect(c.flux.auth).toEqual({ type: "ssh", keyAlgorithm: "ed25519", knownHosts: KNOWN_HOSTS });
    expect(c.tags).toEqual({});
  });

  it("turns secret fields into SecretValues that never print", () => {
    const c = parse(withValues({ flux: { sops: { ageKey: "AGE-SECRET-KEY-1QQQQ" } } }));
    const key = c.flux.sops?.ageKey;
    expect(key).toBeInstanceOf(SecretValue);
    expect(key?.value).toBe("AGE-SECRET-KEY-1QQQQ");
    expect(JSON.stringify(c)).not.toContain("AGE-SECRET-KEY");
    expect(String(key)).toBe("[secret]");
    expect(inspect(c, { depth: 10 })).not.toContain("AGE-SECRET-KEY");
  });

  it("treats the empty default of optional scalars as unset", () => {
    const c = parse(withValues({ country: "", site: "" }));
    expect(c.country).toBeUndefined();
    expect(c.site).toBeUndefined();
  });
});

const header = (n: number) =>
  `Invalid configuration for stack "test" (Pulumi.test.yaml), ${n} problem${n === 1 ? "" : "s"}:\n`;

describe("platform config: every problem at once, with path and fix", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      "scp-style Git URL",
      withValues({ flux: { source: { url: "git@github.com:acme/fleet.git" } } }),
      [
        'flux.source.url: "git@github.com:acme/fleet.git" is the scp-like form, which Flux does not accept: write ssh://git@github.com/acme/fleet.git',
        'flux.auth.type: SSH authentication needs an ssh:// URL, but the source URL is "git@github.com:acme/fleet.git"',
      ],
    ],
    [
      "missing identity and cluster",
      withValues({ name: undefined, cluster: undefined }),
      [
        "name: is required: the platform's name, e.g. de-prod",
        "cluster: is required (kind must be one of existing, eks, baremetal)",
      ],
    ],
    [
      "bad name, environment, country",
      withValues({ name: "DE_prod", environment: "Prod", country: "deu" }),
      [
        "name: must be a DNS label of at most 40 characters: lowercase letters, digits and '-', starting with a letter",
        "environment: must be a lowercase word such as dev or prod",
        "country: must be an ISO 3166-1 alpha-2 code in lowercase, e.g. de",
      ],
    ],
    [
      "unknown keys, top level and nested",
      withValues({ region: "x", flux: { sync: { intervall: "5m" } } }),
      [
        "flux.sync.intervall: unknown key: check its spelling against the configuration reference (docs/configuration.md), or remove it",
        "region: unknown config key platform:region: check its spelling against the configuration reference (docs/configuration.md), or remove it",
      ],
    ],
    [
      "two refs",
      withValues({ flux: { source: { ref: { tag: "v1", branch: "main" } } } }),
      [
        "flux.source.ref: give exactly one of tag, semver, branch, commit, name (Git) or tag, semver, digest (OCI)",
      ],
    ],
    [
      "not a duration, a range as version",
      withValues({ version: undefined, flux: { version: "2.x", sync: { interval: "10 minutes" } } }),
      [
        "flux.version: must be an exact Flux version such as 2.9.4 (not a range, not latest)",
        "flux.sync.interval: must be a Go duration such as 30s, 5m or 1h30m",
      ],
    ],
    [
      "known_hosts for another host or port",
      withValues({ flux: { source: { url: "ssh://git@git.example.com:2222/acme/fleet.git" } } }),
      [
        "flux.auth.knownHosts: has no entry for [git.example.com]:2222, the host of the source URL: run `ssh-keyscan -p 2222 git.example.com` and use its output",
      ],
    ],
    [
      "SSH auth on an https URL",
      withValues({ flux: { source: { url: "https://git.example.com/acme/fleet.git" } } }),
      [
        'flux.auth.type: SSH authentication needs an ssh:// URL, but the source URL is "https://git.example.com/acme/fleet.git"',
      ],
    ],
    [
      "https with password but no username, and bearer too",
      withValues({
        flux: {
          source: { url: "https://git.example.com/acme/fleet.git" },
          auth: { type: "https", password: "p", bearerToken: "t", knownHosts: undefined },
        },
      }),
      [
        "flux.auth: give username and password (or token as password), or bearerToken, not both",
        "flux.auth.username: is required with password (for a token, any non-empty username such as git works)",
      ],
    ],
    [
      "GitHub App without installation",
      withValues({
        flux: {
          source: { url: "https://github.com/acme/fleet.git" },
          auth: { type: "githubApp", appId: 1, privateKey: "k", knownHosts: undefined },
        },
      }),
      ["flux.auth: give exactly one of installationId and installationOwner"],
    ],
    [
      "OCI source with a branch and SSH auth",
      withValues({
        flux: {
          source: { kind: "oci", url: "oci://ghcr.io/acme/fleet", ref: { branch: "main", tag: undefined } },
        },
      }),
      [
        "flux.source.ref.branch: is for Git sources; an OCI source takes tag, semver or digest",
        "flux.auth.type: ssh authentication is for Git; an OCI source takes https (registry username/password) or none with a provider",
      ],
    ],
    [
      "variables: bad name, contract key, in both maps",
      withValues({
        flux: { vars: { "slice-region": "x", CLUSTER_NAME: "y", TOKEN: "z" }, secretVars: { TOKEN: "s" } },
      }),
      [
        "flux.vars.slice-region: is not a valid Flux variable name: use letters, digits and '_', not starting with a digit (e.g. SLICE_REGION)",
        "flux.vars.CLUSTER_NAME: CLUSTER_NAME is set by the program (cluster-vars contract): choose another name",
        "flux.secretVars.TOKEN: is also in vars: a variable lives in one place",
        "flux.vars.TOKEN: looks like a credential (its key is named like a secret), which must not be stored here in plain text: cluster-vars is a ConfigMap: remove it from vars, then `pulumi config set --secret --path 'flux.secretVars.TOKEN' <value>` (Secret cluster-secret-vars, substituted the same way)",
      ],
    ],
    [
      "non-string variable value",
      withValues({ flux: { vars: { MCC: 922 } } }),
      ["flux.vars.MCC: values must be strings (quote numbers and booleans)"],
    ],
    [
      "components: missing kustomize-controller, an extra listed as default, duplicates",
      withValues({
        flux: {
          install: {
            components: ["source-controller", "image-reflector-controller"],
            extraComponents: ["image-reflector-controller"],
          },
        },
      }),
      [
        "flux.install.components: lists image-reflector-controller more than once (counting extraComponents)",
        "flux.install.components: image-reflector-controller is an extra component: list it in extraComponents",
        "flux.install.components: must include kustomize-controller: the root sync needs it",
      ],
    ],
    [
      "extra secrets: duplicate, reserved name, empty data",
      withValues({
        flux: {
          extraSecrets: [
            { namespace: "vendor", name: "pull", data: { a: "1" } },
            { namespace: "vendor", name: "pull", data: { a: "1" } },
            { namespace: "flux-system", name: "sops-age", data: {} },
          ],
        },
      }),
      [
        "flux.extraSecrets.1: vendor/pull is listed twice",
        "flux.extraSecrets.2.name: flux-system/sops-age is created by the program: choose another name",
        "flux.extraSecrets.2.data: is empty: give at least one key",
      ],
    ],
    [
      "a receiver token too short, one with a line break, and an extra secret taking its name",
      withValues({
        flux: {
          receiver: { token: "0123456789abcdef0123456789abcde" },
          extraSecrets: [{ namespace: "flux-system", name: "fleet-receiver-token", data: { token: "x" } }],
        },
      }),
      [
        "flux.extraSecrets.0.name: flux-system/fleet-receiver-token is created by the program: choose another name",
        "flux.receiver.token: is 31 characters, fewer than 32: anyone who guesses it can make Flux pull; generate one with `openssl rand -hex 32` and give the same value to the Git host's webhook",
      ],
    ],
    [
      "a receiver token read from a file with its newline",
      withValues({ flux: { receiver: { token: "0123456789abcdef0123456789abcdef\n" } } }),
      [
        "flux.receiver.token: contains white space (a line break from a file?), which the Git host would not send: generate one with `openssl rand -hex 32` and give the same value to the Git host's webhook",
      ],
    ],
    [
      "existing cluster with neither kubeconfig nor path",
      withValues({ cluster: { kind: "existing", kubeconfig: undefined } }),
      [
        "cluster: an existing cluster needs kubeconfig (secret contents) or kubeconfigPath (a file, e.g. ~/.kube/config, with optional context)",
      ],
    ],
    [
      "SOPS key that is not an age identity",
      withValues({ flux: { sops: { ageKey: "-----BEGIN PGP PRIVATE KEY BLOCK-----" } } }),
      [
        "flux.sops.ageKey: is not an age identity: it starts with AGE-SECRET-KEY-1 (generate one with `age-keygen`)",
      ],
    ],
    [
      "image pull secret half given",
      withValues({ flux: { install: { imagePullSecret: { name: "regcred", username: "u" } } } }),
      [
        "flux.install.imagePullSecret: server, username and password go together: give all three to have the Secret created, or none to reference an existing Secret",
      ],
    ],
    [
      "a value of the wrong type is not reported as missing",
      withValues({ name: 123, cluster: { kind: "existing", kubeconfigPath: "~/.kube/config", context: 7 } }),
      ["name: must be a string, not a number", "cluster.context: must be a string, not a number"],
    ],
    [
      "a semver range Flux would refuse",
      withValues({
        flux: {
          source: { ref: { tag: undefined, semver: "not a semver range!!" } },
        },
      }),
      [
        'flux.source.ref.semver: "not a semver range!!" is not a semver range Flux accepts: write e.g. ">=1.0.0 <2.0.0", "1.x", "~1.2" or "^1.2.3" (|| for alternatives)',
      ],
    ],
    [
      "a source over plain http (TLS required, credentials or not)",
      withValues({
        flux: {
          source: { url: "http://git.example.com/fleet.git" },
          auth: { type: "https", knownHosts: undefined, username: "u", password: "p" },
        },
      }),
      [
        "flux.source.url: must use https://: what is fetched from it is run or trusted, so it must come over TLS",
      ],
    ],
    [
      "AWS tag limits",
      withValues({
        tags: {
          "aws:team": "x",
          ["k".repeat(129)]: "x",
          long: "v".repeat(257),
          "bad#key": "x",
          ...Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`t${i}`, "x"])),
        },
      }),
      [
        "tags.aws:team: tag keys starting with aws: are reserved by AWS: choose another key",
        `tags.${"k".repeat(129)}: tag keys must be 1 to 128 characters (this one has 129)`,
        "tags.long: tag values must be at most 256 characters (this one has 257)",
        "tags.bad#key: tag keys may hold letters, digits, spaces and _ . : / = + - @ only",
        "tags: 58 tags with the 7 the program adds (platform, environment, owner, managed-by, Name, kubernetes.io/role/*, kubernetes.io/cluster/*): AWS allows 50 per resource; remove 8",
      ],
    ],
    [
      "a map where a string is expected",
      withValues({ owner: { team: "x" } }),
      ["owner: must be a string, not a map"],
    ],
  ];

  it.each(cases)("%s", (_title, values, problems) => {
    const message = configError(values);
    expect(message).toBe(header(problems.length) + problems.map((p) => `  - ${p}`).join("\n"));
  });

  it("rejects a secret given in plain text, naming the command that fixes it", () => {
    const values = withValues({ flux: { sops: { ageKey: "AGE-SECRET-KEY-1QQQQ" } } });
    expect(configError(values, ["flux"])).toBe(
      header(1) +
        "  - flux.sops.ageKey: is a secret but is stored in plain text: run `pulumi config set --secret --path 'flux.sops.ageKey' <value>` so it is encrypted in Pulumi.test.yaml",
    );
  });

  it("reports secrets in plain text with the schema problems, not after they are fixed", () => {
    const values = withValues({
      owner: 42,
      cluster: {
        kind: "baremetal",
        version: "v1.31.4+rke2r1",
        servers: [{ host: "10.0.0.11", ssh: { privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" } }],
        ssh: { privateKey: "", bastion: { host: "b", privateKey: "key" } },
        kubeconfig: "x",
      },
      flux: { sops: { ageKey: "AGE-SECRET-KEY-1QQQQ" }, secretVars: { TOKEN: "t", OK: "u" } },
    });
    const message = configError(values, ["cluster", "flux"]);
    expect(message).toBe(
      header(8) +
        [
          "  - owner: must be a string, not a number",
          "  - cluster.ssh.privateKey: must not be empty",
          "  - cluster.kubeconfig: unknown key: check its spelling against the configuration reference (docs/configuration.md), or remove it",
          ...[
            "cluster.servers.0.ssh.privateKey",
            "cluster.ssh.bastion.privateKey",
            "flux.sops.ageKey",
            "flux.secretVars.TOKEN",
            "flux.secretVars.OK",
          ].map(
            (p) =>
              `  - ${p}: is a secret but is stored in plain text: run \`pulumi config set --secret --path '${p}' <value>\` so it is encrypted in Pulumi.test.yaml`,
          ),
        ].join("\n"),
    );
  });

  it("reports secure: values holding plain text with every other problem", () => {
    const values = withValues({ owner: 42 });
    expect(() =>
      parsePlatformConfig({
        stack: "test",
        file: "Pulumi.test.yaml",
        values,
        isSecret: () => true,
        plainSecure: ["flux.secretVars.TOKEN"],
      }),
    ).toThrow(
      header(2) +
        "  - owner: must be a string, not a number\n" +
        "  - flux.secretVars.TOKEN: the secure: value holds plain text, not a ciphertext (a key, token or kubeconfig written by hand): remove it, then run `pulumi config set --secret --path 'flux.secretVars.TOKEN' < <file with the value>` so it is encrypted",
    );
  });

  it("throws a ConfigError (a Pulumi RunError: no stack trace for the user)", () => {
    expect(() =>
      parsePlatformConfig({ stack: "s", file: "Pulumi.s.yaml", values: {}, isSecret: () => true }),
    ).toThrow(ConfigError);
  });
});

describe("knownHostsName", () => {
  it.each([
    ["ssh://git@github.com/acme/fleet.git", "github.com"],
    ["ssh://git@github.com:22/acme/fleet.git", "github.com"],
    ["ssh://git@10.0.0.5:2222/acme/fleet.git", "[10.0.0.5]:2222"],
    ["ssh://git@[::1]:2222/fleet.git", "[::1]:2222"],
    ["https://github.com/acme/fleet.git", undefined],
  ])("%s -> %s", (url, want) => expect(knownHostsName(url)).toBe(want));
});

describe("rawSecretPaths", () => {
  /** The paths of the SecretValues in a parsed config: what the walk over the raw values must find. */
  const parsedSecretPaths = (v: unknown, at: string[] = []): string[] =>
    v instanceof SecretValue
      ? [at.join(".")]
      : v && typeof v === "object"
        ? Object.entries(v).flatMap(([k, x]) => parsedSecretPaths(x, [...at, k]))
        : [];
  const walked = (values: Record<string, unknown>) =>
    rawSecretPaths(platformSchema, values)
      .map((p) => p.join("."))
      .sort();

  it.each(["local", "dev", "prod"])("finds every secret of the shipped stack %s", async (stack) => {
    const source = await readStackConfig(path.join(__dirname, "..", "..", ".."), stack);
    expect(walked(source.values)).toEqual(parsedSecretPaths(parsePlatformConfig(source)).sort());
  });

  it("finds secrets under unions, lists and maps, by the value's kind", () => {
    const values = withValues({
      cluster: {
        kind: "baremetal",
        version: "v1.31.4+rke2r1",
        servers: [{ host: "10.0.0.11", ssh: { privateKey: "k1", bastion: { host: "b", privateKey: "k2" } } }],
        ssh: { privateKey: "k3" },
        kubeconfig: undefined,
      },
      flux: {
        source: { url: "https://github.com/acme/fleet.git" },
        auth: { type: "githubApp", appId: 1, installationId: 2, privateKey: "k4", knownHosts: undefined },
        sops: { ageKey: "AGE-SECRET-KEY-1QQQQ" },
        secretVars: { A: "k6" },
      },
    });
    const want = [
      "cluster.servers.0.ssh.privateKey",
      "cluster.servers.0.ssh.bastion.privateKey",
      "cluster.ssh.privateKey",
      "flux.auth.privateKey",
      "flux.sops.ageKey",
      "flux.secretVars.A",
    ].sort();
    expect(walked(values)).toEqual(want);
    expect(parsedSecretPaths(parse(values)).sort()).toEqual(want);
    // An unknown kind: no option applies, nothing is guessed.
    expect(walked(withValues({ cluster: { kind: "nope", ssh: { privateKey: "k" } } }))).toEqual([]);
  });
});
