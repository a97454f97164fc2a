/**
 * Flux's AWS access without stored credentials: a KMS key (created or given) that only
 * kustomize-controller may decrypt with, for SOPS; an ECR or CodeCommit repository (created or given)
 * that only source-controller may pull from, for the root source. Each controller gets its own role,
 * bound to its service account in flux-system by EKS Pod Identity or IRSA.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import { WorkloadIdentity } from "./identity";
import type { PolicyDocument } from "./policy";
import {
  codeCommitPullPolicy,
  codeCommitRepositoryArn,
  ecrLifecyclePolicy,
  ecrPullPolicy,
  ecrRepositoryArn,
  sopsDecryptPolicy,
} from "./fluxPolicies";
import { throwIfProblems } from "../problems";
import {
  FLUX_SERVICE_ACCOUNTS,
  IRSA_ROLE_ANNOTATION,
  type FluxAwsSourceArgs,
  type FluxAwsAccessArgs,
  DEFAULTS,
  fluxAwsAccessProblems,
} from "./fluxAccessArgs";

/**
 * Creates what Flux needs on AWS to run without stored credentials: see the module comment. Outputs
 * the key and repository ARNs and, with IRSA, the service account annotations the Flux install
 * must carry.
 */
export class FluxAwsAccess extends pulumi.ComponentResource {
  /** The SOPS key; undefined without `sops`. */
  public readonly kmsKeyArn?: pulumi.Output<string>;
  /** The root source's repository; undefined without `source`. */
  public readonly repositoryArn?: pulumi.Output<string>;
  /** The chart repositories, in the order of `source.charts`; empty without. */
  public readonly chartRepositoryArns: pulumi.Output<string>[] = [];
  /** Role ARNs by service account (kustomize-controller, source-controller). */
  public readonly roleArns: Record<string, pulumi.Output<string>>;
  /** IRSA: `eks.amazonaws.com/role-arn` by service account; empty with Pod Identity. */
  public readonly serviceAccountAnnotations: Record<string, Record<string, pulumi.Output<string>>>;
  /** What the Flux controllers need before they start (roles, policies, associations, repository). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: FluxAwsAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems("FluxAwsAccess", name, fluxAwsAccessProblems(args));
    super("platform:aws:FluxAwsAccess", name, {}, opts);
    const ctx = args.aws;
    const child = { parent: this, provider: ctx.provider };
    const tags = (n: string) => ({ ...ctx.tags, Name: n });
    this.roleArns = {};
    this.serviceAccountAnnotations = {};
    this.ready = [];

    const grant = (serviceAccount: string, policy: pulumi.Input<PolicyDocument>) => {
      const identity = new WorkloadIdentity(
        `${name}-${serviceAccount}`,
        {
          namespace: FLUX_SERVICE_ACCOUNTS.namespace,
          serviceAccount,
          iamName: `${args.namePrefix}-flux-${serviceAccount}`,
          policy,
          ...(args.identity === "podIdentity"
            ? { podIdentity: { clusterName: args.clusterName } }
            : { oidc: args.oidc }),
          aws: ctx,
        },
        { parent: this },
      );
      this.roleArns[serviceAccount] = identity.roleArn;
      if (args.identity === "irsa")
        this.serviceAccountAnnotations[serviceAccount] = { [IRSA_ROLE_ANNOTATION]: identity.roleArn };
      this.ready.push(identity, ...identity.ready);
    };

    if (args.sops) {
      const keyArn = args.sops.kmsKeyArn
        ? pulumi.output(args.sops.kmsKeyArn)
        : this.createKey(name, args.namePrefix, child, tags);
      this.kmsKeyArn = keyArn;
      grant(FLUX_SERVICE_ACCOUNTS.sops, keyArn.apply(sopsDecryptPolicy));
    }

    const s = args.source;
    if (s) {
      // The ARN follows from the name, created here or not (computed, so taking an existing
      // repository and creating one grant exactly the same).
      const arnOf = (repository: string) =>
        pulumi
          .all([ctx.partition, ctx.accountId])
          .apply(([p, acct]) =>
            s.service === "ecr"
              ? ecrRepositoryArn(p, s.region, s.accountId ?? acct, repository)
              : codeCommitRepositoryArn(p, s.region, acct, repository),
          );
      const arn = arnOf(s.name);
      const charts = s.service === "ecr" ? (s.charts ?? []) : [];
      this.chartRepositoryArns = charts.map(arnOf);
      if (s.create ?? DEFAULTS.create) {
        this.createRepository(name, s, s.name, child, tags);
        charts.forEach((chart) =>
          this.createRepository(`${name}-chart-${chart.split("/").pop()}`, s, chart, child, tags),
        );
      }
      grant(
        FLUX_SERVICE_ACCOUNTS.source,
        s.service === "ecr"
          ? pulumi.all([arn, ...this.chartRepositoryArns]).apply((arns) => ecrPullPolicy(arns))
          : arn.apply(codeCommitPullPolicy),
      );
      this.repositoryArn = arn;
    }

    this.registerOutputs({
      kmsKeyArn: this.kmsKeyArn,
      repositoryArn: this.repositoryArn,
      chartRepositoryArns: this.chartRepositoryArns,
      roleArns: this.roleArns,
      serviceAccountAnnotations: this.serviceAccountAnnotations,
    });
  }

  private createKey(
    name: string,
    prefix: string,
    child: pulumi.CustomResourceOptions,
    tags: (n: string) => Record<string, string>,
  ): pulumi.Output<string> {
    const key = new aws.kms.Key(
      `${name}-sops-key`,
      {
        description: `SOPS encryption of the fleet repository's secrets for ${prefix}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: tags(`${prefix}-flux-sops`),
      },
      child,
    );
    new aws.kms.Alias(
      `${name}-sops-key-alias`,
      { name: `alias/${prefix}-flux-sops`, targetKeyId: key.keyId },
      child,
    );
    return key.arn;
  }

  /** The repository, with (ECR) immutable tags, scan on push and the lifecycle policy; added to `ready`. */
  private createRepository(
    name: string,
    s: FluxAwsSourceArgs,
    repositoryName: string,
    child: pulumi.CustomResourceOptions,
    tags: (n: string) => Record<string, string>,
  ): void {
    if (s.service === "codecommit") {
      this.ready.push(
        new aws.codecommit.Repository(
          `${name}-repository`,
          {
            repositoryName,
            description: "Fleet repository Flux pulls the platform from; managed by Pulumi",
            tags: tags(repositoryName),
          },
          child,
        ),
      );
      return;
    }
    const repo = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: repositoryName,
        // A release tag always names the same artifact: rollback to a tag is exact.
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        tags: tags(repositoryName),
      },
      child,
    );
    const lifecycle = new aws.ecr.LifecyclePolicy(
      `${name}-repository-lifecycle`,
      {
        repository: repo.name,
        policy: JSON.stringify(
          ecrLifecyclePolicy(
            s.expireUntaggedDays ?? DEFAULTS.expireUntaggedDays,
            s.keepImages ?? DEFAULTS.keepImages,
          ),
        ),
      },
      child,
    );
    this.ready.push(repo, lifecycle);
  }
}
