import { isSecretWrapped, unwrapSecrets } from "../../../../automation/render/engine";
import type { Deployed } from "../../../helpers/platform";
import {
  ACCOUNT,
  AWS_PROVIDER,
  deployValues,
  eksValues,
  existingWithAwsValues,
  json,
  named,
} from "./fixtures";
import { withValues } from "../../../helpers/platform";

const ISSUER_HOST = "oidc.eks.eu-central-1.amazonaws.com/id/C4DF1D8F84BFD4E57AB584BD0546BCBB";
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
const ZONE_ID = "Z66CA3C5F2B2E092A9BDA";
const ZONE_ARN = `arn:aws:route53:::hostedzone/${ZONE_ID}`;
const SECRETS_KEY = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/93245c11-c354-e18e-1c43-fa8f94ed78aa`;
const PREFIX_ARN = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:acme/de-dev/*`;
const TAGS = { environment: "dev", "managed-by": "pulumi", owner: "net-int", platform: "de-dev" };
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const EXTERNAL_DNS_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ManageRecordsInPlatformZone",
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
      Resource: ZONE_ARN,
    },
    { Sid: "ListZones", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
  ],
};
const CERT_MANAGER_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "GetChange",
      Effect: "Allow",
      Action: "route53:GetChange",
      Resource: "arn:aws:route53:::change/*",
    },
    {
      Sid: "ChallengeRecordsInPlatformZone",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: ZONE_ARN,
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
      Resource: ZONE_ARN,
    },
    { Sid: "FindZone", Effect: "Allow", Action: "route53:ListHostedZonesByName", Resource: "*" },
  ],
};
const ESO_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ReadPlatformSecrets",
      Effect: "Allow",
      Action: [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:ListSecretVersionIds",
        "secretsmanager:GetResourcePolicy",
      ],
      Resource: PREFIX_ARN,
    },
    {
      Sid: "DecryptWithPlatformKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: SECRETS_KEY,
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com" } },
    },
  ],
};

