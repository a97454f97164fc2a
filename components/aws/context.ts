import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";

/** The platform's AWS account context, shared by every AWS component. */
export interface AwsContext {
  /** The platform's explicit provider (region and default tags); every AWS resource uses it. */
  provider: aws.Provider;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** ARN partition, e.g. `aws`. */
  partition: pulumi.Input<string>;
  /** Platform tags (also the provider's default tags); put on every taggable resource. */
  tags: Record<string, string>;
}

export interface AwsContextArgs {
  /** Region of the provider; unset, the provider's own default applies and the region is looked up. */
  region?: string;
  /** Platform tags: the provider's default tags, also put on every taggable resource explicitly. */
  tags: Record<string, string>;
}

/**
 * Create the platform's one AWS provider (logical name `aws`) and look up its account facts. Call it
 * once, in the composition, and hand the result to every AWS component.
 */
export function createAwsContext(args: AwsContextArgs): AwsContext {
  const { region, tags } = args;
  const provider = new aws.Provider("aws", { ...(region ? { region } : {}), defaultTags: { tags } });
  const invoke = { provider };
  return {
    provider,
    region: region ?? aws.getRegionOutput({}, invoke).region,
    accountId: aws.getCallerIdentityOutput({}, invoke).accountId,
    partition: aws.getPartitionOutput({}, invoke).partition,
    tags,
  };
}
