// Certificates and keys for the local control plane, made with openssl: a CA, the API server's
// serving certificate (127.0.0.1/localhost), an admin client certificate (group system:masters)
// and the service-account signing key pair.
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "./util";

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run("openssl", args, { cwd: dir, timeoutMs: 60_000 });
}

async function signedCert(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: { cert: string; key: string },
): Promise<void> {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  await openssl(dir, ["genrsa", "-out", `${name}.key`, "2048"]);
  await openssl(dir, ["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
  await openssl(dir, [
    "x509", "-req", "-in", `${name}.csr`, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial",
    "-days", "2", "-sha256", "-extfile", `${name}.ext`, "-out", `${name}.crt`,
  ]); // prettier-ignore
}

export async function makePki(dir: string): Promise<Pki> {
  fs.mkdirSync(dir, { recursive: true });
  await openssl(dir, [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
    "-days", "2", "-subj", "/CN=platform-e2e-ca",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]); // prettier-ignore
  const ca = { cert: "ca.crt", key: "ca.key" };
  await signedCert(
    dir,
    "apiserver",
    "/CN=kube-apiserver",
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc",
      "",
    ].join("\n"),
    ca,
  );
  await signedCert(
    dir,
    "admin",
    "/O=system:masters/CN=platform-e2e-admin",
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=clientAuth",
      "",
    ].join("\n"),
    ca,
  );
  await openssl(dir, ["genrsa", "-out", "sa.key", "2048"]);
  await openssl(dir, ["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    serverCert: p("apiserver.crt"),
    serverKey: p("apiserver.key"),
    adminCert: p("admin.crt"),
    adminKey: p("admin.key"),
    saKey: p("sa.key"),
    saPub: p("sa.pub"),
  };
}

/** A serving certificate for 127.0.0.1/localhost signed by the harness CA (for another local server). */
export async function serverCertificate(pki: Pki, name: string): Promise<{ cert: string; key: string }> {
  const extensions = [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "",
  ].join("\n");
  await signedCert(pki.dir, name, `/CN=${name}`, extensions, { cert: "ca.crt", key: "ca.key" });
  return { cert: path.join(pki.dir, `${name}.crt`), key: path.join(pki.dir, `${name}.key`) };
}

/** An admin kubeconfig with the certificates embedded, so it can be copied anywhere. */
export function adminKubeconfig(pki: Pki, server: string): string {
  const b64 = (f: string) => fs.readFileSync(f).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: e2e",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    "users:",
    "- name: e2e-admin",
    "  user:",
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    "contexts:",
    "- name: e2e",
    "  context: {cluster: e2e, user: e2e-admin}",
    "current-context: e2e",
    "",
  ].join("\n");
}

/** A kubeconfig that authenticates with a bearer token (a ServiceAccount's). */
export function tokenKubeconfig(pki: Pki, server: string, token: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: e2e",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${fs.readFileSync(pki.caCert).toString("base64")}`,
    "users:",
    "- name: sa",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: e2e",
    "  context: {cluster: e2e, user: sa}",
    "current-context: e2e",
    "",
  ].join("\n");
}
