import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  renderFluxInstance,
  transformInstallManifests,
  type K8sObject,
  renderTrustedCAsConfigMap,
  trustedCAsProblems,
} from "../../../../components/flux";
import { configError, deploy, installFixture, parse, withValues } from "../../../helpers/platform";

const TLS = path.join(__dirname, "../../../fixtures/fleet/tls");
/** A CA certificate valid until 2126 (CN=fleet-test-ca) and a throwaway private key, test-only. */
const CA = readFileSync(path.join(TLS, "ca.crt"), "utf8");
const KEY = readFileSync(path.join(TLS, "server.key"), "utf8");
/** sha256sum test/fixtures/fleet/tls/ca.crt (the file is exactly one certificate block and a newline). */
const CA_SHA256 = "b51cf2d722ffdc783e37e7645b57602f9c85157a1393915902b36f47e4644e88";
const FIX =
  "give the PEM certificates of the CAs only (-----BEGIN CERTIFICATE----- blocks, e.g. `openssl x509 -in ca.pem` of each)";
const CERT_DIR = "/etc/ssl/certs:/etc/pki/tls/certs:/etc/platform/trusted-cas";

const installOf = (install: Record<string, unknown>) => parse(withValues({ flux: { install } })).flux.install;
const podOf = (objs: K8sObject[], name: string) =>
  (
    objs.find((o) => o.kind === "Deployment" && o.metadata.name === name) as unknown as {
      spec: { template: { metadata: unknown; spec: { volumes?: unknown; containers: unknown[] } } };
    }
  ).spec.template;

describe("trustedCAsProblems", () => {
  it("accepts a bundle of certificates, comments between them included", () => {
    expect(trustedCAsProblems(`# corporate root\n${CA}\n# again\n${CA}`)).toEqual([]);
  });
  it.each([
    [
      "a private key, never quoted",
      `${CA}${KEY}`,
      [`holds a private key, which must never be stored here: ${FIX}`],
    ],
    [
      "a block that is not a certificate",
      `${CA}-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n`,
      [`block 2 (line 12) is a PUBLIC KEY, not a CERTIFICATE: ${FIX}`],
    ],
    [
      "a certificate that does not parse",
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
      [`block 1 (line 1) is not a valid X.509 certificate: ${FIX}`],
    ],
    [
      "no certificate at all",
      "certs/corp-ca.pem\nsecond line",
      [`holds no PEM certificate: ${FIX}, or the path of such a file in the project`],
    ],
  ])("refuses %s", (_t, pem, problems) => {
    expect(trustedCAsProblems(pem)).toEqual(problems);
  });
  it("refuses an expired certificate, naming it", () => {
    expect(trustedCAsProblems(CA, new Date("2200-01-01T00:00:00Z"))).toEqual([
      "block 1 (line 1) (CN=fleet-test-ca) expired on Oct 29 17:42:12 2126 GMT: give the CA's current certificate",
    ]);
  });
});

describe("install.trustedCAs in the install", () => {
  it("is the ConfigMap flux-trusted-cas, certificates only", () => {
    expect(renderTrustedCAsConfigMap(`# corporate root\n${CA}`)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "flux-trusted-cas",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      data: { "ca.crt": CA },
    });
  });

  it("manifests mode: every controller mounts it, with SSL_CERT_DIR keeping the system roots, and rolls on a new bundle", () => {
    const out = transformInstallManifests(installFixture(), installOf({ trustedCAs: CA }), {
      skipAwait: false,
    });
    for (const name of ["source-controller", "kustomize-controller"])
      expect(podOf(out, name)).toEqual({
        metadata: {
          labels: { app: name },
          annotations: { "platform/trusted-cas-sha256": CA_SHA256 },
        },
        spec: {
          ...(name === "source-controller" ? { serviceAccountName: "source-controller" } : {}),
          volumes: [{ name: "platform-trusted-cas", configMap: { name: "flux-trusted-cas" } }],
          containers: [
            {
              name: "manager",
              image: `ghcr.io/fluxcd/${name}:v1.9.4`,
              args: [
                "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
                ...(name === "source-controller" ? ["--watch-all-namespaces=true"] : []),
                "--log-level=info",
                ...(name === "source-controller" ? ["--log-encoding=json"] : []),
              ],
              volumeMounts: [
                { name: "platform-trusted-cas", mountPath: "/etc/platform/trusted-cas", readOnly: true },
              ],
              env: [{ name: "SSL_CERT_DIR", value: CERT_DIR }],
            },
          ],
        },
      });
    const without = transformInstallManifests(installFixture(), installOf({}), { skipAwait: false });
    expect(podOf(without, "source-controller").spec.volumes).toBeUndefined();
  });

  it("operator mode: one strategic-merge patch of every Deployment of the FluxInstance", () => {
    const spec = renderFluxInstance("2.9.4", installOf({ mode: "operator", trustedCAs: CA })).spec as {
      kustomize: { patches: { target: unknown; patch: string }[] };
    };
    expect(spec.kustomize.patches).toEqual([
      {
        target: { kind: "Deployment" },
        patch: JSON.stringify({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "all" },
          spec: {
            template: {
              metadata: { annotations: { "platform/trusted-cas-sha256": CA_SHA256 } },
              spec: {
                volumes: [{ name: "platform-trusted-cas", configMap: { name: "flux-trusted-cas" } }],
                containers: [
                  {
                    name: "manager",
                    volumeMounts: [
                      {
                        name: "platform-trusted-cas",
                        mountPath: "/etc/platform/trusted-cas",
                        readOnly: true,
                      },
                    ],
                    env: [{ name: "SSL_CERT_DIR", value: CERT_DIR }],
                  },
                ],
              },
            },
          },
        }),
      },
    ]);
  });
});