const irsaTrust = (namespace: string, sa: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: OIDC_ARN },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${ISSUER_HOST}:sub`]: `system:serviceaccount:${namespace}:${sa}`,
          [`${ISSUER_HOST}:aud`]: "sts.amazonaws.com",
        },
      },
    },
  ],
});

describe("PlatformDns and PlatformSecrets on EKS", () => {
  let d: Deployed;
  beforeAll(async () => {
    d = await deployValues(eksValues());
  });

  it("creates the zone <platform>.<parent domain> and delegates it with an NS record in the parent zone", () => {
    const zone = named(d, "aws:route53/zone:Zone", "dns-zone");
    expect([zone.parent, zone.provider, zone.inputs]).toEqual([
      "platform:dns:PlatformDns::dns",
      AWS_PROVIDER,
      {
        name: "de-dev.telco.example.com",
        comment: "Platform zone de-dev.telco.example.com, managed by Pulumi",
        tags: { ...TAGS, Name: "de-dev.telco.example.com" },
      },
    ]);
    const ns = named(d, "aws:route53/record:Record", "dns-delegation");
    expect([ns.provider, ns.inputs]).toEqual([
      AWS_PROVIDER,
      {
        zoneId: "Z0PARENT",
        name: "de-dev.telco.example.com",
        type: "NS",
        ttl: 3600,
        records: [
          "ns-202.awsdns-10.com",
          "ns-714.awsdns-10.net",
          "ns-1226.awsdns-10.org",
          "ns-1738.awsdns-10.co.uk",
        ],
      },
    ]);
  });

  it("gives external-dns and cert-manager IRSA roles trusted by their service accounts only, limited to the exact zone", () => {
    const role = (n: string) => named(d, ROLE, n).inputs;
    expect(role("dns-external-dns-role").name).toBe("de-dev-external-dns");
    expect(json(role("dns-external-dns-role").assumeRolePolicy)).toEqual(
      irsaTrust("external-dns", "external-dns"),
    );
    expect(json(named(d, ROLE_POLICY, "dns-external-dns-policy").inputs.policy)).toEqual(EXTERNAL_DNS_POLICY);
    expect(json(role("dns-cert-manager-role").assumeRolePolicy)).toEqual(
      irsaTrust("cert-manager", "cert-manager"),
    );
    expect(json(named(d, ROLE_POLICY, "dns-cert-manager-policy").inputs.policy)).toEqual(CERT_MANAGER_POLICY);
    expect(
      d.resources.filter(
        (r) => r.type.startsWith("aws:iam/user") || r.type === "aws:iam/accessKey:AccessKey",
      ),
    ).toEqual([]);
  });

  it("creates a rotating KMS key and the secrets under <org>/<platform>/, generated or from config, values only as secrets", () => {
    expect(named(d, "aws:kms/key:Key", "secrets-key").inputs).toEqual({
      description: "Secrets Manager secrets under acme/de-dev/",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { ...TAGS, Name: "acme/de-dev/secrets" },
    });
    expect(named(d, "aws:kms/alias:Alias", "secrets-key-alias").inputs).toEqual({
      name: "alias/acme/de-dev",
      targetKeyId: "93245c11-c354-e18e-1c43-fa8f94ed78aa",
    });
    const secrets = d.resources
      .filter((r) => r.type === "aws:secretsmanager/secret:Secret")
      .map((r) => [r.name, r.inputs]);
    expect(secrets).toEqual(
      ["grafana/admin", "vendor-a/license"].map((k) => [
        `secrets-${k}`,
        {
          name: `acme/de-dev/${k}`,
          description: `${k}, managed by Pulumi`,
          kmsKeyId: SECRETS_KEY,
          recoveryWindowInDays: 7,
          tags: { ...TAGS, Name: `acme/de-dev/${k}` },
        },
      ]),
    );
    expect(named(d, "random:index/randomPassword:RandomPassword", "secrets-grafana/admin").inputs).toEqual({
      length: 32,
      special: false,
    });
    const generated = named(
      d,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "secrets-grafana/admin",
    ).inputs;
    const supplied = named(
      d,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "secrets-vendor-a/license",
    ).inputs;
    expect([isSecretWrapped(generated.secretString), isSecretWrapped(supplied.secretString)]).toEqual([
      true,
      true,
    ]);
    expect(unwrapSecrets(supplied)).toEqual({
      secretId: "secrets-vendor-a/license-id",
      secretString: "LICENSE-SECRET-VALUE",
    });
    expect(unwrapSecrets(generated)).toEqual({
      secretId: "secrets-grafana/admin-id",
      secretString: "render-placeholder-password-secrets-grafana/admin",
    });
  });

  it("gives External Secrets an IRSA role that reads only the prefix and decrypts only with the platform key via Secrets Manager", () => {
    expect(json(named(d, ROLE, "secrets-external-secrets-role").inputs.assumeRolePolicy)).toEqual(
      irsaTrust("external-secrets", "external-secrets"),
    );
    expect(json(named(d, ROLE_POLICY, "secrets-external-secrets-policy").inputs.policy)).toEqual(ESO_POLICY);
  });

  it("hands the zone, owner id, role ARNs, prefix and key to cluster-vars, and never a secret value", () => {
    const vars = d.outputs.clusterVars as Record<string, string>;
    expect(vars).toEqual({
      PLATFORM_NAME: "de-dev",
      PLATFORM_ENVIRONMENT: "dev",
      PLATFORM_OWNER: "net-int",
      PLATFORM_ORGANIZATION: "acme",
      PLATFORM_COUNTRY: "de",
      CLUSTER_NAME: "de-dev",
      CLUSTER_KIND: "eks",
      CLUSTER_DOMAIN: "cluster.local",
      FLUX_VERSION: "2.9.4",
      AWS_REGION: "eu-central-1",
      AWS_ACCOUNT_ID: ACCOUNT,
      OIDC_PROVIDER_ARN: OIDC_ARN,
      VPC_ID: "de-dev-vpc-id",
      DNS_ZONE_NAME: "de-dev.telco.example.com",
      DNS_ZONE_ID: ZONE_ID,
      EXTERNAL_DNS_OWNER_ID: "acme-de-dev",
      EXTERNAL_DNS_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/de-dev-external-dns`,
      CERT_MANAGER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/de-dev-cert-manager`,
      SECRETS_PREFIX: "acme/de-dev/",
      SECRETS_KMS_KEY_ARN: SECRETS_KEY,
      ESO_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/de-dev-external-secrets`,
    });
    const configMap = named(d, "kubernetes:core/v1:ConfigMap", "flux-cluster-vars").inputs;
    expect(configMap.data).toEqual(vars);
    const plain = JSON.stringify([d.outputs.clusterVars, configMap]);
    for (const leaked of ["LICENSE-SECRET-VALUE", "render-placeholder-password"])
      expect(plain).not.toContain(leaked);
  });

  it("makes Flux wait for the delegation, the identities and the secret values", () => {
    const ns = named(d, "kubernetes:core/v1:Namespace", "flux-namespace");
    expect(ns.dependsOn.slice(-6)).toEqual([
      "aws:route53/record:Record::dns-delegation",
      "platform:secrets:WorkloadIdentity::dns-external-dns",
      "platform:secrets:WorkloadIdentity::dns-cert-manager",
      "aws:secretsmanager/secretVersion:SecretVersion::secrets-grafana/admin",
      "aws:secretsmanager/secretVersion:SecretVersion::secrets-vendor-a/license",
      "platform:secrets:WorkloadIdentity::secrets-external-secrets",
    ]);
  });
});

