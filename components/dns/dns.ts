import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws/sdk";
import { WorkloadIdentity, type EarlySecret, type PolicyDocument } from "../aws";
import { DEFAULTS, resolvePlatformDnsArgs, type PlatformDnsArgs, type ServiceAccountRef } from "./args";
import { certManagerPolicy, dnssecKeyPolicy, externalDnsPolicy, hostedZoneArn } from "./policies";

/**
 * The platform's Route53 zone (created or adopted), its delegation in the parent zone, optional
 * DNSSEC signing, and identities for external-dns and cert-manager limited to this zone.
 */
export class PlatformDns extends pulumi.ComponentResource {
  public readonly zoneId: pulumi.Output<string>;
  public readonly zoneName: pulumi.Output<string>;
  public readonly zoneArn: pulumi.Output<string>;
  /** Name servers of a created zone (empty for an adopted one). */
  public readonly nameServers: pulumi.Output<string[]>;
  public readonly externalDnsRoleArn: pulumi.Output<string>;
  public readonly certManagerRoleArn: pulumi.Output<string>;
  /** Access-key Secrets to create before Flux (non-EKS substrates). */
  public readonly credentials: EarlySecret[];
  /** Resources workloads need before they start (identities, delegation). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: PlatformDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = resolvePlatformDnsArgs(args, name);
    super("platform:dns:PlatformDns", name, {}, opts);
    const ctx = a.aws;
    const child = { parent: this, provider: ctx.provider };
    const tags = (n: string) => ({ ...ctx.tags, Name: n });

    const zone = a.existingZoneId
      ? undefined
      : new aws.route53.Zone(
          `${name}-zone`,
          {
            name: a.zoneName,
            comment: `Platform zone ${a.zoneName}, managed by Pulumi`,
            tags: tags(a.zoneName),
          },
          child,
        );
    this.zoneId = zone ? zone.zoneId : pulumi.output(a.existingZoneId!);
    this.zoneName = pulumi.output(a.zoneName);
    this.nameServers = zone ? zone.nameServers : pulumi.output([] as string[]);
    this.zoneArn = pulumi.all([ctx.partition, this.zoneId]).apply(([p, id]) => hostedZoneArn(p, id));
    this.ready = [];

    const parentOpts = { parent: this, provider: a.delegation?.provider ?? ctx.provider };
    if (a.delegation && zone)
      this.ready.push(
        new aws.route53.Record(
          `${name}-delegation`,
          {
            zoneId: a.delegation.parentZoneId,
            name: a.zoneName,
            type: "NS",
            ttl: a.delegation.ttl,
            records: zone.nameServers,
          },
          parentOpts,
        ),
      );

    if (a.dnssec) {
      const key = new aws.kms.Key(
        `${name}-dnssec-key`,
        {
          region: "us-east-1",
          description: `DNSSEC key signing key of ${a.zoneName}`,
          customerMasterKeySpec: "ECC_NIST_P256",
          keyUsage: "SIGN_VERIFY",
          deletionWindowInDays: 30,
          policy: pulumi
            .all([ctx.partition, ctx.accountId])
            .apply(([p, acct]) => JSON.stringify(dnssecKeyPolicy(p, acct))),
          tags: tags(`${a.zoneName}-dnssec`),
        },
        child,
      );
      const ksk = new aws.route53.KeySigningKey(
        `${name}-ksk`,
        { hostedZoneId: this.zoneId, keyManagementServiceArn: key.arn, name: "ksk", status: "ACTIVE" },
        child,
      );
      const signing = new aws.route53.HostedZoneDnsSec(
        `${name}-dnssec`,
        { hostedZoneId: this.zoneId, signingStatus: "SIGNING" },
        { ...child, dependsOn: [ksk] },
      );
      this.ready.push(signing);
      if (a.delegation && zone)
        this.ready.push(
          new aws.route53.Record(
            `${name}-ds`,
            {
              zoneId: a.delegation.parentZoneId,
              name: a.zoneName,
              type: "DS",
              ttl: a.delegation.ttl,
              records: [ksk.dsRecord],
            },
            { ...parentOpts, dependsOn: [signing] },
          ),
        );
    }

    const identity = (
      role: string,
      sa: ServiceAccountRef,
      secret: string,
      policy: pulumi.Input<PolicyDocument>,
    ) =>
      new WorkloadIdentity(
        `${name}-${role}`,
        {
          namespace: sa.namespace,
          serviceAccount: sa.serviceAccount,
          iamName: `${a.iamPrefix}-${role}`,
          policy,
          oidc: a.oidc,
          credentialsSecretName: secret,
          aws: ctx,
        },
        { parent: this },
      );
    const externalDns = identity(
      "external-dns",
      a.externalDns,
      DEFAULTS.externalDnsSecret,
      this.zoneArn.apply(externalDnsPolicy),
    );
    const certManager = identity(
      "cert-manager",
      a.certManager,
      DEFAULTS.certManagerSecret,
      pulumi.all([this.zoneArn, ctx.partition]).apply(([z, p]) => certManagerPolicy(z, p)),
    );
    this.externalDnsRoleArn = externalDns.roleArn;
    this.certManagerRoleArn = certManager.roleArn;
    this.credentials = [externalDns.credentials, certManager.credentials].filter(
      (c): c is EarlySecret => c !== undefined,
    );
    this.ready.push(externalDns, certManager);

    this.registerOutputs({
      zoneId: this.zoneId,
      zoneName: this.zoneName,
      zoneArn: this.zoneArn,
      nameServers: this.nameServers,
      externalDnsRoleArn: this.externalDnsRoleArn,
      certManagerRoleArn: this.certManagerRoleArn,
    });
  }
}
