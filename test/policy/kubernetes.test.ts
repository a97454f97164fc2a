import { k8sConfigMapNoSecrets } from "../../policy/rules/kubernetes";
import { violations } from "./helpers";

const CM = "kubernetes:core/v1:ConfigMap";
const vars = { metadata: { name: "cluster-vars", namespace: "flux-system" } };
const fix =
  "move the value to a Secret (flux.secretVars for cluster variables), or list the key in allowedKeys if it is not secret.";

describe("k8s-configmap-no-secrets", () => {
  it("passes the platform's cluster-vars (ARNs, prefixes, ids)", async () => {
    const data = {
      SECRETS_KMS_KEY_ARN: "arn:aws:kms:eu-central-1:123456789012:key/abc",
      SECRETS_PREFIX: "acme/de-dev/",
      ESO_ROLE_ARN: "arn:aws:iam::123456789012:role/x",
      PUBLIC_KEY: "ssh-ed25519 AAAA",
      cacheKey: "v1",
    };
    expect(await violations(k8sConfigMapNoSecrets, CM, { ...vars, data })).toEqual([]);
  });
  it("fails keys named like secrets", async () => {
    expect(
      await violations(k8sConfigMapNoSecrets, CM, {
        ...vars,
        data: { DB_PASSWORD: "x", githubToken: "y", AWS_SECRET_ACCESS_KEY: "z", "tls.key": "k" },
      }),
    ).toEqual([
      `ConfigMaps must not carry secrets: ConfigMap flux-system/cluster-vars key DB_PASSWORD is named like a secret, key githubToken is named like a secret, key AWS_SECRET_ACCESS_KEY is named like a secret and key tls.key is named like a secret; ${fix}`,
    ]);
  });
  it("fails private-key material under any key name, and in binaryData names", async () => {
    expect(
      await violations(k8sConfigMapNoSecrets, CM, {
        ...vars,
        data: { deploy: "-----BEGIN OPENSSH PRIVATE KEY-----\nabc" },
        binaryData: { "age.key": "QUdF" },
      }),
    ).toEqual([
      `ConfigMaps must not carry secrets: ConfigMap flux-system/cluster-vars key deploy holds a private key and key age.key is named like a secret; ${fix}`,
    ]);
  });
  it("honours allowedKeys and custom patterns", async () => {
    const config = { allowedKeys: ["SESSION_TOKEN"], secretKeyPatterns: ["^license$"] };
    expect(
      await violations(
        k8sConfigMapNoSecrets,
        CM,
        { ...vars, data: { SESSION_TOKEN: "x", license: "y" } },
        { config },
      ),
    ).toEqual([
      `ConfigMaps must not carry secrets: ConfigMap flux-system/cluster-vars key license is named like a secret; ${fix}`,
    ]);
  });
  it("checks ConfigMaps inside a ConfigGroup: its objs offline, its children with the engine", async () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "apps" },
      data: { apiKey: "x" },
    };
    const message = `ConfigMaps must not carry secrets: ConfigMap apps/settings key apiKey is named like a secret; ${fix}`;
    expect(await violations(k8sConfigMapNoSecrets, "kubernetes:yaml/v2:ConfigGroup", { objs: [cm] })).toEqual(
      [message],
    );
    const parentUrn =
      "urn:pulumi:t::platform::platform:flux:FluxBootstrap$kubernetes:yaml/v2:ConfigGroup::install";
    expect(await violations(k8sConfigMapNoSecrets, CM, cm, { parentUrn })).toEqual([message]);
    expect(await violations(k8sConfigMapNoSecrets, "kubernetes:yaml/v2:ConfigGroup", {})).toEqual([]);
  });
});
