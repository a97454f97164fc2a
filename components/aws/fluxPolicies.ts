/**
 * The IAM documents and the ECR lifecycle policy of Flux's AWS access, as pure functions: each grants
 * one controller what it needs on one key or one repository, nothing else.
 */
import type { PolicyDocument } from "./policy";

/** ARN of an ECR repository. */
export const ecrRepositoryArn = (partition: string, region: string, accountId: string, name: string) =>
  `arn:${partition}:ecr:${region}:${accountId}:repository/${name}`;

/** ARN of a CodeCommit repository. */
export const codeCommitRepositoryArn = (partition: string, region: string, accountId: string, name: string) =>
  `arn:${partition}:codecommit:${region}:${accountId}:${name}`;

/**
 * kustomize-controller: decrypt SOPS data keys with the one platform key. SOPS decrypts by calling
 * kms:Decrypt alone (the key id travels in the ciphertext); encrypting is done outside the cluster,
 * so no kms:Encrypt, kms:GenerateDataKey or kms:DescribeKey here.
 */
export function sopsDecryptPolicy(keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "DecryptSopsWithPlatformKey", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
    ],
  };
}

/**
 * source-controller: pull (never push) from the platform's ECR repositories: the fleet artifact's,
 * and those of the Helm charts it installs.
 */
export function ecrPullPolicy(repositoryArns: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // ecr:GetAuthorizationToken has no resource-level permissions: AWS accepts only "*". The
        // token alone reads nothing; what it may pull is the statement below, named repositories.
        Sid: "RegistryLogin",
        Effect: "Allow",
        Action: "ecr:GetAuthorizationToken",
        Resource: "*",
      },
      {
        Sid: "PullFleetArtifact",
        Effect: "Allow",
        // List tags (semver refs), resolve a manifest, download its layers.
        Action: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:ListImages",
        ],
        Resource: repositoryArns.length === 1 ? repositoryArns[0] : repositoryArns,
      },
    ],
  };
}

/** source-controller: clone and fetch (never push) the one CodeCommit repository. */
export function codeCommitPullPolicy(repositoryArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PullFleetRepository", Effect: "Allow", Action: "codecommit:GitPull", Resource: repositoryArn },
    ],
  };
}

/**
 * Lifecycle of the fleet artifact repository: untagged images (left behind by a re-pushed digest)
 * expire after `untaggedDays`; of the tagged releases the newest `keepImages` stay, so rollback to
 * any of them (moving the ref back to a tag) keeps working.
 */
export function ecrLifecyclePolicy(untaggedDays: number, keepImages: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} days`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: untaggedDays,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keepImages} releases`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
        action: { type: "expire" },
      },
    ],
  };
}
