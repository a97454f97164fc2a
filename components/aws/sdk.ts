/**
 * The `@pulumi/aws` modules the platform uses, imported one by one. The package index eagerly loads
 * all of its ~250 service modules (about 0.3 s idle, over 1 s on a busy machine), which the offline
 * render should not pay for six of them. Import `* as aws from` this module instead of `@pulumi/aws`.
 */
export * as codecommit from "@pulumi/aws/codecommit";
export * as ec2 from "@pulumi/aws/ec2";
export * as ecr from "@pulumi/aws/ecr";
export * as eks from "@pulumi/aws/eks";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as route53 from "@pulumi/aws/route53";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export { Provider, type ProviderArgs } from "@pulumi/aws/provider";
export { getRegionOutput } from "@pulumi/aws/getRegion";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
