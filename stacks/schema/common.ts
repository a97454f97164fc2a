import { z } from "zod";

import { SecretValue } from "../../components/secretValue";

export { REDACTED, SecretValue } from "../../components/secretValue";

/** A string that must be a secret (`pulumi config set --secret --path ...`). */
export const secret = () =>
  z
    .string({ error: "expected a string (set it with `pulumi config set --secret --path <key>`)" })
    .min(1, { error: "must not be empty" })
    .transform((v) => new SecretValue(v))
    .meta({ secret: true });

/** Go duration as Flux and Kubernetes accept it, e.g. `30s`, `1m`, `1h30m`. */
export const duration = () =>
  z.string().regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/, {
    error: "must be a Go duration such as 30s, 5m or 1h30m",
  });

/** Flux postBuild variable names (Flux's rule, kept with the Flux component). */
export { VARIABLE_NAME } from "../../components/flux/args";

/** A Kubernetes object name (RFC 1123 subdomain). */
export const k8sName = () =>
  z
    .string()
    .max(253, { error: "must be at most 253 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      error: "must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are",
    });

/** A Kubernetes namespace name (RFC 1123 label). */
export const k8sNamespace = () =>
  z
    .string()
    .max(63, { error: "must be at most 63 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
      error: "must be a lowercase DNS label (letters, digits, '-'), as namespace names are",
    });

export const stringMap = () =>
  z.record(z.string(), z.string({ error: "values must be strings (quote numbers and booleans)" }));

export const toleration = () =>
  z.strictObject({
    key: z.string().optional().meta({
      description: "Taint key the toleration matches; empty with `operator: Exists` matches every taint.",
    }),
    operator: z
      .enum(["Exists", "Equal"])
      .optional()
      .meta({ description: "How `value` is compared. Default: `Equal`." }),
    value: z
      .string()
      .optional()
      .meta({ description: "Taint value the toleration matches (with `operator: Equal`)." }),
    effect: z
      .enum(["NoSchedule", "PreferNoSchedule", "NoExecute"])
      .optional()
      .meta({ description: "Taint effect the toleration matches. Default: every effect." }),
    tolerationSeconds: z.number().int().optional().meta({
      description: "Seconds a pod stays bound after a `NoExecute` taint appears. Default: for ever.",
    }),
  });
