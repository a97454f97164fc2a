import { z } from "zod";
import { k8sName, secret } from "./common";

/** `cluster.kind: existing`: any cluster reachable with a kubeconfig (kind, k3d, a managed cluster). */
export const existingClusterSchema = z.strictObject({
  kind: z.literal("existing").meta({
    description:
      "`existing`: any cluster reachable with a kubeconfig (kind, k3d, a managed cluster); Flux is bootstrapped on it.",
  }),
  /** Cluster name as the platform knows it. @default the platform name */
  name: k8sName()
    .optional()
    .meta({ description: "Cluster name (`CLUSTER_NAME`). Default: the platform `name`." }),
  /** Kubeconfig contents, as a secret (`pulumi config set --secret --path cluster.kubeconfig < file`). */
  kubeconfig: secret()
    .optional()
    .meta({ description: "Kubeconfig contents; give this or `kubeconfigPath`." }),
  /** Path to a kubeconfig file (`~` expands); read at deploy time. */
  kubeconfigPath: z.string().min(1).optional().meta({
    description:
      "Kubeconfig file on the deploying machine (`~` expands), read at deploy time; give this or `kubeconfig`.",
  }),
  /** Context to use in the kubeconfig. @default the kubeconfig's current context */
  context: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Kubeconfig context to use. Default: the kubeconfig's current context." }),
});
export type ExistingClusterConfig = z.infer<typeof existingClusterSchema>;