describe("PlatformDns and PlatformSecrets on a non-EKS cluster", () => {
  let d: Deployed;
  beforeAll(async () => {
    d = await deployValues(existingWithAwsValues());
  });

  it("creates per workload an IAM user that may only assume its role, the role trusting that user only", () => {
    for (const [id, iam] of [
      ["dns-external-dns", "de-dev-external-dns"],
      ["dns-cert-manager", "de-dev-cert-manager"],
      ["secrets-external-secrets", "de-dev-external-secrets"],
    ]) {
      const user = named(d, "aws:iam/user:User", `${id}-user`);
      expect([user.provider, user.inputs]).toEqual([
        AWS_PROVIDER,
        { name: iam, path: "/platform/", tags: { ...TAGS, Name: iam } },
      ]);
      expect(json(named(d, ROLE, `${id}-role`).inputs.assumeRolePolicy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/platform/${iam}` },
            Action: "sts:AssumeRole",
          },
        ],
      });
      const userPolicy = named(d, "aws:iam/userPolicy:UserPolicy", `${id}-assume`).inputs;
      expect([userPolicy.user, json(userPolicy.policy)]).toEqual([
        iam,
        {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/${iam}` },
          ],
        },
      ]);
      expect(named(d, "aws:iam/accessKey:AccessKey", `${id}-key`).inputs).toEqual({ user: iam });
    }
    expect(json(named(d, ROLE_POLICY, "dns-external-dns-policy").inputs.policy)).toEqual(EXTERNAL_DNS_POLICY);
    expect(json(named(d, ROLE_POLICY, "secrets-external-secrets-policy").inputs.policy)).toEqual(ESO_POLICY);
  });

  it("puts each access key into an early Secret in its workload's namespace, values as secrets, never in cluster-vars", () => {
    const ns = named(d, "kubernetes:core/v1:Namespace", "flux-namespace").name;
    for (const [namespace, secret, key] of [
      ["external-dns", "external-dns-aws-credentials", "dns-external-dns-key"],
      ["cert-manager", "cert-manager-aws-credentials", "dns-cert-manager-key"],
      ["external-secrets", "external-secrets-aws-credentials", "secrets-external-secrets-key"],
    ]) {
      const s = named(d, "kubernetes:core/v1:Secret", `flux-secret-${namespace}-${secret}`);
      expect([s.parent, s.provider, s.dependsOn]).toEqual([
        "platform:flux:FluxBootstrap::flux",
        "pulumi:providers:kubernetes::de-dev-provider",
        [`kubernetes:core/v1:Namespace::flux-ns-${namespace}`],
      ]);
      expect(isSecretWrapped(s.inputs.stringData)).toBe(true);
      expect(unwrapSecrets(s.inputs)).toEqual({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: secret, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        type: "Opaque",
        stringData: {
          AWS_ACCESS_KEY_ID: `${key}-id`,
          AWS_SECRET_ACCESS_KEY: `render-placeholder-secret-access-key-${key}`,
        },
      });
      expect(named(d, "kubernetes:core/v1:Namespace", `flux-ns-${namespace}`).inputs.metadata).toEqual({
        name: namespace,
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      });
    }
    expect(ns).toBe("flux-namespace");
    const vars = d.outputs.clusterVars as Record<string, string>;
    expect(Object.keys(vars).filter((k) => k.startsWith("AWS_") || k.endsWith("_ARN"))).toEqual([
      "AWS_REGION",
      "AWS_ACCOUNT_ID",
      "EXTERNAL_DNS_ROLE_ARN",
      "CERT_MANAGER_ROLE_ARN",
      "SECRETS_KMS_KEY_ARN",
      "ESO_ROLE_ARN",
    ]);
    expect(JSON.stringify(vars)).not.toContain("render-placeholder-secret-access-key");
  });
});

