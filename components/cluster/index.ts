export type { ClusterKind, KubernetesCluster } from "./types";
export { ExistingCluster, type ExistingClusterArgs } from "./existing";
