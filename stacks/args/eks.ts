import type { PlatformConfig } from "../schema/platform";
import type { AwsContext } from "../../components/aws";
import { eksClusterProblems, type EksClusterArgs } from "../../components/cluster/eks";
import { prefixProblems, type Problem } from "../../components/problems";

type EksConfig = Extract<PlatformConfig["cluster"], { kind: "eks" }>;

/** EksCluster arguments from the `cluster` section (`kind: eks`) and the platform's AWS context. */
export function eksClusterArgs(config: PlatformConfig, cluster: EksConfig, aws: AwsContext): EksClusterArgs {
  // kind and name are the config's: the component takes the resolved clusterName.
  const { kind, name, ...rest } = cluster;
  return { ...rest, clusterName: cluster.name ?? config.name, aws };
}

/** The component's own checks of an EKS `cluster` section, under `cluster.`. */
export function eksConfigProblems(config: PlatformConfig): Problem[] {
  const { cluster } = config;
  return cluster.kind === "eks" ? prefixProblems("cluster", eksClusterProblems(cluster)) : [];
}
