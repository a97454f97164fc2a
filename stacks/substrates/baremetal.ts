import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { KubernetesCluster } from "../../components/cluster/types";

type BaremetalConfig = Extract<PlatformConfig["cluster"], { kind: "baremetal" }>;

/** Build the bare-metal cluster of a platform (`cluster.kind: baremetal`). */
export function buildBaremetalCluster(_config: PlatformConfig, cluster: BaremetalConfig): KubernetesCluster {
  throw new pulumi.RunError(
    `cluster.kind "${cluster.kind}" is validated but not built yet by this version of the program; use kind "existing" for now`,
  );
}
