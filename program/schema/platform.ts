import { z } from "zod";
import { fluxSchema } from "./flux";
import { fleetSchema } from "./fleet";
import { existingClusterSchema } from "./existing";
import { eksClusterSchema } from "./eks";
import { bareMetalClusterSchema } from "./baremetal";
import { dnsSchema, secretsSchema } from "./aws";
import { stringMap } from "./common";

/** The whole platform configuration: the keys of a stack file without the `platform:` namespace. */
const clusterSchema = z.discriminatedUnion(
  "kind",
  [existingClusterSchema, eksClusterSchema, bareMetalClusterSchema],
  {
    error: "kind must be one of existing, eks, baremetal",
  },
);

export const platformSchema = z.strictObject({
  /** Platform name: one country/site and environment, e.g. `de-prod`. A DNS label. */
  name: z
    .string({ error: "is required: the platform's name, e.g. de-prod" })
    .regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, {
      error:
        "must be a DNS label of at most 40 characters: lowercase letters, digits and '-', starting with a letter",
    })
    .meta({
      description:
        "Platform name (one country/site and environment), a DNS label of at most 40 characters; the default cluster name and root path.",
      examples: ["de-prod"],
    }),
  /** Environment, e.g. dev, staging, prod. */
  environment: z
    .string({ error: "is required: dev, staging, prod or another lowercase word" })
    .regex(/^[a-z][a-z0-9-]*$/, { error: "must be a lowercase word such as dev or prod" })
    .meta({ description: "Environment: a lowercase word.", examples: ["dev", "staging", "prod"] }),
  /** Owning team. */
  owner: z
    .string({ error: "is required: the team that owns the platform" })
    .min(1)
    .meta({ description: "Owning team (tags, `PLATFORM_OWNER`)." }),
  /** Organization; the first segment of secret names. */
  organization: z
    .string({ error: "is required: the organization, used as the first segment of secret names" })
    .regex(/^[a-z][a-z0-9-]*$/, { error: "must be a lowercase word" })
    .meta({
      description:
        "Organization, a lowercase word: the first segment of secret names (`<organization>/<name>/…`).",
    }),
  /** ISO 3166-1 alpha-2 country code, lowercase. */
  country: z
    .string()
    .regex(/^[a-z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code in lowercase, e.g. de" })
    .optional()
    .meta({ description: "Country of the platform: ISO 3166-1 alpha-2 code, lowercase.", examples: ["de"] }),
  /** Site or data centre. */
  site: z.string().min(1).optional().meta({ description: "Site or data centre." }),
  /** Tags/labels put on every taggable resource. */
  tags: stringMap().default({}).meta({ description: "Extra tags on every taggable resource." }),
  cluster: clusterSchema,
  dns: dnsSchema.optional(),
  secrets: secretsSchema.optional(),
  flux: fluxSchema,
  /** Place in the fleet rollout (`npm run fleet`); the program ignores it. */
  fleet: fleetSchema.optional(),
});

export type PlatformConfig = z.infer<typeof platformSchema>;
export type ClusterConfig = PlatformConfig["cluster"];
