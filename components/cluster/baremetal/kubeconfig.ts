import { createCipheriv, createDecipheriv, pbkdf2Sync } from "node:crypto";
import { parse, stringify } from "yaml";

/** PBKDF2 iterations of the kubeconfig encryption (`openssl enc -pbkdf2 -iter`). */
export const KUBECONFIG_KDF_ITERATIONS = 100000;
const MAGIC = "Salted__";

function keyAndIv(password: string, salt: Buffer): { key: Buffer; iv: Buffer } {
  const km = pbkdf2Sync(password, salt, KUBECONFIG_KDF_ITERATIONS, 48, "sha256");
  return { key: km.subarray(0, 32), iv: km.subarray(32) };
}

/**
 * Decrypts what the kubeconfig step prints: `openssl enc -aes-256-cbc -pbkdf2 -md sha256 -a -A`
 * output (base64 of `Salted__`, an 8-byte salt and the ciphertext), so the admin credentials never
 * appear in plain text in command output or logs.
 */
export function decryptKubeconfig(base64: string, password: string): string {
  const data = Buffer.from(base64.trim(), "base64");
  if (data.length < 32 || data.subarray(0, 8).toString("latin1") !== MAGIC)
    throw new Error(
      "the kubeconfig step printed no openssl-encrypted data: check that openssl (1.1.1 or newer) is installed on the first server",
    );
  const { key, iv } = keyAndIv(password, data.subarray(8, 16));
  const decipher = createDecipheriv("aes-256-cbc", key, iv);
  try {
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString("utf8");
  } catch (e) {
    throw new Error(
      "the kubeconfig read from the first server does not decrypt with the cluster's kubeconfig key",
      { cause: e },
    );
  }
}

/** The same format as the kubeconfig step prints (for the offline render and tests). */
export function encryptKubeconfig(plain: string, password: string, salt: Buffer): string {
  const { key, iv } = keyAndIv(password, salt);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([
    Buffer.from(MAGIC, "latin1"),
    salt,
    cipher.update(plain, "utf8"),
    cipher.final(),
  ]).toString("base64");
}

interface Kubeconfig {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  contexts?: { name: string; context: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  "current-context"?: string;
  [k: string]: unknown;
}

/** `https://host:port`, with brackets around an IPv6 address. */
export function apiUrl(endpoint: string, port: number): string {
  return `https://${endpoint.includes(":") ? `[${endpoint}]` : endpoint}:${port}`;
}

/**
 * The first server's admin kubeconfig (server `https://127.0.0.1:6443`, names `default`) made usable
 * from outside: every cluster's server becomes the API endpoint, and cluster, user and context take
 * the cluster's name. Credentials are kept as they are.
 */
export function rewriteKubeconfig(text: string, server: string, clusterName: string): string {
  let doc: Kubeconfig;
  try {
    doc = parse(text) as Kubeconfig;
  } catch {
    throw new Error("the kubeconfig read from the first server is not valid YAML");
  }
  if (!doc || !Array.isArray(doc.clusters) || doc.clusters.length === 0)
    throw new Error("the kubeconfig read from the first server has no cluster entry");
  const clusterNames = new Map(doc.clusters.map((c) => [c.name, clusterName]));
  const userNames = new Map((doc.users ?? []).map((u) => [u.name, clusterName]));
  return stringify(
    {
      ...doc,
      clusters: doc.clusters.map((c) => ({ name: clusterName, cluster: { ...c.cluster, server } })),
      users: (doc.users ?? []).map((u) => ({ ...u, name: clusterName })),
      contexts: (doc.contexts ?? []).map((x) => ({
        name: clusterName,
        context: {
          ...x.context,
          cluster: clusterNames.get(String(x.context.cluster)) ?? clusterName,
          user: userNames.get(String(x.context.user)) ?? clusterName,
        },
      })),
      "current-context": clusterName,
    },
    { lineWidth: 0 },
  );
}
