/** FluxAwsAccess's arguments, defaults and their problems; the service accounts its roles are for. */
import type * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./context";
import type { Problem } from "../problems";

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
