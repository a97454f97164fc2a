import { z } from "zod";

import {
  DNS_LABEL,
  DNS_LABEL_MESSAGE,
  DNS_SUBDOMAIN,
  DNS_SUBDOMAIN_MESSAGE,
  labelKeyProblem,
  labelValueProblem,
  longLabelProblem,
} from "../../components/k8sNames";
import { SecretValue } from "../../components/secretValue";

export { REDACTED, SecretValue } from "../../components/secretValue";

/** A string that must be a secret (`pulumi config set --secret --path ...`). */
export const secret = () =>
  z
    .string({ error: "expected a string (set it with `pulumi config set --secret --path <key>`)" })
    .min(1, { error: "must not be empty" })
    .transform((v) => new SecretValue(v))
    .meta({ secret: true });

/** A string checked by one of the shared rules (a message, or undefined when the value is fine). */
const ruled = (rule: (v: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const problem = rule(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
/** The longest interval or timeout (a day): Flux would take longer to notice a change or a failure. */
export const MAX_DURATION_SECONDS = 86_400;

/** Go duration as Flux and Kubernetes accept it, e.g. `30s`, `1m`, `1h30m`; at most a day. */
export const duration = () =>
  z
    .string()
    .regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/, {
      error: "must be a Go duration such as 30s, 5m or 1h30m",
    })
    .refine(
      (v) =>
        [...v.matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g)].reduce(
          (sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit],
          0,
        ) <= MAX_DURATION_SECONDS,
      {
        error:
          "must be at most 24h: Flux would take more than a day to notice a change or a failure; intervals are minutes, timeouts at most hours",
      },
    );

/** Flux postBuild variable names (Flux's rule, kept with the Flux component). */
export { VARIABLE_NAME } from "../../components/flux/args";

/** A Kubernetes object name (RFC 1123 subdomain: at most 253, labels of at most 63). */
export const k8sName = () =>
  z
    .string()
    .max(253, { error: "must be at most 253 characters" })
    .regex(DNS_SUBDOMAIN, { error: DNS_SUBDOMAIN_MESSAGE })
    .superRefine((v, ctx) => {
      const long = DNS_SUBDOMAIN.test(v) ? longLabelProblem(v) : undefined;
      if (long) ctx.addIssue({ code: "custom", message: long });
    });

/** A Kubernetes namespace name (RFC 1123 label, at most 63). */
export const k8sNamespace = () =>
  z
    .string()
    .max(63, { error: "must be at most 63 characters (a DNS label)" })
    .regex(DNS_LABEL, { error: DNS_LABEL_MESSAGE });

/** A name Kubernetes (or AWS) takes as one DNS label, e.g. an EKS node group, at most 63. */
export const dnsLabel = k8sNamespace;

export const stringMap = () =>
  z.record(z.string(), z.string({ error: "values must be strings (quote numbers and booleans)" }));

export const toleration = () =>
  z.strictObject({
    key: z
      .string()
      .refine((k) => k === "" || labelKeyProblem(k) === undefined, {
        error: "is not a valid taint key: [prefix/]name, the name up to 63 letters, digits, '-', '_', '.'",
      })
      .optional()
      .meta({
        description: "Taint key the toleration matches; empty with `operator: Exists` matches every taint.",
      }),
    operator: z
      .enum(["Exists", "Equal"])
      .optional()
      .meta({ description: "How `value` is compared. Default: `Equal`." }),
    value: ruled(labelValueProblem)
      .optional()
      .meta({ description: "Taint value the toleration matches (with `operator: Equal`)." }),
    effect: z
      .enum(["NoSchedule", "PreferNoSchedule", "NoExecute"])
      .optional()
      .meta({ description: "Taint effect the toleration matches. Default: every effect." }),
    tolerationSeconds: z
      .number()
      .int()
      .min(0, { error: "must be 0 or more seconds" })
      .max(MAX_DURATION_SECONDS, {
        error: "must be at most 86400 (a day): for longer, leave it out, which tolerates the taint for ever",
      })
      .optional()
      .meta({
        description: "Seconds a pod stays bound after a `NoExecute` taint appears. Default: for ever.",
      }),
  });
