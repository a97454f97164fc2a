import type { aws, AwsContext } from "../../components/aws";

/** An AWS context for pure argument tests (no provider is ever used). */
export const fakeAwsContext = {
  provider: {} as aws.Provider,
  region: "eu-central-1",
  accountId: "1",
  partition: "aws",
  tags: {},
} satisfies AwsContext;
