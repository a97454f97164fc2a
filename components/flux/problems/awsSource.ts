/** `source.provider: aws`: the root is an ECR or CodeCommit repository, read with a workload identity. */
import type { Problem } from "../../problems";
import type { Check } from "./check";
import { redactUrl } from "../../url";

/** An ECR repository URL: `oci://<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`. */
const ECR_URL = /^oci:\/\/(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)$/;
/** ECR repository names: lowercase path components separated by `/`, each `[a-z0-9]` with `.`, `_`, `-` inside. */
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** A CodeCommit HTTPS clone URL: `https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`. */
const CODECOMMIT_URL =
  /^https:\/\/git-codecommit\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/v1\/repos\/([\w.-]{1,100})$/;

/** The AWS repository a `provider: aws` source URL names, or undefined when it names none. */
export type AwsSourceRepository =
  | { service: "ecr"; accountId: string; region: string; name: string }
  | { service: "codecommit"; region: string; name: string };

export function awsSourceRepository(kind: "git" | "oci", url: string): AwsSourceRepository | undefined {
  if (kind === "oci") {
    const m = ECR_URL.exec(url);
    return m && ECR_NAME.test(m[3]) && m[3].length >= 2 && m[3].length <= 256
      ? { service: "ecr", accountId: m[1], region: m[2], name: m[3] }
      : undefined;
  }
  const m = CODECOMMIT_URL.exec(url);
  return m ? { service: "codecommit", region: m[1], name: m[2] } : undefined;
}

/** `provider: aws`: an ECR or CodeCommit URL, pulled with the source controller's identity and no Secret. */
export const checkAwsSource: Check = (flux) => {
  const { source, auth } = flux;
  if (source.provider !== "aws") return [];
  const out: Problem[] = [];
  if (!awsSourceRepository(source.kind, source.url))
    out.push({
      path: "source.url",
      message:
        source.kind === "oci"
          ? `"${redactUrl(source.url)}" is not an ECR repository: with provider aws write oci://<account>.dkr.ecr.<region>.amazonaws.com/<repository>, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/fleet (lowercase)`
          : `"${redactUrl(source.url)}" is not a CodeCommit repository: with provider aws write https://git-codecommit.<region>.amazonaws.com/v1/repos/<repository>`,
    });
  if (auth.type !== "none")
    out.push({
      path: "auth.type",
      message: `is ${auth.type}, but with source.provider aws the source controller authenticates with its AWS identity and no credentials Secret is created: set auth.type none (or remove auth)`,
    });
  return out;
};