describe("flux.install.trustedCAs in the stack file", () => {
  it("inline PEM: the ConfigMap is an early object the install waits for", async () => {
    const d = await deploy(parse(withValues({ flux: { install: { trustedCAs: CA } } })));
    expect(d.get("flux-trusted-cas").type).toBe("kubernetes:core/v1:ConfigMap");
    expect(d.inputs("flux-trusted-cas")).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "flux-trusted-cas",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      data: { "ca.crt": CA },
    });
    expect(d.get("flux-install").dependsOn).toContain("kubernetes:core/v1:ConfigMap::flux-trusted-cas");
  });

  it("a project file: read, checked and used like inline PEM", async () => {
    const d = await deploy(parse(withValues({ flux: { install: { trustedCAs: "fleet/tls/ca.crt" } } })));
    expect(d.inputs("flux-trusted-cas").data).toEqual({ "ca.crt": CA });
  });

  it("a project file that is missing or holds a key: a config error before anything is created", async () => {
    const header = 'Invalid configuration for stack "test" (Pulumi.test.yaml), 1 problem:\n';
    await expect(
      deploy(parse(withValues({ flux: { install: { trustedCAs: "fleet/tls/missing.pem" } } }))),
    ).rejects.toThrow(
      `${header}  - flux.install.trustedCAs: cannot read fleet/tls/missing.pem: ENOENT: give the path of a file in the project`,
    );
    await expect(
      deploy(parse(withValues({ flux: { install: { trustedCAs: "fleet/tls/server.key" } } }))),
    ).rejects.toThrow(
      `${header}  - flux.install.trustedCAs: fleet/tls/server.key: holds a private key, which must never be stored here: ${FIX}`,
    );
  });

  it("inline PEM that does not parse, or mode none: the config check names the path and the fix", () => {
    expect(
      configError(
        withValues({
          flux: {
            install: {
              mode: "none",
              trustedCAs: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            },
          },
        }),
        ["flux"],
      ),
    ).toBe(
      'Invalid configuration for stack "test" (Pulumi.test.yaml), 2 problems:\n' +
        `  - flux.install.trustedCAs: block 1 (line 1) is not a valid X.509 certificate: ${FIX}\n` +
        "  - flux.install.trustedCAs: cannot be mounted with install.mode none (Flux is installed by someone else): give the CAs to the controllers where Flux is installed, or remove trustedCAs",
    );
  });
});

describe("flux.source.caCert: the CA of an OCI root alone", () => {
  const oci = (caCert: string) =>
    withValues({
      flux: {
        source: { kind: "oci", url: "oci://registry.example.com/acme/fleet", ref: { tag: "v1.0.0" }, caCert },
        auth: { type: "none", knownHosts: undefined },
      },
    });

  it("is Secret flux-system-ca, named by the OCIRepository's certSecretRef", async () => {
    const d = await deploy(parse(oci("fleet/tls/ca.crt")));
    expect(d.inputs("flux-source-ca")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "flux-system-ca",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      stringData: { "ca.crt": CA },
    });
    expect(d.inputs("flux-source").spec).toEqual({
      url: "oci://registry.example.com/acme/fleet",
      ref: { tag: "v1.0.0" },
      interval: "1m",
      timeout: "60s",
      certSecretRef: { name: "flux-system-ca" },
    });
    // The source comes after the install, which waits for the early objects.
    expect(d.get("flux-install").dependsOn).toContain("kubernetes:core/v1:Secret::flux-source-ca");
  });

  it("is refused on a Git root, and checked like trustedCAs", () => {
    expect(configError(withValues({ flux: { source: { caCert: `${CA}${KEY}` } } }), ["flux"])).toBe(
      'Invalid configuration for stack "test" (Pulumi.test.yaml), 2 problems:\n' +
        `  - flux.source.caCert: holds a private key, which must never be stored here: ${FIX}\n` +
        "  - flux.source.caCert: is for an OCI root (kind oci): a Git root over https takes its CA in auth.caCert, or give it to every controller with install.trustedCAs",
    );
  });
});
