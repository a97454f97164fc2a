import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { KubernetesCluster } from "../../components/cluster/types";

type EksConfig = Extract<PlatformConfig["cluster"], { kind: "eks" }>;

/** Build the EKS cluster of a platform (`cluster.kind: eks`). */
export function buildEksCluster(_config: PlatformConfig, cluster: EksConfig): KubernetesCluster {
  throw new pulumi.RunError(
    `cluster.kind "${cluster.kind}" is validated but not built yet by this version of the program; use kind "existing" for now`,
  );
}
