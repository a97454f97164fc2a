/**
 * Flux's AWS access without stored credentials: a KMS key (created or given) that only
 * kustomize-controller may decrypt with, for SOPS; an ECR or CodeCommit repository (created or given)
 * that only source-controller may pull from, for the root source. Each controller gets its own role,
 * bound to its service account in flux-system by EKS Pod Identity or IRSA.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import type { AwsContext } from "./context";
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
import { throwIfProblems, type Problem } from "../problems";

/** Flux's namespace and the service accounts of the controllers that get a role. */
export const FLUX_SERVICE_ACCOUNTS = {
  namespace: "flux-system",
  sops: "kustomize-controller",
  source: "source-controller",
} as const;

/** The annotation IRSA reads from a service account. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The repository the root source pulls from. */
export interface FluxAwsSourceArgs {
  /** `ecr` for an OCI root, `codecommit` for a Git root. */
  service: "ecr" | "codecommit";
  /** Repository name, e.g. acme/de-dev/fleet. */
  name: string;
  /** Region of the repository (from its URL); must be the platform's. */
  region: string;
  /** Account of an ECR repository (from its URL); must be the platform's. */
  accountId?: string;
  /** Create the repository; false takes an existing one. @default true */
  create?: boolean;
  /** ECR: tagged images kept (the newest). @default 100 */
  keepImages?: number;
  /** ECR: days after which untagged images expire. @default 7 */
  expireUntaggedDays?: number;
  /**
   * ECR: the repositories of the Helm charts the fleet artifact installs (e.g.
   * acme/de-dev/charts/network-function), in the same registry; created like the fleet repository
   * (when `create`), and source-controller may pull from them too. @default none
   */
  charts?: string[];
}

export interface FluxAwsAccessArgs {
  /** Prefix of the IAM role names and the key alias, e.g. `acme-de-dev` (at most 38 characters). */
  namePrefix: string;
  /** How the controllers assume their roles. */
  identity: "podIdentity" | "irsa";
  /** The EKS cluster's name (Pod Identity associations are made there). */
  clusterName: pulumi.Input<string>;
  /** IRSA facts of the cluster; required with `identity: irsa`. */
  oidc?: { providerArn: pulumi.Input<string>; issuerUrl: pulumi.Input<string> };
  /** SOPS through KMS; absent: no key, no role for kustomize-controller. */
  sops?: {
    /** The key fleet secrets are encrypted with. @default a key created here, rotation on */
    kmsKeyArn?: string;
  };
  /** The root source's repository; absent: no repository, no role for source-controller. */
  source?: FluxAwsSourceArgs;
  /** AWS provider, region, account and partition of the platform. */
  aws: AwsContext;
}

export const DEFAULTS = { create: true, keepImages: 100, expireUntaggedDays: 7 } as const;

/** The longest role name suffix the component adds (`-flux-kustomize-controller`); IAM allows 64. */
const LONGEST_SUFFIX = `-flux-${FLUX_SERVICE_ACCOUNTS.sops}`.length;
/** The longest `namePrefix` that keeps every role name within IAM's 64 characters. */
export const MAX_NAME_PREFIX = 64 - LONGEST_SUFFIX;

/** Every problem with the arguments (paths relative to them). */
export function fluxAwsAccessProblems(args: FluxAwsAccessArgs): Problem[] {
  const out: Problem[] = [];
  if (!args.sops && !args.source)
    out.push({ path: "sops", message: "give sops or source (or both): otherwise there is nothing to grant" });
  if (args.identity === "irsa" && !args.oidc)
    out.push({
      path: "oidc",
      message: "is required with identity irsa: give the cluster's OIDC provider ARN and issuer URL",
    });
  if (args.namePrefix.length > MAX_NAME_PREFIX)
    out.push({
      path: "namePrefix",
      message: `"${args.namePrefix}" is too long: IAM role names are at most 64 characters, so the prefix may have ${MAX_NAME_PREFIX}`,
    });
  const s = args.source;
  if (s) {
    const region = args.aws.region;
    if (typeof region === "string" && s.region !== region)
      out.push({
        path: "source.region",
        message: `the repository is in ${s.region}, but the platform's AWS region is ${region}: use a repository in ${region}`,
      });
    const account = args.aws.accountId;
    if (s.accountId !== undefined && typeof account === "string" && s.accountId !== account)
      out.push({
        path: "source.accountId",
        message: `the repository is in account ${s.accountId}, but the platform runs in ${account}: use a repository of the platform's account`,
      });
    if (s.charts?.length && s.service !== "ecr")
      out.push({
        path: "source.charts",
        message:
          "are ECR repositories, for an OCI root: a CodeCommit root's charts are in the repository itself",
      });
    const names = [s.name, ...(s.charts ?? [])];
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length)
      out.push({
        path: "source.charts",
        message: `name ${[...new Set(twice)].join(", ")} more than once (the fleet repository included): each repository once`,
      });
    for (const k of ["keepImages", "expireUntaggedDays"] as const) {
      const v = s[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1))
        out.push({ path: `source.${k}`, message: `is ${v}: give a whole number of at least 1` });
    }
  }
  return out;
}

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
