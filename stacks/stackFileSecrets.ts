/**
 * Which paths of a stack file are `secure:` values. The engine only tells the program which
 * top-level keys hold a secret somewhere inside, so the program reads the stack file for the exact
 * paths (a plain-text `flux.auth.privateKey` must not pass because `flux.sops.ageKey` is secure).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * Whether a `secure:` value is plain text rather than a ciphertext: Pulumi's ciphertexts are one
 * line of base64 (with a `v1:` prefix for the passphrase provider), never key material, a token
 * with spaces or a kubeconfig, which is what a hand-written `secure:` holds.
 */
export function looksPlain(secure: unknown): boolean {
  return (
    typeof secure !== "string" ||
    /-----BEGIN |AGE-SECRET-KEY-1|apiVersion:|\s/.test(secure) ||
    !/^(v1:)?[A-Za-z0-9+/=:_-]+$/.test(secure)
  );
}

/** The dotted paths (below `namespace:`) of the `secure:` values in a stack file's `config:`. */
export function securePaths(config: Record<string, unknown>, namespace: string): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, at: string[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, String(i)]));
    else if (v && typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.length === 1 && entries[0][0] === "secure") out.add(at.join("."));
      else for (const [k, x] of entries) walk(x, [...at, k]);
    }
  };
  for (const [key, value] of Object.entries(config))
    if (key.startsWith(`${namespace}:`)) walk(value, [key.slice(namespace.length + 1)]);
  return out;
}

/** The secure paths of `Pulumi.<stack>.yaml` in `dir`, or undefined when there is no such file. */
export function stackFileSecurePaths(dir: string, stack: string, namespace: string): Set<string> | undefined {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return undefined;
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return securePaths(doc?.config ?? {}, namespace);
}
