import * as pulumi from "@pulumi/pulumi";
import { createAwsContext } from "../../../../components/aws";
import { ArgsError } from "../../../../components/problems";
import { PlatformSecrets, type PlatformSecretsArgs } from "../../../../components/secrets";
import { isSecretWrapped } from "../../../../automation/render/engine";
import { onEngine } from "../../../helpers/platform";

const SECRETS = "platform:secrets:PlatformSecrets::secrets";
const PROVIDER = "pulumi:providers:aws::aws";

/** PlatformSecrets built from its own arguments (no platform config), with the one AWS context. */
const build = (patch: Partial<PlatformSecretsArgs> = {}) =>
  onEngine(() => {
    const aws = createAwsContext({ region: "eu-central-1", tags: { platform: "p" } });
    const s = new PlatformSecrets("secrets", { prefix: "acme/p/", iamName: "p-eso", aws, ...patch });
    return { prefix: s.prefix, credentials: s.credentials.map((c) => `${c.namespace}/${c.name}`) };
  });

const ITEMS = { db: { value: pulumi.secret("s3cret") }, api: { generate: { length: 32 } } };
const ESO = "platform:secrets:WorkloadIdentity::secrets-external-secrets";

describe("PlatformSecrets from its own arguments", () => {
  it("creates the key, one secret per item (by key, not index) and ESO's identity on the context's provider", async () => {
    const d = await build({ items: ITEMS });
    const under = (t: string) => [t, SECRETS, PROVIDER, []];
    expect(d.resources.map((r) => [`${r.type}::${r.name}`, r.parent, r.provider, r.dependsOn])).toEqual([
      [PROVIDER, undefined, undefined, []],
      [SECRETS, undefined, undefined, []],
      under("aws:kms/key:Key::secrets-key"),
      under("aws:kms/alias:Alias::secrets-key-alias"),
      under("aws:secretsmanager/secret:Secret::secrets-db"),
      under("aws:secretsmanager/secretVersion:SecretVersion::secrets-db"),
      under("aws:secretsmanager/secret:Secret::secrets-api"),
      ["random:index/randomPassword:RandomPassword::secrets-api", SECRETS, undefined, []],
      under("aws:secretsmanager/secretVersion:SecretVersion::secrets-api"),
      [ESO, SECRETS, undefined, []],
      ...["user:User::%-user", "role:Role::%-role", "rolePolicy:RolePolicy::%-policy"]
        .concat(["userPolicy:UserPolicy::%-assume", "accessKey:AccessKey::%-key"])
        .map((t) => [`aws:iam/${t.replace("%", "secrets-external-secrets")}`, ESO, PROVIDER, []]),
    ]);
    expect(d.inputs("secrets-key")).toEqual({
      description: "Secrets Manager secrets under acme/p/",
      deletionWindowInDays: 30,
      enableKeyRotation: true,
      tags: { Name: "acme/p/secrets", platform: "p" },
    });
    const db = d.inputs("secrets-db");
    expect([db.name, db.description, db.recoveryWindowInDays]).toEqual([
      "acme/p/db",
      "db, managed by Pulumi",
      30,
    ]);
    const version = d.resources.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
    expect(isSecretWrapped(version.inputs.secretString)).toBe(true);
    expect(d.outputs).toEqual({
      prefix: "acme/p/",
      credentials: ["external-secrets/external-secrets-aws-credentials"],
    });
  });

  it("throws one ArgsError with every problem before registering anything", async () => {
    let error: unknown;
    const d = await onEngine(() => {
      const aws = createAwsContext({ tags: {} });
      try {
        new PlatformSecrets("secrets", {
          prefix: "acme/p",
          iamName: "x",
          aws,
          recoveryWindowInDays: 3,
          items: { "/bad": { generate: { length: 4 } } },
        });
      } catch (e) {
        error = e;
      }
    });
    expect((error as ArgsError).problems).toEqual([
      { path: "prefix", message: '"acme/p" must be path segments ending in "/", e.g. acme/de-dev/' },
      { path: "recoveryWindowInDays", message: "must be 0 (delete at once) or 7 to 30 days" },
      {
        path: "items./bad",
        message: "secret names use letters, digits and /_+=.@- (no leading or trailing /)",
      },
      { path: "items./bad.generate.length", message: "must be at least 8" },
    ]);
    expect(error).toBeInstanceOf(ArgsError);
    expect(d.names()).toEqual(["aws"]);
  });
});
