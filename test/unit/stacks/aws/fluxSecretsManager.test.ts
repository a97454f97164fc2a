import { isSecretWrapped, unwrapSecrets } from "../../../../automation/render/engine";
import { configError, withValues } from "../../../helpers/platform";
import { deployValues, KNOWN, named } from "./fixtures";

const sshFromSm = () =>
  withValues({
    flux: {
      auth: {
        type: "ssh",
        knownHosts: KNOWN,
        fromSecretsManager: { secretId: "acme/de-dev/flux/deploy-key" },
      },
      sops: { fromSecretsManager: { secretId: "acme/de-dev/flux/sops-age" } },
    },
  });

describe("Flux credentials from Secrets Manager", () => {
  it("reads the deploy key and the SOPS key with the platform's AWS provider into the early secrets; no key is generated", async () => {
    const d = await deployValues(sshFromSm());
    expect(d.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey")).toEqual([]);
    expect(d.outputs.deployPublicKey).toBeUndefined();
    expect(named(d, "pulumi:providers:aws", "aws").inputs.defaultTags).toBeDefined();
    const git = named(d, "kubernetes:core/v1:Secret", "flux-git-auth");
    expect(isSecretWrapped(git.inputs.stringData)).toBe(true);
    expect((unwrapSecrets(git.inputs) as { stringData: unknown }).stringData).toEqual({
      identity: "render-placeholder-secret-acme/de-dev/flux/deploy-key",
      known_hosts: KNOWN + "\n",
    });
    const sops = named(d, "kubernetes:core/v1:Secret", "flux-sops-age");
    expect(isSecretWrapped(sops.inputs.stringData)).toBe(true);
    expect((unwrapSecrets(sops.inputs) as { stringData: unknown }).stringData).toEqual({
      "age.agekey": "render-placeholder-secret-acme/de-dev/flux/sops-age",
    });
    expect(JSON.stringify(d.outputs)).not.toContain("render-placeholder-secret");
    const kustomization = named(
      d,
      "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
      "flux-sync",
    ).inputs;
    expect((kustomization.spec as { decryption: unknown }).decryption).toEqual({
      provider: "sops",
      secretRef: { name: "sops-age" },
    });
  });

  it("reads an HTTPS token as the password", async () => {
    const d = await deployValues(
      withValues({
        flux: {
          source: { url: "https://git.example.com/acme/fleet.git" },
          auth: {
            type: "https",
            knownHosts: undefined,
            username: "git",
            fromSecretsManager: { secretId: "acme/de-dev/flux/token" },
          },
        },
      }),
    );
    expect(
      (
        unwrapSecrets(named(d, "kubernetes:core/v1:Secret", "flux-git-auth").inputs) as {
          stringData: unknown;
        }
      ).stringData,
    ).toEqual({
      username: "git",
      password: "render-placeholder-secret-acme/de-dev/flux/token",
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a configured key as well",
      { flux: { auth: { privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" } } },
      "flux.auth.privateKey: is also read from Secrets Manager (fromSecretsManager): give one of them",
    ],
    [
      "both SOPS sources",
      { flux: { sops: { ageKey: "AGE-SECRET-KEY-1ABC" } } },
      "flux.sops: give ageKey (a secure value) or fromSecretsManager (a secret holding the age key), exactly one",
    ],
  ])("rejects %s", (_case, patch, message) => {
    expect(configError(withValues(patch, sshFromSm()))).toContain(message);
  });

  it("requires a username for an HTTPS token from Secrets Manager", () => {
    expect(
      configError(
        withValues({
          flux: {
            source: { url: "https://git.example.com/acme/fleet.git" },
            auth: { type: "https", knownHosts: undefined, fromSecretsManager: { secretId: "x" } },
          },
        }),
      ),
    ).toContain("flux.auth.username: is required with fromSecretsManager, which supplies the password");
  });
});
