/**
 * Which paths of a stack file are `secure:` values. The engine only tells the program which
 * top-level keys hold a secret somewhere inside, so the program reads the stack file for the exact
 * paths (a plain-text `flux.auth.privateKey` must not pass because `flux.sops.ageKey` is secure).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Standard base64 (what Pulumi writes), decoded; undefined when `text` is not that. */
function base64Bytes(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, "base64");
}

/** Bytes that are (nearly) all printable text: a plaintext base64-encoded by hand, not a ciphertext. */
const isText = (b: Buffer) => b.filter((x) => (x >= 0x20 && x < 0x7f) || x === 0x0a).length >= b.length * 0.9;

/** AES-256-GCM as Pulumi uses it: a 12-byte nonce, and a 16-byte tag after the encrypted bytes. */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** The least a Pulumi Cloud (service) ciphertext holds: its key id, nonce and tag. */
const SERVICE_MIN_BYTES = 32;

/**
 * Whether a `secure:` value is something other than a ciphertext Pulumi wrote. The passphrase and
 * cloud-KMS providers write `v1:<base64 of the 12-byte nonce>:<base64 of the ciphertext and its
 * 16-byte tag>` (pulumi/sdk/go/common/resource/config/crypt.go, symmetricCrypter); the Pulumi Cloud
 * provider writes one base64 string of at least 32 bytes. Either way the bytes are random, never
 * text: a hand-written value (`hunter2`, a token, a key, a kubeconfig, a base64-encoded password) is
 * plain text.
 */
export function looksPlain(secure: unknown): boolean {
  if (typeof secure !== "string") return true;
  const v1 = /^v1:([^:]*):([^:]*)$/.exec(secure);
  if (v1) {
    const nonce = base64Bytes(v1[1]);
    const sealed = base64Bytes(v1[2]);
    return nonce?.length !== NONCE_BYTES || !sealed || sealed.length < TAG_BYTES || isText(sealed);
  }
  const bytes = base64Bytes(secure);
  return !bytes || bytes.length < SERVICE_MIN_BYTES || isText(bytes);
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
  let doc: { config?: Record<string, unknown> } | null;
  try {
    doc = parse(readFileSync(file, "utf8")) as typeof doc;
  } catch {
    // The engine read the file already; its own error (never the file's text here) stands.
    return undefined;
  }
  return securePaths(doc?.config ?? {}, namespace);
}
