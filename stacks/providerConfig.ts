/**
 * The stack file's config outside `platform:`: the namespaces the program's providers read
 * (`aws:region`, …). Checked with the platform's own config, under the real engine and offline
 * alike, so a typo (`platfrom:tags`, `aws:regoin`) or a missing region never passes silently.
 */
import { closest, type Problem } from "../components/problems";
import { needsAws } from "./aws";
import type { PlatformConfig } from "./schema/platform";

/** Namespaces a stack file of this project may use: the program's own and its providers'. */
export const KNOWN_NAMESPACES = ["platform", "aws", "kubernetes", "command", "random", "tls", "pulumi"];

/** The AWS provider's settings, as the installed @pulumi/aws declares them. */
function awsSettings(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return Object.keys(require("@pulumi/aws/config/vars") as Record<string, unknown>);
}

/**
 * Problems with the provider config (`namespace:key` → value) of a platform. `regionFallback`: the
 * region the AWS provider would take from the environment (AWS_REGION), which only the real engine
 * consults; an offline render reads the stack file alone.
 */
export function providerConfigProblems(
  providerConfig: Record<string, string>,
  config: PlatformConfig,
  regionFallback: string | undefined,
): Problem[] {
  const out: Problem[] = [];
  let aws: string[] | undefined;
  for (const key of Object.keys(providerConfig)) {
    const [ns, ...rest] = key.split(":");
    const setting = rest.join(":");
    if (!KNOWN_NAMESPACES.includes(ns)) {
      const near = closest(ns, KNOWN_NAMESPACES);
      out.push({
        path: key,
        message: `unknown config namespace ${ns}:${near ? ` did you mean ${near}:${setting}?` : ` the stack file takes ${KNOWN_NAMESPACES.map((n) => `${n}:`).join(", ")}`}`,
      });
    } else if (ns === "aws") {
      aws ??= awsSettings();
      if (!aws.includes(setting)) {
        const near = closest(setting, aws);
        out.push({
          path: key,
          message: `unknown AWS provider setting${near ? `: did you mean aws:${near}?` : `: see the aws provider's configuration`}`,
        });
      }
    }
  }
  const region = providerConfig["aws:region"] || regionFallback;
  if (needsAws(config) && !region)
    out.push({
      path: "aws:region",
      message:
        "is not set, and this platform uses AWS (an EKS cluster, dns, secrets or Secrets Manager credentials): run `pulumi config set aws:region <region>`, e.g. eu-central-1",
    });
  if (region && config.cluster.kind === "eks" && config.cluster.network.mode === "create")
    config.cluster.network.availabilityZones.forEach((az, i) => {
      if (!new RegExp(`^${region.replace(/[-]/g, "\\-")}[a-z]$`).test(az))
        out.push({
          path: `cluster.network.availabilityZones.${i}`,
          message: `${az} is not a zone of the region ${region} (aws:region): use zones such as ${region}a`,
        });
    });
  return out;
}
