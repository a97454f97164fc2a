import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

/** Cluster substrates the program can provision or adopt. */
export type ClusterKind = "eks" | "baremetal" | "existing";

/**
 * What every cluster component hands to the layers above it. FluxBootstrap and everything else on
 * the cluster only ever see this contract, never a concrete component.
 */
export interface KubernetesCluster {
  readonly kind: ClusterKind;
  /** Cluster name (CLUSTER_NAME in cluster-vars). */
  readonly clusterName: pulumi.Output<string>;
  /** Kubeconfig contents; always a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** The provider every Kubernetes object on this cluster must use. */
  readonly provider: k8s.Provider;
  /**
   * Resources that must exist before objects are applied to the cluster (node groups, nodes that
   * reported Ready). FluxBootstrap's first step depends on them.
   */
  readonly readyResources: pulumi.Resource[];
  /** Workload identity facts (EKS IRSA), when the substrate has them. */
  readonly identity?: {
    oidcProviderArn: pulumi.Output<string>;
    oidcIssuerUrl: pulumi.Output<string>;
  };
  /** cluster-vars entries the substrate hands to Flux (keys from the cluster-vars contract). */
  readonly clusterVars: Record<string, pulumi.Input<string>>;
}
