import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { KubernetesCluster } from "../../components/cluster/types";

/** What the AWS services of a platform (Route53 zone, Secrets Manager) hand to the Flux bootstrap. */
export interface AwsServices {
  /** cluster-vars entries (contract keys). */
  clusterVars: Record<string, pulumi.Input<string>>;
  /** Resources the Flux bootstrap must wait for. */
  dependsOn: pulumi.Resource[];
}

/** Build the platform's DNS zone and secrets when `dns` / `secrets` are configured. */
export function buildAwsServices(_config: PlatformConfig, _cluster: KubernetesCluster): AwsServices {
  return { clusterVars: {}, dependsOn: [] };
}
