/**
 * Credential rotation without an outage: the generated deploy key in generations (the next one
 * prepared and exported before Flux uses it), and previous age keys kept beside the current one.
 */
import { isSecretWrapped } from "../../../../automation/render/engine";
import { configError, deploy, KNOWN_HOSTS, parse, withValues } from "../../../helpers/platform";

const KEY = (gen: string) => `tls:index/privateKey:PrivateKey::flux-${gen}`;
const keys = (d: Awaited<ReturnType<typeof deploy>>) =>
  d.resources.map((r) => `${r.type}::${r.name}`).filter((n) => n.startsWith("tls:"));
const gitAuth = (name: string) => ({
  identity: `-----BEGIN OPENSSH PRIVATE KEY----- render placeholder ${name}`,
  "identity.pub": `ssh-ed25519 AAAA-render-placeholder-${name}`,
  known_hosts: KNOWN_HOSTS + "\n",
});

describe("deploy key rotation (flux.auth.deployKey)", () => {
  it("generation 1 is the key of a stack that never rotated: same resource name, no next key", async () => {
    const d = await deploy(parse(withValues({ flux: { auth: { deployKey: { generation: 1 } } } })));
    expect(keys(d)).toEqual([KEY("deploy-key")]);
    expect((d.inputs("flux-git-auth") as { stringData: unknown }).stringData).toEqual(
      gitAuth("flux-deploy-key"),
    );
    expect(d.outputs.deployPublicKey).toBe("ssh-ed25519 AAAA-render-placeholder-flux-deploy-key");
    expect(d.outputs).not.toHaveProperty("deployPublicKeyNext");
  });

  it("prepareNext generates generation 2 and exports its public half; Flux still uses generation 1", async () => {
    const d = await deploy(parse(withValues({ flux: { auth: { deployKey: { prepareNext: true } } } })));
    expect(keys(d)).toEqual([KEY("deploy-key"), KEY("deploy-key-2")]);
    expect(d.inputs("flux-deploy-key-2")).toEqual({ algorithm: "ED25519" });
    expect((d.inputs("flux-git-auth") as { stringData: unknown }).stringData).toEqual(
      gitAuth("flux-deploy-key"),
    );
    expect(d.outputs.deployPublicKey).toBe("ssh-ed25519 AAAA-render-placeholder-flux-deploy-key");
    expect(d.outputs.deployPublicKeyNext).toBe("ssh-ed25519 AAAA-render-placeholder-flux-deploy-key-2");
  });

  it("generation 2 uses the prepared key (the same resource, so not generated again) and drops generation 1", async () => {
    const d = await deploy(parse(withValues({ flux: { auth: { deployKey: { generation: 2 } } } })));
    expect(keys(d)).toEqual([KEY("deploy-key-2")]);
    const git = d.get("flux-git-auth").inputs as { stringData: unknown };
    expect(isSecretWrapped(git.stringData)).toBe(true);
    expect((d.inputs("flux-git-auth") as { stringData: unknown }).stringData).toEqual(
      gitAuth("flux-deploy-key-2"),
    );
    expect(d.outputs.deployPublicKey).toBe("ssh-ed25519 AAAA-render-placeholder-flux-deploy-key-2");
  });

  it("keeps the configured algorithm for every generation", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: { auth: { keyAlgorithm: "rsa", deployKey: { generation: 3, prepareNext: true } } },
        }),
      ),
    );
    expect(keys(d)).toEqual([KEY("deploy-key-3"), KEY("deploy-key-4")]);
    expect(d.inputs("flux-deploy-key-4")).toEqual({ algorithm: "RSA", rsaBits: 4096 });
  });

  it.each([
    [{ generation: 0 }, "flux.auth.deployKey.generation: starts at 1"],
    [{ generation: 1.5 }, "flux.auth.deployKey.generation: is a whole number (1, 2, …)"],
    [{ next: true }, "flux.auth.deployKey.next: unknown key"],
  ])("refuses deployKey %j", (deployKey, message) => {
    expect(configError(withValues({ flux: { auth: { deployKey } } }))).toContain(message);
  });

  it("refuses deployKey with a supplied key: that key rotates by changing its value", () => {
    expect(
      configError(
        withValues({
          flux: {
            auth: { privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----x", deployKey: { generation: 2 } },
          },
        }),
      ),
    ).toContain(
      "flux.auth.deployKey: rotates the generated deploy key, but the key is auth.privateKey: rotate it by changing that value (Flux uses the new key at the next pull), or remove privateKey to have a key generated",
    );
  });
});

