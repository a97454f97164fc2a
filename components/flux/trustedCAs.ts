/**
 * `install.trustedCAs`: the private CAs (a corporate root signing the registry, the Git forge, a chart
 * host) every Flux controller trusts besides the system roots. The program puts the PEM bundle in the
 * ConfigMap `flux-trusted-cas`, mounts it into every controller and points Go's `SSL_CERT_DIR` at the
 * image's own certificate folders plus that mount, so the image's system roots stay trusted (Go reads
 * its default CA file because `SSL_CERT_FILE` is left unset, then every file of every `SSL_CERT_DIR`
 * folder). A new bundle rolls the controllers (a hash on the pod template): Go reads its roots once.
 * Pure: the renderers and patches here are tested directly and used by the bootstrap and the render.
 */
import { createHash, X509Certificate } from "node:crypto";
import { FLUX_NAMESPACE, MANAGED_BY, type K8sObject } from "./objects";

/** The ConfigMap in flux-system holding the bundle. */
export const TRUSTED_CAS_CONFIGMAP = "flux-trusted-cas";
/** Its key (a file of the mounted folder). */
export const TRUSTED_CAS_KEY = "ca.crt";
/** The pod volume and where the controllers see it. */
export const TRUSTED_CAS_VOLUME = "platform-trusted-cas";
export const TRUSTED_CAS_MOUNT = "/etc/platform/trusted-cas";
/**
 * Go's default certificate folders on Linux (crypto/x509 root_linux.go `certDirectories`), which an
 * explicit `SSL_CERT_DIR` replaces, then the mount: system roots and the given CAs.
 */
export const TRUSTED_CAS_CERT_DIR = `/etc/ssl/certs:/etc/pki/tls/certs:${TRUSTED_CAS_MOUNT}`;
/** Pod-template annotation: the bundle's SHA-256, so a new bundle restarts the controllers. */
export const TRUSTED_CAS_HASH_ANNOTATION = "platform/trusted-cas-sha256";

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const FIX =
  "give the PEM certificates of the CAs only (-----BEGIN CERTIFICATE----- blocks, e.g. `openssl x509 -in ca.pem` of each)";

/**
 * Why `pem` is not a bundle of CA certificates, one message per problem: no certificate, a block
 * that is not a certificate (a private key is named as such and never quoted), a certificate that
 * does not parse, or one expired at `now`.
 */
export function trustedCAsProblems(pem: string, now: Date = new Date()): string[] {
  const out: string[] = [];
  const blocks = [...pem.matchAll(BLOCK)];
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(pem))
    out.push(`holds a private key, which must never be stored here: ${FIX}`);
  blocks.forEach((b, i) => {
    const line = pem.slice(0, b.index).split("\n").length;
    const what = `block ${i + 1} (line ${line})`;
    if (b[1] === "CERTIFICATE") {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(b[0]);
      } catch {
        out.push(`${what} is not a valid X.509 certificate: ${FIX}`);
        return;
      }
      if (new Date(cert.validTo).getTime() < now.getTime())
        out.push(
          `${what} (${cert.subject.replace(/\n/g, ", ")}) expired on ${cert.validTo}: give the CA's current certificate`,
        );
    } else if (!/PRIVATE KEY/.test(b[1])) out.push(`${what} is a ${b[1]}, not a CERTIFICATE: ${FIX}`);
  });
  if (!blocks.some((b) => b[1] === "CERTIFICATE") && !out.length)
    out.push(`holds no PEM certificate: ${FIX}, or the path of such a file in the project`);
  return out;
}

/** The bundle as stored: the certificate blocks only, one after the other, ending in a newline. */
export function normalizeTrustedCAs(pem: string): string {
  return [...pem.matchAll(BLOCK)]
    .filter((b) => b[1] === "CERTIFICATE")
    .map((b) => b[0])
    .join("\n")
    .concat("\n");
}

/** The ConfigMap `flux-trusted-cas` (public data: certificates only). */
export function renderTrustedCAsConfigMap(pem: string, annotations: Record<string, string> = {}): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: TRUSTED_CAS_CONFIGMAP,
      namespace: FLUX_NAMESPACE,
      labels: { ...MANAGED_BY },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    data: { [TRUSTED_CAS_KEY]: normalizeTrustedCAs(pem) },
  };
}

const hashOf = (pem: string) => createHash("sha256").update(normalizeTrustedCAs(pem)).digest("hex");

interface Container {
  name?: string;
  env?: { name: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata?: { annotations?: Record<string, string> };
  spec?: { containers?: Container[]; volumes?: { name: string }[] };
}

const volume = { name: TRUSTED_CAS_VOLUME, configMap: { name: TRUSTED_CAS_CONFIGMAP } };
const mount = { name: TRUSTED_CAS_VOLUME, mountPath: TRUSTED_CAS_MOUNT, readOnly: true };
const env = { name: "SSL_CERT_DIR", value: TRUSTED_CAS_CERT_DIR };

/**
 * A controller Deployment (manifests mode) with the bundle mounted into every container and
 * `SSL_CERT_DIR` set (replacing one the install had), and the bundle's hash on its pod template.
 * Changes `deployment` in place.
 */
export function mountTrustedCAs(deployment: K8sObject, pem: string): void {
  const template = (deployment as { spec?: { template?: PodTemplate } }).spec?.template;
  if (!template?.spec) return;
  template.metadata = {
    ...template.metadata,
    annotations: { ...template.metadata?.annotations, [TRUSTED_CAS_HASH_ANNOTATION]: hashOf(pem) },
  };
  const spec = template.spec;
  spec.volumes = [...(spec.volumes ?? []).filter((v) => v.name !== TRUSTED_CAS_VOLUME), { ...volume }];
  for (const c of spec.containers ?? []) {
    c.volumeMounts = [...(c.volumeMounts ?? []).filter((m) => m.name !== TRUSTED_CAS_VOLUME), { ...mount }];
    c.env = [...(c.env ?? []).filter((e) => e.name !== env.name), { ...env }];
  }
}

/**
 * The same for the Flux Operator (`operator` mode): one kustomize strategic-merge patch of every
 * Deployment of the FluxInstance (the controllers' container is `manager`), as JSON text.
 */
export function trustedCAsOperatorPatch(pem: string): { target: { kind: string }; patch: string } {
  return {
    target: { kind: "Deployment" },
    patch: JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "all" },
      spec: {
        template: {
          metadata: { annotations: { [TRUSTED_CAS_HASH_ANNOTATION]: hashOf(pem) } },
          spec: {
            volumes: [volume],
            containers: [{ name: "manager", volumeMounts: [mount], env: [env] }],
          },
        },
      },
    }),
  };
}
