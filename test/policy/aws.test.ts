import { awsRequiredTags, kmsKeyRotation, secretsManagerProtection } from "../../policy/rules/aws";
import { NotApplicable, violations } from "./helpers";

const KEY = "aws:kms/key:Key";
const SECRET = "aws:secretsmanager/secret:Secret";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/abc";

describe("kms-key-rotation", () => {
  it("passes a rotating key", async () => {
    expect(
      await violations(kmsKeyRotation, KEY, { enableKeyRotation: true, rotationPeriodInDays: 180 }),
    ).toEqual([]);
  });
  it("does not apply to asymmetric keys", async () => {
    await expect(violations(kmsKeyRotation, KEY, { customerMasterKeySpec: "RSA_2048" })).rejects.toThrow(
      NotApplicable,
    );
  });
  it("fails a key without rotation", async () => {
    expect(await violations(kmsKeyRotation, KEY, {})).toEqual([
      "KMS keys must rotate automatically: enableKeyRotation is not true; set enableKeyRotation: true.",
    ]);
  });
  it("fails a rotation period longer than allowed", async () => {
    expect(
      await violations(
        kmsKeyRotation,
        KEY,
        { enableKeyRotation: true, rotationPeriodInDays: 400 },
        { config: { maxRotationPeriodDays: 365 } },
      ),
    ).toEqual([
      "KMS keys must rotate automatically at least every 365 days: rotationPeriodInDays is 400; lower it to 365 or less.",
    ]);
  });
});

describe("secretsmanager-secret-protection", () => {
  it("passes a secret with the platform key and the default or a long recovery window", async () => {
    expect(await violations(secretsManagerProtection, SECRET, { kmsKeyId: KEY_ARN })).toEqual([]);
    expect(
      await violations(secretsManagerProtection, SECRET, { kmsKeyId: KEY_ARN, recoveryWindowInDays: 7 }),
    ).toEqual([]);
  });
  it("fails a secret without a customer-managed key", async () => {
    expect(await violations(secretsManagerProtection, SECRET, {})).toEqual([
      "Secrets Manager secrets must be encrypted with a customer-managed KMS key: kmsKeyId is not set, so the AWS-managed key aws/secretsmanager is used; set kmsKeyId to the platform's KMS key.",
    ]);
  });
  it("fails a secret naming the AWS-managed key", async () => {
    expect(
      await violations(secretsManagerProtection, SECRET, { kmsKeyId: "alias/aws/secretsmanager" }),
    ).toEqual([
      "Secrets Manager secrets must be encrypted with a customer-managed KMS key: kmsKeyId alias/aws/secretsmanager is an AWS-managed key; set kmsKeyId to the platform's KMS key.",
    ]);
  });
  it("fails a recovery window below the minimum, including immediate deletion", async () => {
    expect(
      await violations(secretsManagerProtection, SECRET, { kmsKeyId: KEY_ARN, recoveryWindowInDays: 0 }),
    ).toEqual([
      "Secrets Manager secrets must keep a recovery window of at least 7 days: recoveryWindowInDays is 0 (deleted at once, unrecoverable); set it to 7–30, or leave it unset for 30.",
    ]);
    expect(
      await violations(
        secretsManagerProtection,
        SECRET,
        { kmsKeyId: KEY_ARN, recoveryWindowInDays: 10 },
        { config: { minRecoveryWindowDays: 14 } },
      ),
    ).toEqual([
      "Secrets Manager secrets must keep a recovery window of at least 14 days: recoveryWindowInDays is 10; set it to 14–30, or leave it unset for 30.",
    ]);
  });
});

describe("aws-required-tags", () => {
  const TAGS = { platform: "de-dev", environment: "dev", owner: "team" };
  const provider = (defaultTags: unknown) => ({
    type: "pulumi:providers:aws",
    name: "aws",
    urn: "urn:pulumi:test::platform::pulumi:providers:aws::aws",
    props: { defaultTags },
  });
  it("passes tags given on the resource", async () => {
    expect(await violations(awsRequiredTags, KEY, { tags: TAGS })).toEqual([]);
  });
  it("passes tags that come from the provider's defaultTags, as object or as JSON text", async () => {
    expect(await violations(awsRequiredTags, KEY, {}, { provider: provider({ tags: TAGS }) })).toEqual([]);
    expect(
      await violations(
        awsRequiredTags,
        KEY,
        { tags: { Name: "x" } },
        { provider: provider(JSON.stringify({ tags: TAGS })) },
      ),
    ).toEqual([]);
  });
  it("skips types that take no tags, and exempt types", async () => {
    expect(await violations(awsRequiredTags, "aws:iam/rolePolicy:RolePolicy", { policy: "{}" })).toEqual([]);
    expect(await violations(awsRequiredTags, KEY, {}, { config: { exemptTypes: [KEY] } })).toEqual([]);
  });
  it("fails missing tags on a taggable type", async () => {
    expect(await violations(awsRequiredTags, KEY, {})).toEqual([
      "AWS resources must carry the tags platform, environment and owner: platform, environment and owner are missing or empty (resource tags and the provider's defaultTags together); set them in the AWS provider's defaultTags or in tags.",
    ]);
  });
  it("fails an empty or missing configured tag on any resource given tags", async () => {
    expect(
      await violations(
        awsRequiredTags,
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        { tags: { ...TAGS, "cost-center": "" } },
        { config: { requiredTags: ["platform", "cost-center"] } },
      ),
    ).toEqual([
      "AWS resources must carry the tags platform and cost-center: cost-center is missing or empty (resource tags and the provider's defaultTags together); set it in the AWS provider's defaultTags or in tags.",
    ]);
  });
});
