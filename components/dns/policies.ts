import type { PolicyDocument } from "../aws";

export const hostedZoneArn = (partition: string, zoneId: string) =>
  `arn:${partition}:route53:::hostedzone/${zoneId}`;

/** Whether `zone` is a proper subdomain of `parent` (both without trailing dot, case-insensitive). */
export function isUnderDomain(zone: string, parent: string): boolean {
  const z = zone.toLowerCase().replace(/\.$/, "");
  const p = parent.toLowerCase().replace(/\.$/, "");
  return z.endsWith(`.${p}`) && z.length > p.length + 1;
}

/** external-dns: records of this zone only; listing zones cannot be scoped. */
export function externalDnsPolicy(zoneArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ManageRecordsInPlatformZone",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        Resource: zoneArn,
      },
      { Sid: "ListZones", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
    ],
  };
}

/** cert-manager DNS-01: only `_acme-challenge` TXT records in this zone. */
export function certManagerPolicy(zoneArn: string, partition: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GetChange",
        Effect: "Allow",
        Action: "route53:GetChange",
        Resource: `arn:${partition}:route53:::change/*`,
      },
      {
        Sid: "ChallengeRecordsInPlatformZone",
        Effect: "Allow",
        Action: "route53:ChangeResourceRecordSets",
        Resource: zoneArn,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"],
          },
        },
      },
      {
        Sid: "ListRecordsInPlatformZone",
        Effect: "Allow",
        Action: "route53:ListResourceRecordSets",
        Resource: zoneArn,
      },
      { Sid: "FindZone", Effect: "Allow", Action: "route53:ListHostedZonesByName", Resource: "*" },
    ],
  };
}

/** Key policy of the DNSSEC signing key: the account administers it, Route53 DNSSEC signs with it for this account. */
export function dnssecKeyPolicy(partition: string, accountId: string): PolicyDocument {
  const sourceAccount = { StringEquals: { "aws:SourceAccount": accountId } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "Route53DnssecSigns",
        Effect: "Allow",
        Principal: { Service: "dnssec-route53.amazonaws.com" },
        Action: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
        Resource: "*",
        Condition: sourceAccount,
      },
      {
        Sid: "Route53DnssecGrants",
        Effect: "Allow",
        Principal: { Service: "dnssec-route53.amazonaws.com" },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" }, ...sourceAccount },
      },
    ],
  };
}

/** external-dns `--txt-owner-id`: unique per platform (organization and platform name). */
export const externalDnsOwnerId = (organization: string, platform: string) => `${organization}-${platform}`;
