import { z } from "zod";

/**
 * `cluster.kind: eks`. The full schema (network, control plane, node groups, add-ons, access) is
 * built with the EKS component; until then the section is checked for its kind only.
 */
export const eksClusterSchema = z.looseObject({
  kind: z.literal("eks"),
  name: z.string().optional(),
});
export type EksClusterConfig = z.infer<typeof eksClusterSchema>;
