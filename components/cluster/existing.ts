import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KubernetesCluster } from "./types";
import { KUBERNETES_PROVIDER_SETTINGS } from "./providerSettings";

export interface ExistingClusterArgs {
  /** Cluster name as the platform knows it. */
  clusterName: string;
  /**
   * Kubeconfig contents. Marked secret by the component whatever the caller passes. Give this or
   * `kubeconfigPath` contents already read (see `PlatformEnvironment.readKubeconfig`).
   */
  kubeconfig: pulumi.Input<string>;
  /** Context to use. @default the kubeconfig's current-context */
  context?: string;
}

/** A cluster that already exists (kind, k3d, a managed cluster): adopted through its kubeconfig. */
export class ExistingCluster extends pulumi.ComponentResource implements KubernetesCluster {
  public readonly kind = "existing" as const;
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly readyResources: pulumi.Resource[] = [];
  public readonly clusterVars: Record<string, pulumi.Input<string>> = {};

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:ExistingCluster", name, {}, opts);
    this.clusterName = pulumi.output(args.clusterName);
    this.kubeconfig = pulumi.secret(args.kubeconfig);
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { kubeconfig: this.kubeconfig, context: args.context, ...KUBERNETES_PROVIDER_SETTINGS },
      { parent: this },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      provider: this.provider,
    });
  }
}
