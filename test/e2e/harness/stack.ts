// The stack file of an e2e platform: the settings every platform has (its name, environment, owner,
// organization), the harness's cluster as an existing cluster, and the script's own `flux` settings.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { mountTrustedCAs, renderTrustedCAsConfigMap } from "../../../components/flux/trustedCAs";
import type { K8sObject } from "../../../components/flux/objects";
import type { KubeObject } from "./kube";

export function writeStackFile(
  project: string,
  stack: string,
  opts: { kubeconfig: string; flux: Record<string, unknown> },
): string {
  const file = path.join(project, `Pulumi.${stack}.yaml`);
  fs.writeFileSync(
    file,
    stringify({
      config: {
        "platform:name": stack,
        "platform:environment": "dev",
        "platform:owner": "platform-team",
        "platform:organization": "acme",
        "platform:cluster": { kind: "existing", kubeconfigPath: opts.kubeconfig },
        "platform:flux": opts.flux,
      },
    }),
  );
  return file;
}

/** A check shown failing on purpose: `--break <what>` on the script's command line (`npm run test:e2e -- --break no-ca`). */
export function breaks(what: string): boolean {
  const args = process.argv.slice(2);
  return args.some((a, i) => a === `--break=${what}` || (a === "--break" && args[i + 1] === what));
}

/**
 * `flux.install.trustedCAs` of an e2e stack: the harness CA, copied into the project and named by its
 * path there, the only way the controllers trust the registry and the forge (the kubelet gives them
 * no trust of its own). With `--break no-ca` the stack names none: pulls from the registry and posts
 * to the forge then fail with x509 "certificate signed by unknown authority".
 */
export function harnessTrustedCAs(project: string, caCert: string): { trustedCAs?: string } {
  if (breaks("no-ca")) {
    console.log("  --break no-ca: the stack sets no flux.install.trustedCAs");
    return {};
  }
  fs.mkdirSync(path.join(project, "certs"), { recursive: true });
  fs.copyFileSync(caCert, path.join(project, "certs", "harness-ca.pem"));
  return { trustedCAs: "certs/harness-ca.pem" };
}

/**
 * For a script that applies Flux's install.yaml itself (smoke): the harness CA mounted into every
 * controller Deployment exactly as the program does it for `flux.install.trustedCAs` (the same
 * functions), with its ConfigMap after the Namespace; nothing with `--break no-ca`. Changes the
 * Deployments of `objects` in place and returns the objects to apply.
 */
export function withHarnessTrustedCAs(objects: KubeObject[], caCert: string): KubeObject[] {
  if (breaks("no-ca")) {
    console.log("  --break no-ca: no trusted CA mounted into the controllers");
    return objects;
  }
  const pem = fs.readFileSync(caCert, "utf8");
  for (const o of objects) if (o.kind === "Deployment") mountTrustedCAs(o as K8sObject, pem);
  const ns = objects.findIndex((o) => o.kind === "Namespace");
  return [
    ...objects.slice(0, ns + 1),
    renderTrustedCAsConfigMap(pem) as KubeObject,
    ...objects.slice(ns + 1),
  ];
}