describe("PlatformDns variants", () => {
  it("delegates through a provider for the parent account and signs with DNSSEC (KMS key in us-east-1, DS record)", async () => {
    const d = await deployValues(
      withValues({
        dns: {
          parentDomain: "telco.example.com",
          zoneName: "dev.de.telco.example.com",
          delegation: {
            parentZoneId: "Z0PARENT",
            roleArn: "arn:aws:iam::210987654321:role/dns-delegation",
            ttl: 300,
          },
          dnssec: true,
        },
      }),
    );
    const parent = named(d, "pulumi:providers:aws", "aws-dns-parent").inputs;
    expect([json(parent.assumeRoles), json(parent.defaultTags), parent.region]).toEqual([
      [{ roleArn: "arn:aws:iam::210987654321:role/dns-delegation", sessionName: "platform-de-dev-dns" }],
      { tags: TAGS },
      "eu-central-1",
    ]);
    const nsRecord = named(d, "aws:route53/record:Record", "dns-delegation");
    expect([nsRecord.provider, nsRecord.inputs.name, nsRecord.inputs.ttl]).toEqual([
      "pulumi:providers:aws::aws-dns-parent",
      "dev.de.telco.example.com",
      300,
    ]);
    const key = named(d, "aws:kms/key:Key", "dns-dnssec-key").inputs;
    expect([key.region, key.customerMasterKeySpec, key.keyUsage]).toEqual([
      "us-east-1",
      "ECC_NIST_P256",
      "SIGN_VERIFY",
    ]);
    expect(json(key.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "Route53DnssecSigns",
          Effect: "Allow",
          Principal: { Service: "dnssec-route53.amazonaws.com" },
          Action: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
        {
          Sid: "Route53DnssecGrants",
          Effect: "Allow",
          Principal: { Service: "dnssec-route53.amazonaws.com" },
          Action: "kms:CreateGrant",
          Resource: "*",
          Condition: {
            Bool: { "kms:GrantIsForAWSResource": "true" },
            StringEquals: { "aws:SourceAccount": ACCOUNT },
          },
        },
      ],
    });
    const zoneId = (d.outputs.clusterVars as Record<string, string>).DNS_ZONE_ID;
    expect(named(d, "aws:route53/keySigningKey:KeySigningKey", "dns-ksk").inputs).toEqual({
      hostedZoneId: zoneId,
      keyManagementServiceArn: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//),
      name: "ksk",
      status: "ACTIVE",
    });
    const signing = named(d, "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec", "dns-dnssec");
    expect([signing.inputs, signing.dependsOn]).toEqual([
      { hostedZoneId: zoneId, signingStatus: "SIGNING" },
      ["aws:route53/keySigningKey:KeySigningKey::dns-ksk"],
    ]);
    const ds = named(d, "aws:route53/record:Record", "dns-ds");
    expect([ds.provider, ds.dependsOn, ds.inputs.type, ds.inputs.zoneId]).toEqual([
      "pulumi:providers:aws::aws-dns-parent",
      ["aws:route53/hostedZoneDnsSec:HostedZoneDnsSec::dns-dnssec"],
      "DS",
      "Z0PARENT",
    ]);
  });

  it("adopts an existing zone: no zone created, policies on that zone's ARN", async () => {
    const d = await deployValues(
      withValues({ dns: { parentDomain: "telco.example.com", existingZoneId: "Z0EXISTING" } }),
    );
    expect(d.resources.filter((r) => r.type.startsWith("aws:route53/"))).toEqual([]);
    expect(json(named(d, ROLE_POLICY, "dns-external-dns-policy").inputs.policy)).toEqual(
      JSON.parse(JSON.stringify(EXTERNAL_DNS_POLICY).replaceAll(ZONE_ID, "Z0EXISTING")),
    );
    expect((d.outputs.clusterVars as Record<string, string>).DNS_ZONE_ID).toBe("Z0EXISTING");
  });
});
