import { z } from "zod";

/**
 * `cluster.kind: baremetal`. The full schema (servers, agents, distribution, versions) is built with
 * the bare-metal component; until then the section is checked for its kind only.
 */
export const baremetalClusterSchema = z.looseObject({
  kind: z.literal("baremetal"),
  name: z.string().optional(),
});
export type BaremetalClusterConfig = z.infer<typeof baremetalClusterSchema>;
