import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import type { AwsContext } from "./context";
import type { EarlySecret } from "./earlySecret";
import { eksClusterArn, irsaTrustPolicy, type PolicyDocument } from "./policy";

/** Keys of the access-key Secret of an IAM-user identity. */
export const ACCESS_KEY_ID_KEY = "AWS_ACCESS_KEY_ID";
export const SECRET_ACCESS_KEY_KEY = "AWS_SECRET_ACCESS_KEY";

export interface WorkloadIdentityArgs {
  /** Namespace of the workload's service account. */
  namespace: string;
  /** Service account name. */
  serviceAccount: string;
  /** IAM role or user name (at most 64 characters). */
  iamName: string;
  /** The permissions, as a policy document. */
  policy: pulumi.Input<PolicyDocument>;
  /** IRSA facts of an EKS cluster; absent elsewhere, which gives an IAM user with an access key. */
  oidc?: { providerArn: pulumi.Input<string>; issuerUrl: pulumi.Input<string> };
  /**
   * EKS Pod Identity instead of IRSA: the role trusts the EKS Pod Identity service and an
   * association binds it to the service account (the cluster needs the eks-pod-identity-agent
   * add-on). Takes precedence over `oidc`. @default IRSA with `oidc`, else an IAM user
   */
  podIdentity?: { clusterName: pulumi.Input<string> };
  /** Name of the Secret (in `namespace`) holding the access key; required for (and used only by) the IAM user. */
  credentialsSecretName?: string;
  /** The platform's AWS provider, region, account and partition. */
  aws: AwsContext;
}

/** Trust of a role assumed by one IAM user (non-EKS substrates). */
export function userTrustPolicy(userArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: userArn }, Action: "sts:AssumeRole" }],
  };
}

/** Who may assume a Pod Identity role: one service account of one cluster of one account. */
export interface PodIdentityTrust {
  accountId: string;
  clusterArn: string;
  namespace: string;
  serviceAccount: string;
}

/**
 * Trust of a role used through EKS Pod Identity. The service alone would let any Pod Identity
 * association in the account use the role; the conditions hold it to the platform's account and to
 * the session tags Pod Identity sets (cluster, namespace, service account), so only this service
 * account of this cluster gets it. sts:TagSession is needed because the service passes those tags.
 */
export function podIdentityTrustPolicy(t: PodIdentityTrust): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": t.accountId,
            "aws:RequestTag/eks-cluster-arn": t.clusterArn,
            "aws:RequestTag/kubernetes-namespace": t.namespace,
            "aws:RequestTag/kubernetes-service-account": t.serviceAccount,
          },
        },
      },
    ],
  };
}

/** All an IAM-user identity may do itself: assume its one role. */
export function assumeRolePolicy(roleArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }],
  };
}

/**
 * The AWS identity of one in-cluster workload: a role with the permissions, assumed through EKS Pod
 * Identity or IRSA on EKS, or on other substrates by an IAM user that may do nothing but assume it, whose access key is
 * handed over as an early secret. The role ARN is therefore present on every substrate.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
  /** The role with the permissions: assumed through IRSA on EKS, with the user's access key elsewhere. */
  public readonly roleArn: pulumi.Output<string>;
  /** The access-key Secret to create before Flux (IAM user); undefined with IRSA and Pod Identity. */
  public readonly credentials?: EarlySecret;
  /** Resources that must exist before the workload starts (role policy, Pod Identity association). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!args.oidc && !args.podIdentity && !args.credentialsSecretName)
      throw new Error(
        `WorkloadIdentity ${name}: credentialsSecretName is required without oidc or podIdentity`,
      );
    super("platform:secrets:WorkloadIdentity", name, {}, opts);
    const child = { parent: this, provider: args.aws.provider };
    const policy = pulumi.output(args.policy).apply((p) => JSON.stringify(p));
    // The user (non-EKS) may only assume the role; the role carries the permissions either way.
    const federated = args.podIdentity !== undefined || args.oidc !== undefined;
    const user = federated
      ? undefined
      : new aws.iam.User(
          `${name}-user`,
          { name: args.iamName, path: "/platform/", tags: { ...args.aws.tags, Name: args.iamName } },
          child,
        );
    const ctx = args.aws;
    const trust = args.podIdentity
      ? pulumi
          .all([ctx.partition, ctx.region, ctx.accountId, args.podIdentity.clusterName])
          .apply(([partition, region, accountId, cluster]) =>
            podIdentityTrustPolicy({
              accountId,
              clusterArn: eksClusterArn(partition, region, accountId, cluster),
              namespace: args.namespace,
              serviceAccount: args.serviceAccount,
            }),
          )
      : args.oidc
        ? pulumi
            .all([args.oidc.providerArn, args.oidc.issuerUrl])
            .apply(([arn, url]) => irsaTrustPolicy(arn, url, args.namespace, args.serviceAccount))
        : user!.arn.apply(userTrustPolicy);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.iamName,
        assumeRolePolicy: trust.apply((t) => JSON.stringify(t)),
        tags: { ...args.aws.tags, Name: args.iamName },
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: role.name, name: args.iamName, policy },
      child,
    );
    this.roleArn = role.arn;
    this.ready = [rolePolicy];
    if (args.podIdentity)
      this.ready.push(
        new aws.eks.PodIdentityAssociation(
          `${name}-association`,
          {
            clusterName: args.podIdentity.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccount,
            roleArn: role.arn,
            tags: { ...args.aws.tags, Name: args.iamName },
          },
          child,
        ),
      );
    if (user) {
      new aws.iam.UserPolicy(
        `${name}-assume`,
        {
          user: user.name,
          name: args.iamName,
          policy: role.arn.apply((r) => JSON.stringify(assumeRolePolicy(r))),
        },
        child,
      );
      const key = new aws.iam.AccessKey(`${name}-key`, { user: user.name }, child);
      this.credentials = {
        namespace: args.namespace,
        name: args.credentialsSecretName!,
        stringData: {
          [ACCESS_KEY_ID_KEY]: pulumi.secret(key.id),
          [SECRET_ACCESS_KEY_KEY]: pulumi.secret(key.secret),
        },
      };
    }
    this.registerOutputs({ roleArn: this.roleArn, credentials: this.credentials });
  }
}
