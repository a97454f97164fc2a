export type { ClusterKind, KubernetesCluster } from "./types";
export { ExistingCluster, type ExistingClusterArgs } from "./existing";
export { BareMetalCluster, type BareMetalClusterArgs } from "./baremetal";
