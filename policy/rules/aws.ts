/** AWS service guardrails: KMS key rotation, Secrets Manager protection, required tags. */
import type { ResourceValidationArgs } from "@pulumi/policy";
import {
  asRecord,
  configWithDefaults,
  listText,
  parseMaybeJson,
  type PlatformResourcePolicy,
} from "./common";

export const KMS_KEY = "aws:kms/key:Key";
export const SM_SECRET = "aws:secretsmanager/secret:Secret";

export interface KmsRotationConfig {
  /** Longest rotation period allowed, in days (AWS default 365). */
  maxRotationPeriodDays: number;
}
const KMS_DEFAULTS: KmsRotationConfig = { maxRotationPeriodDays: 365 };

export const kmsKeyRotation: PlatformResourcePolicy = {
  name: "kms-key-rotation",
  description: "Symmetric KMS keys rotate automatically, at least as often as the configured period.",
  severity: "medium",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      maxRotationPeriodDays: { type: "integer", minimum: 90, maximum: 2560, default: 365 },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== KMS_KEY) return;
    const spec = args.props.keySpec ?? args.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    const usage = args.props.keyUsage ?? "ENCRYPT_DECRYPT";
    if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT")
      args.notApplicable("only symmetric encryption keys support automatic rotation");
    const cfg = configWithDefaults(KMS_DEFAULTS, args.getConfig<Partial<KmsRotationConfig>>());
    const rule = "KMS keys must rotate automatically";
    if (args.props.enableKeyRotation !== true) {
      report(`${rule}: enableKeyRotation is not true; set enableKeyRotation: true.`);
      return;
    }
    const period = args.props.rotationPeriodInDays;
    if (typeof period === "number" && period > cfg.maxRotationPeriodDays)
      report(
        `${rule} at least every ${cfg.maxRotationPeriodDays} days: rotationPeriodInDays is ${period}; lower it to ${cfg.maxRotationPeriodDays} or less.`,
      );
  },
};

export interface SecretProtectionConfig {
  /** Shortest recovery window allowed, in days (AWS allows 7 to 30; 0 deletes at once). */
  minRecoveryWindowDays: number;
}
/** `alias/aws/<service>`, bare or as an ARN: keys AWS manages, which cannot be scoped or rotated by the platform. */
const AWS_MANAGED_ALIAS = /^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//;
const SECRET_DEFAULTS: SecretProtectionConfig = { minRecoveryWindowDays: 7 };

export const secretsManagerProtection: PlatformResourcePolicy = {
  name: "secretsmanager-secret-protection",
  description:
    "Secrets Manager secrets use a customer-managed KMS key and a recovery window of at least 7 days.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minRecoveryWindowDays: { type: "integer", minimum: 7, maximum: 30, default: 7 },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== SM_SECRET) return;
    const cfg = configWithDefaults(SECRET_DEFAULTS, args.getConfig<Partial<SecretProtectionConfig>>());
    const key = args.props.kmsKeyId;
    if (typeof key !== "string" || key === "")
      report(
        "Secrets Manager secrets must be encrypted with a customer-managed KMS key: kmsKeyId is not set, so the " +
          "AWS-managed key aws/secretsmanager is used; set kmsKeyId to the platform's KMS key.",
      );
    else if (AWS_MANAGED_ALIAS.test(key))
      report(
        `Secrets Manager secrets must be encrypted with a customer-managed KMS key: kmsKeyId ${key} is an ` +
          "AWS-managed key; set kmsKeyId to the platform's KMS key.",
      );
    const window = args.props.recoveryWindowInDays;
    if (typeof window === "number" && window < cfg.minRecoveryWindowDays)
      report(
        `Secrets Manager secrets must keep a recovery window of at least ${cfg.minRecoveryWindowDays} days: ` +
          `recoveryWindowInDays is ${window}${window === 0 ? " (deleted at once, unrecoverable)" : ""}; ` +
          `set it to ${cfg.minRecoveryWindowDays}–30, or leave it unset for 30.`,
      );
  },
};

export interface RequiredTagsConfig {
  /** Tag keys every taggable AWS resource must carry (directly or through the provider's defaultTags). */
  requiredTags: string[];
  /** Resource types exempt from the rule. */
  exemptTypes: string[];
}
const TAG_DEFAULTS: RequiredTagsConfig = {
  requiredTags: ["platform", "environment", "owner"],
  exemptTypes: [],
};

/** AWS types that take `tags` (those the platform creates); any AWS resource given `tags` counts too. */
export const TAGGABLE_TYPES = [
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:eks/addon:Addon",
  "aws:eks/fargateProfile:FargateProfile",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  "aws:eks/accessEntry:AccessEntry",
  "aws:kms/key:Key",
  "aws:secretsmanager/secret:Secret",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:iam/instanceProfile:InstanceProfile",
  "aws:route53/zone:Zone",
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/instance:Instance",
  "aws:cloudwatch/logGroup:LogGroup",
];

/** The provider's `defaultTags.tags` (object, or JSON text as provider inputs are sent). */
export function providerDefaultTags(args: Pick<ResourceValidationArgs, "provider">): Record<string, unknown> {
  const defaultTags = parseMaybeJson(args.provider?.props?.defaultTags);
  return asRecord(defaultTags?.tags) ?? {};
}

export const awsRequiredTags: PlatformResourcePolicy = {
  name: "aws-required-tags",
  description:
    "Every taggable AWS resource carries the required tags, directly or through the provider's defaultTags.",
  severity: "low",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      requiredTags: { type: "array", items: { type: "string" }, default: TAG_DEFAULTS.requiredTags },
      exemptTypes: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, report) => {
    if (!args.type.startsWith("aws:")) return;
    const cfg = configWithDefaults(TAG_DEFAULTS, args.getConfig<Partial<RequiredTagsConfig>>());
    const own = asRecord(args.props.tags);
    if (cfg.exemptTypes.includes(args.type) || (!own && !TAGGABLE_TYPES.includes(args.type))) return;
    const tags = { ...providerDefaultTags(args), ...(own ?? {}) };
    const missing = cfg.requiredTags.filter((k) => typeof tags[k] !== "string" || tags[k] === "");
    if (missing.length)
      report(
        `AWS resources must carry the tags ${listText(cfg.requiredTags)}: ${listText(missing)} ` +
          `${missing.length === 1 ? "is" : "are"} missing or empty (resource tags and the provider's defaultTags ` +
          `together); set ${missing.length === 1 ? "it" : "them"} in the AWS provider's defaultTags or in tags.`,
      );
  },
};

export const awsPolicies = [kmsKeyRotation, secretsManagerProtection, awsRequiredTags];
