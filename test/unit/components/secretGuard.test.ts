import { credentialKind, secretProblems } from "../../../components/secretGuard";

const GITHUB = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
const PGP = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOY\n-----END PGP PRIVATE KEY BLOCK-----";

describe("credentialKind", () => {
  it.each<[string | undefined, string, string | undefined]>([
    // by shape, whatever the key
    ["x", PEM, "a private key"],
    ["x", PGP, "a private key"],
    ["x", "-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"],
    ["x", "-----BEGIN EC PRIVATE KEY-----", "a private key"],
    ["x", `AGE-SECRET-KEY-1${"Q".repeat(58)}`, "an age secret key"],
    ["x", GITHUB, "a GitHub token"],
    ["x", `prefix ${GITHUB} suffix`, "a GitHub token"],
    ["x", "gho_0123456789abcdefghijklmnopqrstuvwxyzAB", "a GitHub token"],
    ["x", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "a GitHub token"],
    ["x", "glpat-AbCdEfGhIjKlMnOpQrSt12", "a GitLab token"],
    ["x", "xoxb-123456789012-abcdefghijklmnop", "a Slack token"],
    ["x", "xoxp-123456789012-abcdefghijklmnop", "a Slack token"],
    ["x", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"],
    ["x", "ASIAIOSFODNN7EXAMPLE", "an AWS access key id"],
    ["x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ", "a JSON web token"],
    [undefined, GITHUB, "a GitHub token"],
    ["endpoint", "https://bot:pw@hooks.example.com/x", "a URL with a password"],
    ["dsn", "postgres://app:pw@db:5432/app", "a URL with a password"],
    ["endpoint", "ssh://git@git.example.com/x", undefined],
    ["endpoint", "https://hooks.example.com/x?ref=a:b@c", undefined],
    // by key name
    ["password", "hunter2", "its key is named like a secret"],
    ["DB_PASSWORD", "hunter2", "its key is named like a secret"],
    ["apiKey", "abc123", "its key is named like a secret"],
    ["api-key", "abc123", "its key is named like a secret"],
    ["clientSecret", "abc123", "its key is named like a secret"],
    ["AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "its key is named like a secret"],
    ["privateKey", "abc", "its key is named like a secret"],
    ["credentials", "abc", "its key is named like a secret"],
    ["Authorization", "Bearer abc", "its key is named like a secret"],
    ["passphrase", "correct horse", "its key is named like a secret"],
    // references and descriptions of a credential are fine
    ["existingSecret", "grafana-admin", undefined],
    ["passwordSecretName", "db", undefined],
    ["tokenSecretRef", "vendor-token", undefined],
    ["secretName", "tls", undefined],
    ["passwordFile", "/run/secrets/db", undefined],
    ["tokenTtl", "1h", undefined],
    ["accessKeyId", "id-from-elsewhere", undefined],
    ["password", "${DB_PASSWORD}", undefined],
    ["password", "$(DB_PASSWORD)", undefined],
    ["password", "{{ .Values.password }}", undefined],
    ["token", "", undefined],
    ["tokenEnabled", "true", undefined],
    ["secret", "false", undefined],
    // neither
    ["region", "eu-central-1", undefined],
    ["key", "value", undefined],
    [undefined, "hunter2", undefined],
    ["x", "-----BEGIN PGP PUBLIC KEY BLOCK-----", undefined],
    ["x", "-----BEGIN CERTIFICATE-----", undefined],
    ["x", "AKIA-not-a-key", undefined],
  ])("%s: %s → %s", (key, value, expected) => {
    expect(credentialKind(key, value)).toBe(expected);
  });
});

describe("secretProblems", () => {
  const FIX = "the fix";
  const msg = (what: string) =>
    `looks like a credential (${what}), which must not be stored here in plain text: the fix`;

  it("walks maps and lists, with every path, never quoting the value", () => {
    const problems = secretProblems(
      {
        replicas: 2,
        auth: { password: "hunter2", existingSecret: "db" },
        env: [
          { name: "GITHUB_TOKEN", value: "plain-looking" },
          { name: "LOG_LEVEL", value: "debug" },
          { name: "DB", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        ],
        note: `deploy with ${GITHUB}`,
      },
      "install.operator.values",
      FIX,
    );
    expect(problems).toEqual([
      { path: "install.operator.values.auth.password", message: msg("its key is named like a secret") },
      { path: "install.operator.values.env.0.value", message: msg("its key is named like a secret") },
      { path: "install.operator.values.note", message: msg("a GitHub token") },
    ]);
    expect(JSON.stringify(problems)).not.toMatch(/hunter2|plain-looking|ghp_/);
  });

  it("takes the fix as a function of the path", () => {
    expect(secretProblems({ TOKEN: "x1" }, "vars", (p) => `move ${p}`)).toEqual([
      {
        path: "vars.TOKEN",
        message:
          "looks like a credential (its key is named like a secret), which must not be stored here in plain text: move vars.TOKEN",
      },
    ]);
  });

  it("judges public-key fields by shape only", () => {
    expect(
      secretProblems({ "token.asc": "-----BEGIN PGP PUBLIC KEY BLOCK-----" }, "publicKeys", FIX, {
        byKeyName: false,
      }),
    ).toEqual([]);
    expect(secretProblems({ "release.asc": PGP }, "publicKeys", FIX, { byKeyName: false })).toEqual([
      { path: "publicKeys.release.asc", message: msg("a private key") },
    ]);
    expect(secretProblems(PEM, "auth.caCert", FIX, { byKeyName: false })).toEqual([
      { path: "auth.caCert", message: msg("a private key") },
    ]);
  });

  it("finds nothing in undefined, numbers, booleans and clean maps", () => {
    expect(secretProblems(undefined, "x", FIX)).toEqual([]);
    expect(secretProblems({ password: 5, token: true, labels: { app: "web" } }, "x", FIX)).toEqual([]);
  });
});
