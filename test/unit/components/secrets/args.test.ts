import { fakeAwsContext as ctx } from "../../../helpers/awsContext";
import { resolvePlatformSecretsArgs, secretPrefixArn, secretsPrefix } from "../../../../components/secrets";

describe("PlatformSecrets arguments", () => {
  it("resolves PlatformSecrets defaults and rejects bad prefixes, windows and items", () => {
    const r = resolvePlatformSecretsArgs({
      prefix: "acme/p/",
      iamName: "p-eso",
      aws: ctx,
      recoveryWindowInDays: 0,
    });
    expect([r.recoveryWindowInDays, r.items, r.externalSecrets]).toEqual([
      0,
      {},
      { namespace: "external-secrets", serviceAccount: "external-secrets" },
    ]);
    expect(() =>
      resolvePlatformSecretsArgs({
        prefix: "acme/p",
        iamName: "x",
        aws: ctx,
        recoveryWindowInDays: 40,
        items: { a: {}, b: { generate: { length: 4 } } },
      }),
    ).toThrow(
      "invalid PlatformSecrets arguments, 4 problems:\n" +
        '  - prefix: "acme/p" must be path segments ending in "/", e.g. acme/de-dev/\n' +
        "  - recoveryWindowInDays: must be 0 (delete at once) or 7 to 30 days\n" +
        "  - items.a: give exactly one of generate (a generated value) and value (a secure config value)\n" +
        "  - items.b.generate.length: must be at least 8",
    );
  });

  it("names the prefix and its ARN pattern exactly", () => {
    expect(secretsPrefix("acme", "de-dev")).toBe("acme/de-dev/");
    expect(secretPrefixArn("aws-cn", "cn-north-1", "123456789012", "acme/de-dev/")).toBe(
      "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:acme/de-dev/*",
    );
  });
});
