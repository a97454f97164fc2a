export type { ClusterKind, KubernetesCluster } from "./types";
export { ExistingCluster, type ExistingClusterArgs } from "./existing";
export { EksCluster, type EksClusterArgs } from "./eks";
export { BareMetalCluster, type BareMetalClusterArgs } from "./baremetal";
