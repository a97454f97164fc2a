/**
 * The one secret guard over free-form maps (add-on configurationValues, Helm values, install patches,
 * cluster variables, labels, tags): a value that looks like a credential, by its key's name or by
 * its own shape, is reported with its path and the fix. Such maps are copied in plain text into
 * Kubernetes objects, AWS resources, the offline render and the Pulumi state. The value itself is
 * never quoted. A leaf: it imports only the Problem type.
 */
import type { Problem } from "./problems";

/** Credential material recognisable by its shape, whatever key it sits under. */
const SHAPES: { pattern: RegExp; what: string }[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, what: "a private key" },
  { pattern: /AGE-SECRET-KEY-1[0-9A-Z]{20,}/, what: "an age secret key" },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/, what: "a GitHub token" },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/, what: "a GitHub token" },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}/, what: "a GitLab token" },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, what: "a Slack token" },
  { pattern: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/, what: "an AWS access key id" },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, what: "a JSON web token" },
  { pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, what: "a URL with a password" },
];

/** Key names (lowercase, letters and digits only) that hold a credential. */
const SECRET_KEY =
  /(password|passwd|passphrase|pwd$|token|secret|apikey|privatekey|credential|accesskey|signingkey|encryptionkey|sshkey|tlskey|agekey|bearer|^auth$|authorization|sessionkey)/;
/**
 * Key names that name or point at a credential rather than hold it (`existingSecret`,
 * `tokenSecretRef`, `passwordFile`, `secretName`), or describe it (`tokenTtl`).
 */
const REFERENCE_KEY =
  /(ref|refs|name|names|file|files|path|paths|dir|namespace|enabled|enable|ttl|duration|seconds|expiry|expiration|length|type|mount|mountpath|id|ids|arn|url|uri|endpoint|header|existingsecret|provider|format)$/;
/** Values that are not a credential even under a secret-ish key: references and plain switches. */
const NOT_A_VALUE = /^(\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|true|false|yes|no|on|off|null|none|\d+[smhd]?)$/i;

/** Where a credential for a Kubernetes workload goes instead: an early Secret the workload references. */
export const EARLY_SECRET_FIX =
  "put it in an early Secret (`pulumi config set --secret --path 'flux.extraSecrets[0].data.<key>' < <file with the value>`) and reference that Secret (secretKeyRef, existingSecret)";

/** Why a string at key `key` looks like a credential, or undefined. */
export function credentialKind(key: string | undefined, value: string): string | undefined {
  const shape = SHAPES.find((s) => s.pattern.test(value));
  if (shape) return shape.what;
  if (key === undefined || value.trim() === "" || NOT_A_VALUE.test(value.trim())) return undefined;
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (SECRET_KEY.test(k) && !REFERENCE_KEY.test(k)) return "its key is named like a secret";
  return undefined;
}

/**
 * Problems for every credential-looking string in `value` (a map, a list or a scalar), each at
 * `path` plus its keys, with `fix` (what to do instead) in the message. Env-style entries
 * (`{name: GITHUB_TOKEN, value: …}`) are judged by their `name`.
 */
export function secretProblems(
  value: unknown,
  path: string,
  fix: string | ((path: string) => string),
  options: { byKeyName?: boolean } = {},
): Problem[] {
  const byKeyName = options.byKeyName ?? true;
  const out: Problem[] = [];
  const walk = (v: unknown, at: string, key: string | undefined, depth: number) => {
    if (depth > 64) return;
    if (typeof v === "string") {
      const what = credentialKind(byKeyName ? key : undefined, v);
      if (what)
        out.push({
          path: at,
          message: `looks like a credential (${what}), which must not be stored here in plain text: ${typeof fix === "string" ? fix : fix(at)}`,
        });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${at}.${i}`, key, depth + 1));
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      const named = (v as Record<string, unknown>).name;
      for (const [k, x] of entries) {
        const envKey = k === "value" && typeof named === "string" ? named : k;
        walk(x, at ? `${at}.${k}` : k, envKey, depth + 1);
      }
    }
  };
  walk(value, path, undefined, 0);
  return out;
}
