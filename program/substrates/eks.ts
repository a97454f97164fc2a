import type { PlatformConfig } from "../config";
import type { KubernetesCluster } from "../../components/cluster/types";
import { EksCluster } from "../../components/cluster/eks";
import { awsContextOf } from "./aws";

type EksConfig = Extract<PlatformConfig["cluster"], { kind: "eks" }>;

/** Build the EKS cluster of a platform (`cluster.kind: eks`) with the platform's AWS provider. */
export function buildEksCluster(config: PlatformConfig, cluster: EksConfig): KubernetesCluster {
  const clusterName = cluster.name ?? config.name;
  return new EksCluster(clusterName, { ...cluster, clusterName, aws: awsContextOf(config) });
}
