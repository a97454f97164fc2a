import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../schema/platform";
import type { ExistingClusterArgs } from "../../components/cluster";
import type { Problem } from "../../components/problems";

type ExistingConfig = Extract<PlatformConfig["cluster"], { kind: "existing" }>;

/**
 * ExistingCluster arguments from the `cluster` section (`kind: existing`): the kubeconfig given as a
 * secret, or the contents of `kubeconfigPath` (read before any resource), always as a secret.
 */
export function existingClusterArgs(
  clusterName: string,
  cluster: ExistingConfig,
  kubeconfigFromFile: string | undefined,
): ExistingClusterArgs {
  return {
    clusterName,
    kubeconfig: cluster.kubeconfig
      ? pulumi.secret(cluster.kubeconfig.value)
      : pulumi.secret(kubeconfigFromFile ?? ""),
    context: cluster.context,
  };
}

/** Where the kubeconfig comes from: exactly one of `kubeconfig` and `kubeconfigPath`. */
export function existingConfigProblems({ cluster }: PlatformConfig): Problem[] {
  if (cluster.kind !== "existing") return [];
  const given = [cluster.kubeconfig, cluster.kubeconfigPath].filter((v) => v !== undefined).length;
  if (given === 1) return [];
  return [
    {
      path: "cluster",
      message:
        given === 0
          ? "an existing cluster needs kubeconfig (secret contents) or kubeconfigPath (a file, e.g. ~/.kube/config, with optional context)"
          : "give kubeconfig or kubeconfigPath, not both",
    },
  ];
}
