/**
 * Deterministic stand-ins for values only the cloud or the providers know, so an offline render is
 * the same on every run and every machine. Extend `OUTPUTS` / `INVOKES` when the program uses a new
 * resource type or data source whose outputs it reads.
 */
import type { InvokeAnswers, OutputPlaceholders } from "./engine";

export const PLACEHOLDER_ACCOUNT = "123456789012";
export const PLACEHOLDER_REGION = "eu-central-1";

const OUTPUTS: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "tls:index/privateKey:PrivateKey": (name) => ({
    publicKeyOpenssh: `ssh-ed25519 AAAA-render-placeholder-${name}`,
    privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY----- render placeholder ${name}`,
    privateKeyPem: `-----BEGIN PRIVATE KEY----- render placeholder ${name}`,
  }),
  // Bare metal: a remote command's output; the one reading the admin kubeconfig gets a kubeconfig shaped like RKE2's.
  "command:remote:Command": (name) => ({
    stdout: name.endsWith("-kubeconfig") ? placeholderKubeconfig(name) : "",
    stderr: "",
  }),
  "random:index/randomPassword:RandomPassword": (name) => ({ result: `render-placeholder-password-${name}` }),
};

/** What `cat /etc/rancher/rke2/rke2.yaml` prints on a server, with placeholder credentials. */
export function placeholderKubeconfig(name: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: default",
    "    cluster:",
    "      certificate-authority-data: UExBQ0VIT0xERVItQ0E=",
    "      server: https://127.0.0.1:6443",
    "contexts:",
    "  - name: default",
    "    context:",
    "      cluster: default",
    "      user: default",
    "current-context: default",
    "users:",
    "  - name: default",
    "    user:",
    "      client-certificate-data: UExBQ0VIT0xERVItQ0VSVA==",
    `      client-key-data: UExBQ0VIT0xERVItS0VZ # render placeholder for ${name}`,
    "",
  ].join("\n");
}


export const placeholders: OutputPlaceholders = (type, name, inputs) => OUTPUTS[type]?.(name, inputs) ?? {};

export const invokes: InvokeAnswers = {};
