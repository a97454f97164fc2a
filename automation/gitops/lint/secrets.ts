/** Secrets in Git must be SOPS-encrypted: Secret objects and the files of secretGenerators. */
import * as path from "node:path";
import * as posix from "node:path/posix";
import { ManifestCache, type Finding, type ManifestDoc } from "../shared/manifests";
import { readRepoText } from "../shared/sandbox";

const SOPS_VALUE = /^ENC\[[A-Z0-9_]+,data:/;

/** A Secret in Git must be SOPS-encrypted: a `sops` block and every data value `ENC[…]`. */
export function plaintextSecret(doc: ManifestDoc): Finding | undefined {
  const o = doc.object;
  const name = `Secret ${String((o.metadata as { name?: unknown } | undefined)?.name ?? "")}`;
  const fields = ["data", "stringData"].filter((f) => o[f] && typeof o[f] === "object");
  if (!o.sops || typeof o.sops !== "object")
    return {
      file: doc.file,
      line: doc.line,
      rule: "plaintext-secret",
      message: `${name} is not SOPS-encrypted: encrypt it with \`sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place ${path.posix.basename(doc.file)}\` (only the values are encrypted, metadata stays readable)`,
    };
  for (const f of fields)
    for (const [k, v] of Object.entries(o[f] as Record<string, unknown>))
      if (typeof v !== "string" || !SOPS_VALUE.test(v))
        return {
          file: doc.file,
          line: doc.lineOf([f, k]),
          rule: "plaintext-secret",
          message: `${name}: ${f}.${k} is in plain text next to a sops block: re-encrypt the file with sops`,
        };
  if (
    typeof o.metadata === "object" &&
    o.metadata &&
    Object.values(o.metadata).some((v) => typeof v === "string" && SOPS_VALUE.test(v))
  )
    return {
      file: doc.file,
      line: doc.lineOf(["metadata"]),
      rule: "plaintext-secret",
      message: `${name}: metadata is encrypted; encrypt only data and stringData (--encrypted-regex '^(data|stringData)$') so Flux and kustomize can read it`,
    };
  return undefined;
}

/** What SOPS leaves in a file it encrypted (YAML, JSON or dotenv). */
const SOPS_FILE = /ENC\[[A-Z0-9_]+,data:|^sops_mac=|"sops":|^sops:/m;

/**
 * A kustomization's secretGenerator puts its inputs into a Secret: literals are plain text in Git,
 * and so are files and env files unless SOPS encrypted them (kustomize-controller decrypts those).
 */
export function plaintextSecretGenerator(cache: ManifestCache, kustomization: ManifestDoc): Finding[] {
  const out: Finding[] = [];
  const gens = kustomization.object.secretGenerator;
  if (!Array.isArray(gens)) return out;
  gens.forEach((g: unknown, i) => {
    const spec = (g ?? {}) as { name?: unknown; literals?: unknown; files?: unknown; envs?: unknown };
    const name = `secretGenerator ${String(spec.name ?? i)}`;
    if (Array.isArray(spec.literals) && spec.literals.length)
      out.push({
        file: kustomization.file,
        line: kustomization.lineOf(["secretGenerator", i, "literals"]),
        rule: "plaintext-secret",
        message: `${name}: literals are secrets in plain text in Git: move them to an env file and encrypt it with \`sops --encrypt --in-place <file>\` (kustomize-controller decrypts it)`,
      });
    for (const field of ["files", "envs"] as const) {
      const list = spec[field];
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, j) => {
        if (typeof entry !== "string") return;
        const file = posix.normalize(
          posix.join(posix.dirname(kustomization.file), entry.slice(entry.indexOf("=") + 1)),
        );
        // A missing file (or one that may not be read) is reported by the build.
        const read = readRepoText(cache.repoDir, file);
        if ("text" in read && !SOPS_FILE.test(read.text))
          out.push({
            file: kustomization.file,
            line: kustomization.lineOf(["secretGenerator", i, field, j]),
            rule: "plaintext-secret",
            message: `${name}: ${file} is not SOPS-encrypted, so the Secret's values are in plain text in Git: encrypt it with \`sops --encrypt --in-place ${file}\``,
          });
      });
    }
  });
  return out;
}
