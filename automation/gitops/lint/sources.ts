/**
 * Flux sources checked where they fetch from (components/url.ts, the one URL check of the project):
 * no credential in a source's URL (it is in plain text in Git, in the object and in every event
 * that names it), and TLS wherever what is fetched is applied to the cluster: no `http://`
 * GitRepository or HelmRepository, no `insecure: true` OCIRepository, HelmRepository or Bucket.
 */
import { redactUrl, urlProblems, type UrlRules } from "../../../components/url";
import { asK8s, type Finding, type ManifestDoc } from "../shared/manifests";

const SOURCE_API = "source.toolkit.fluxcd.io/";

const SECRET_REF = "spec.secretRef (a Secret of the namespace, SOPS-encrypted in Git)";

/** The URL rules of each source kind (by `spec.type` for a HelmRepository). */
function rulesOf(kind: string, spec: Record<string, unknown>): UrlRules | undefined {
  switch (kind) {
    case "GitRepository":
      return {
        schemes: ["https", "ssh", "http"],
        credentialsIn: `${SECRET_REF}: username and password, or an SSH key`,
      };
    case "OCIRepository":
      return {
        schemes: ["oci"],
        credentialsIn: `${SECRET_REF} of type dockerconfigjson, or spec.provider (aws, azure, gcp)`,
      };
    case "HelmRepository":
      return spec.type === "oci"
        ? { schemes: ["oci"], credentialsIn: `${SECRET_REF} of type dockerconfigjson, or spec.provider` }
        : { schemes: ["https", "http"], credentialsIn: `${SECRET_REF}: username and password` };
    case "Bucket":
      return {
        schemes: ["https", "http"],
        credentialsIn: `${SECRET_REF}: accesskey and secretkey, or spec.provider`,
      };
    default:
      return undefined;
  }
}

/**
 * Problems of one Flux source document (`values`: the object with a platform's variables substituted,
 * when checking what a variable becomes; the document's own object otherwise).
 */
export function sourceFindings(doc: ManifestDoc, values: Record<string, unknown> = doc.object): Finding[] {
  const obj = asK8s(doc);
  if (!obj || !obj.apiVersion.startsWith(SOURCE_API)) return [];
  const spec = (values.spec ?? {}) as Record<string, unknown>;
  const rules = rulesOf(obj.kind, spec);
  if (!rules) return [];
  const id = `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${String(obj.metadata.name ?? "")}`;
  const out: Finding[] = [];
  const push = (field: string, message: string) =>
    out.push({
      file: doc.file,
      line: doc.lineOf(["spec", field]),
      rule: "source-url",
      message: `${id}: ${message}`,
    });
  const field = obj.kind === "Bucket" ? "endpoint" : "url";
  const raw = spec[field];
  if (typeof raw === "string" && !raw.includes("${")) {
    // A Bucket's endpoint is a host (`minio.example.com:9000`): checked as the URL it is reached at.
    const url =
      obj.kind === "Bucket" && !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)
        ? `${spec.insecure === true ? "http" : "https"}://${raw}`
        : raw;
    const problems = urlProblems(url, rules).filter(
      (p) => !(obj.kind === "Bucket" && p.startsWith("must use https")),
    );
    if (problems.length) push(field, `spec.${field} ${redactUrl(url)} ${problems.join("; ")}`);
  }
  if (spec.insecure === true && ["OCIRepository", "HelmRepository", "Bucket"].includes(obj.kind))
    push(
      "insecure",
      `spec.insecure: true fetches over plain http, so anyone on the way can change what the cluster applies: serve it over https (a private CA goes in spec.certSecretRef) and remove spec.insecure`,
    );
  return out;
}
