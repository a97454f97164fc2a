// The fleet repository's SOPS-encrypted Secret and stack `e2e`: its file (existing cluster, Flux in
// manifests mode with four controllers, the root through a semver range) and its secure values.
import { harnessTrustedCAs } from "../harness/stack";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { e2eProject } from "../harness/fleet";
import type { PulumiCli } from "../harness/pulumi";
import type { Harness } from "../harness/run";
import type { Tools } from "../harness/tools";
import { run } from "../harness/util";
import { CLUSTER, FLUX, PLATFORM } from "./common";

/** An age key made now (nothing committed), and a Secret encrypted with sops for it, added to `base`. */
export function sopsSecret(h: Harness, tools: Tools, base: Record<string, string>, sopsValue: string) {
  return h.step("age key generated, a Secret encrypted with sops for it", async () => {
    const keyFile = path.join(h.workDir, "age.key");
    await run(tools.path("age-keygen"), ["-o", keyFile]);
    const key = fs.readFileSync(keyFile, "utf8");
    fs.rmSync(keyFile);
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(key)?.[1];
    const secret = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(key)?.[0];
    if (!recipient || !secret) throw new Error("age-keygen wrote no key pair");
    const plain = path.join(h.workDir, "sops-secret.yaml");
    fs.writeFileSync(
      plain,
      stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "e2e-sops", namespace: "flux-system" },
        stringData: { greeting: sopsValue },
      }),
    );
    const enc = await run(tools.path("sops"), [
      "--encrypt",
      "--age",
      recipient,
      "--encrypted-regex",
      "^(data|stringData)$",
      plain,
    ]);
    fs.rmSync(plain);
    if (enc.stdout.includes(sopsValue) || !enc.stdout.includes("ENC[AES256_GCM"))
      throw new Error(`sops did not encrypt the Secret:\n${enc.stdout}`);
    base["clusters/local/sops-secret.yaml"] = enc.stdout;
    base["clusters/local/kustomization.yaml"] = base["clusters/local/kustomization.yaml"].replace(
      "resources:\n",
      "resources:\n  - sops-secret.yaml\n",
    );
    if (!base["clusters/local/kustomization.yaml"].includes("sops-secret.yaml"))
      throw new Error("could not add sops-secret.yaml to clusters/local/kustomization.yaml");
    return { secret, recipient };
  });
}

/**
 * Stack `e2e` in a copy of the project: the stack file, then its secure values from stdin (never in
 * a command line or an error message) and the notifications layer's early secrets.
 */
export async function createStack(
  h: Harness,
  o: {
    tools: Tools;
    kubeconfig: string;
    sourceUrl: string;
    knownHosts: string;
    statusAddress: string;
    /** The harness CA the controllers trust, through flux.install.trustedCAs (--break no-ca: not set). */
    caCert: string;
    secrets: [string, string][];
    extraSecrets: [string, string, string][];
  },
): Promise<{ project: string; pulumi: PulumiCli; stackFile: string }> {
  const { project, pulumi, installFile } = e2eProject(o.tools, h.workDir, h.logDir);
  const stackFile = path.join(project, `Pulumi.${PLATFORM}.yaml`);
  const config = {
    config: {
      "platform:name": PLATFORM,
      "platform:environment": "dev",
      "platform:owner": "platform-team",
      "platform:organization": "acme",
      "platform:cluster": { kind: "existing", kubeconfigPath: o.kubeconfig, name: CLUSTER },
      "platform:flux": {
        install: {
          mode: "manifests",
          components: [
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
          ],
          // Fast pipelines: a Kustomization waiting on dependsOn is retried after 5 s, not 30 s.
          requeueDependency: "5s",
          manifests: { file: installFile },
          // Multi-tenancy lockdown as `flux bootstrap` sets it: the template must work under it.
          lockdown: {},
          ...harnessTrustedCAs(project, o.caCert),
        },
        source: { url: o.sourceUrl, ref: { semver: ">=1.0.0" }, interval: "1m" },
        auth: { type: "ssh", knownHosts: o.knownHosts },
        sync: { path: "./clusters/local", interval: "1m", retryInterval: "20s" },
        sops: {},
        // The notifications layer's address (its token and webhook URL are early secrets, set below).
        vars: { FLEET_STATUS_ADDRESS: o.statusAddress },
      },
    },
  };
  fs.writeFileSync(stackFile, stringify(config));
  await h.step(
    "stack e2e created; deploy key, age key, receiver token and early secrets set as secrets",
    async () => {
      await pulumi.run(["stack", "init", PLATFORM]);
      for (const [key, value] of o.secrets)
        await pulumi.run(["config", "set", "--secret", "--path", key], { input: value });
      for (const [i, [name, key, value]] of o.extraSecrets.entries()) {
        // --plaintext: Pulumi takes a name such as fleet-alerts-webhook for a secret and asks.
        for (const [field, v] of [
          ["namespace", FLUX],
          ["name", name],
        ])
          await pulumi.run([
            "config",
            "set",
            "--plaintext",
            "--path",
            `platform:flux.extraSecrets[${i}].${field}`,
            v,
          ]);
        await pulumi.run(
          ["config", "set", "--secret", "--path", `platform:flux.extraSecrets[${i}].data.${key}`],
          {
            input: value,
          },
        );
      }
    },
  );
  return { project, pulumi, stackFile };
}