describe("age key rotation (flux.sops.previousAgeKeys)", () => {
  it("keeps the previous keys beside the current one in sops-age, all secret", async () => {
    const d = await deploy(
      parse(
        withValues({
          flux: {
            sops: {
              ageKey: "AGE-SECRET-KEY-1NEW",
              previousAgeKeys: ["AGE-SECRET-KEY-1OLD", "AGE-SECRET-KEY-1OLDER"],
            },
          },
        }),
      ),
    );
    const sops = d.get("flux-sops-age").inputs as { stringData: unknown };
    expect(isSecretWrapped(sops.stringData)).toBe(true);
    expect(d.inputs("flux-sops-age")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "sops-age",
        namespace: "flux-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi" },
      },
      stringData: {
        "age.agekey": "AGE-SECRET-KEY-1NEW",
        "previous-1.agekey": "AGE-SECRET-KEY-1OLD",
        "previous-2.agekey": "AGE-SECRET-KEY-1OLDER",
      },
    });
  });

  it("without previous keys, only age.agekey (the Secret after the rotation ends)", async () => {
    const d = await deploy(
      parse(withValues({ flux: { sops: { ageKey: "AGE-SECRET-KEY-1NEW", previousAgeKeys: [] } } })),
    );
    expect((d.inputs("flux-sops-age") as { stringData: unknown }).stringData).toEqual({
      "age.agekey": "AGE-SECRET-KEY-1NEW",
    });
  });

  it.each([
    [
      ["not-a-key"],
      "flux.sops.previousAgeKeys.0: is not an age identity: it starts with AGE-SECRET-KEY-1 (the key being rotated out)",
    ],
    [
      ["AGE-SECRET-KEY-1NEW"],
      "flux.sops.previousAgeKeys.0: is the current ageKey: list only the keys being rotated out",
    ],
    [
      Array(9).fill("AGE-SECRET-KEY-1OLD"),
      "flux.sops.previousAgeKeys: holds at most 8 keys: remove keys no file is encrypted for any more",
    ],
  ])("refuses previousAgeKeys %j", (previousAgeKeys, message) => {
    expect(
      configError(withValues({ flux: { sops: { ageKey: "AGE-SECRET-KEY-1NEW", previousAgeKeys } } })),
    ).toContain(message);
  });

  it("takes age-keygen's file as it is (comments and the key), for the current and the previous key", () => {
    const file = (key: string) =>
      `# created: 2026-12-06T15:00:00Z\n# public key: age1qqqqqqqqqqqqqqqq\n${key}\n`;
    expect(
      configError(
        withValues({
          flux: {
            sops: { ageKey: file("AGE-SECRET-KEY-1NEW"), previousAgeKeys: [file("AGE-SECRET-KEY-1OLD")] },
          },
        }),
      ),
    ).toBe("");
    expect(
      configError(
        withValues({
          flux: {
            sops: { ageKey: file("AGE-SECRET-KEY-1NEW"), previousAgeKeys: [file("AGE-SECRET-KEY-1NEW")] },
          },
        }),
      ),
    ).toContain("flux.sops.previousAgeKeys.0: is the current ageKey");
    expect(configError(withValues({ flux: { sops: { ageKey: "# only a comment\n" } } }))).toContain(
      "flux.sops.ageKey: is not an age identity",
    );
  });

  it("refuses previous age keys with awskms (no key is stored in the cluster)", () => {
    expect(
      configError(
        withValues({ flux: { sops: { provider: "awskms", previousAgeKeys: ["AGE-SECRET-KEY-1OLD"] } } }),
      ),
    ).toContain("flux.sops.previousAgeKeys: is an age key, but sops.provider is awskms");
  });

  it("refuses a previous key in plain text in the stack file", () => {
    expect(
      configError(
        withValues({
          flux: { sops: { ageKey: "AGE-SECRET-KEY-1NEW", previousAgeKeys: ["AGE-SECRET-KEY-1OLD"] } },
        }),
        ["flux"],
      ),
    ).toContain("flux.sops.previousAgeKeys.0");
  });
});
