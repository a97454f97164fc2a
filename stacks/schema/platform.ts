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

/**
 * Tags the program puts on AWS resources itself: the platform tags (stacks/aws.ts platformTags),
 * `Name`, and on subnets the two load-balancer discovery tags.
 */
const PROGRAM_TAG_KEYS = [
  "platform",
  "environment",
  "owner",
  "managed-by",
  "Name",
  "kubernetes.io/role/*",
  "kubernetes.io/cluster/*",
];
/** AWS allows 50 tags per resource; keys up to 128 characters, values up to 256, no `aws:` prefix. */
const AWS_MAX_TAGS = 50;
const AWS_TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function awsTagProblems(tags: Record<string, string>, ctx: z.RefinementCtx): void {
  const issue = (message: string, key?: string) =>
    ctx.addIssue({ code: "custom", message, path: key === undefined ? [] : [key] });
  for (const [k, v] of Object.entries(tags)) {
    if (k.length === 0 || k.length > 128)
      issue(`tag keys must be 1 to 128 characters (this one has ${k.length})`, k);
    else if (/^aws:/i.test(k))
      issue("tag keys starting with aws: are reserved by AWS: choose another key", k);
    else if (!AWS_TAG_CHARS.test(k))
      issue("tag keys may hold letters, digits, spaces and _ . : / = + - @ only", k);
    if (v.length > 256) issue(`tag values must be at most 256 characters (this one has ${v.length})`, k);
    else if (!AWS_TAG_CHARS.test(v))
      issue("tag values may hold letters, digits, spaces and _ . : / = + - @ only", k);
  }
  const total = new Set([...Object.keys(tags), ...PROGRAM_TAG_KEYS]).size;
  if (total > AWS_MAX_TAGS)
    issue(
      `${total} tags with the ${PROGRAM_TAG_KEYS.length} the program adds (${PROGRAM_TAG_KEYS.join(", ")}): AWS allows ${AWS_MAX_TAGS} per resource; remove ${total - AWS_MAX_TAGS}`,
    );
}

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
    .meta({
      description: "Environment: a lowercase word (`PLATFORM_ENVIRONMENT`, the `environment` tag).",
      examples: ["dev", "staging", "prod"],
    }),
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
  tags: stringMap()
    .superRefine(awsTagProblems)
    .default({})
    .meta({
      description: `Extra tags on every taggable resource, e.g. \`cost-center: "4711"\`. AWS allows ${AWS_MAX_TAGS} tags per resource, counting the ${PROGRAM_TAG_KEYS.length} the program adds (${PROGRAM_TAG_KEYS.map((k) => `\`${k}\``).join(", ")}); keys 1 to 128 characters, values at most 256, letters, digits, spaces and \`_ . : / = + - @\`, no \`aws:\` prefix. The platform tags (platform, environment, owner, managed-by) win over an entry of the same name.`,
    }),
  cluster: clusterSchema.meta({
    description:
      "The Kubernetes cluster Flux is bootstrapped on: `cluster.kind` selects a cluster you already have (`existing`), an EKS cluster the program builds (`eks`) or RKE2/k3s installed on your machines over SSH (`baremetal`).",
  }),
  dns: dnsSchema.optional().meta({
    description:
      "The platform's Route53 zone `<name>.<parentDomain>` and the IAM identities of external-dns (may change and list records of this zone only) and cert-manager (may change only `_acme-challenge.*` TXT records of it). Works on every cluster kind; on EKS the identities are IRSA roles, elsewhere IAM users whose access keys go into early Secrets (see [EKS and AWS](eks.md)). `EXTERNAL_DNS_OWNER_ID` is `<organization>-<name>`: give it to external-dns as `--txt-owner-id`.",
  }),
  secrets: secretsSchema.optional().meta({
    description:
      "Secrets Manager secrets under `<organization>/<name>/` (`SECRETS_PREFIX`), encrypted with a KMS key of the platform (rotation on, alias `alias/<organization>/<name>`), and External Secrets Operator's identity: it may read only that prefix and decrypt only with that key through Secrets Manager. Works on every cluster kind.",
  }),
  flux: fluxSchema.meta({
    description:
      "How Flux is installed and what it syncs: the version, the install mode, the source repository and its credentials, the root Kustomization, `cluster-vars` and the early Secrets. See [Flux](flux.md).",
  }),
  /** Place in the fleet rollout (`npm run fleet`); the program ignores it. */
  fleet: fleetSchema.optional().meta({
    description:
      "Where this stack sits in the fleet rollout of `npm run fleet` (see [fleet rollouts](fleet.md)); the program itself ignores it. A stack file without it is not part of the fleet.",
  }),
});

export type PlatformConfig = z.infer<typeof platformSchema>;
export type ClusterConfig = PlatformConfig["cluster"];
