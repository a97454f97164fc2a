import { z } from "zod";

/** A label key or value: what Kubernetes accepts for label values, so labels can be copied there. */
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** The highest rollout wave: waves run one after another, each gated on the one before. */
export const MAX_WAVE = 100;

/**
 * `platform:fleet`: where a stack sits in the fleet the CI driver (`npm run fleet`) rolls out.
 * The program itself ignores it. A stack file without it is not part of the fleet.
 */
export const fleetSchema = z.strictObject({
  /** Rollout wave, 1 = canary. Waves run in order; every wave from 1 to the highest must have a stack. */
  wave: z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? "is required: the rollout wave, an integer from 1 (1 is the canary wave)"
          : "must be a number such as 1, not quoted",
    })
    .int({ error: "must be a whole number from 1" })
    .min(1, { error: "must be 1 or more (1 is the canary wave)" })
    .max(MAX_WAVE, {
      error: `must be at most ${MAX_WAVE}: waves run one after another, each gated on the one before, so a fleet uses a few`,
    })
    .meta({
      description:
        "Rollout wave, 1 = canary. Waves run in order; every wave from 1 to the highest must have a stack.",
    }),
  /** Free-form group shown in reports and selectable with `--group`, e.g. a region. */
  group: z
    .string()
    .regex(LABEL, { error: "must be a word of letters, digits, '.', '_' or '-' (at most 63)" })
    .optional()
    .meta({
      description: "Free-form group shown in reports and selectable with `--group`, e.g. a region.",
      examples: ["eu-central"],
    }),
  /** Labels selectable with `--label k=v`; `environment` is added from platform:environment unless given. */
  labels: z
    .record(
      z.string().regex(LABEL, { error: "label keys are words of letters, digits, '.', '_' or '-'" }),
      z.string({ error: "label values must be strings (quote numbers and booleans)" }).regex(LABEL, {
        error: "label values are words of letters, digits, '.', '_' or '-' (at most 63)",
      }),
    )
    .default({})
    .meta({
      description:
        "Labels selectable with `--label k=v`, words of at most 63 letters, digits, `.`, `_` or `-`; `environment` is added from `platform:environment` unless given.",
    }),
});

export type FleetConfig = z.infer<typeof fleetSchema>;
