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
};

export const placeholders: OutputPlaceholders = (type, name, inputs) => OUTPUTS[type]?.(name, inputs) ?? {};

export const invokes: InvokeAnswers = {};
