import type { PlatformConfig } from "./schema/platform";
import { DNS_DEFAULTS } from "../components/dns";
import { SECRETS_DEFAULTS } from "../components/secrets";
import type { Problem } from "../components/problems";
import { secretProblems } from "../components/secretGuard";
import { bareMetalConfigProblems } from "./args/baremetal";
import { dnsConfigProblems } from "./args/dns";
import { eksConfigProblems } from "./args/eks";
import { existingConfigProblems } from "./args/existing";
import { fluxConfigProblems } from "./args/flux";
import { secretsConfigProblems } from "./args/secrets";

type Check = (config: PlatformConfig) => Problem[];

/** On non-EKS substrates the program creates the access-key Secrets; extra secrets may not take their names. */
const checkAwsCredentialSecrets: Check = (config) => {
  if (config.cluster.kind === "eks") return [];
  const taken = new Map<string, string>();
  if (config.dns) {
    const ed = config.dns.externalDns?.namespace ?? DNS_DEFAULTS.externalDns.namespace;
    const cm = config.dns.certManager?.namespace ?? DNS_DEFAULTS.certManager.namespace;
    taken.set(`${ed}/${DNS_DEFAULTS.externalDnsSecret}`, "external-dns");
    taken.set(`${cm}/${DNS_DEFAULTS.certManagerSecret}`, "cert-manager");
  }
  if (config.secrets) {
    const ns = config.secrets.externalSecrets?.namespace ?? SECRETS_DEFAULTS.externalSecrets.namespace;
    taken.set(`${ns}/${SECRETS_DEFAULTS.credentialsSecret}`, "External Secrets Operator");
  }
  return config.flux.extraSecrets.flatMap((s, i) => {
    const owner = taken.get(`${s.namespace}/${s.name}`);
    return owner
      ? [
          {
            path: `flux.extraSecrets.${i}.name`,
            message: `${s.namespace}/${s.name} holds the AWS access key of ${owner}, created by the program: choose another name`,
          },
        ]
      : [];
  });
};

/** The free-form maps no component owns: the platform tags and the fleet labels. */
const checkPlatformMetadata: Check = (config) => {
  const fix =
    "tags and labels are public metadata (on every resource, in reports): remove it; a credential belongs in a secret field, set with `pulumi config set --secret --path <key>`";
  return [
    ...secretProblems(config.tags, "tags", fix),
    ...secretProblems(config.fleet?.labels, "fleet.labels", fix),
  ];
};

/**
 * The cross-field rules: each component's own checks (through its mapping, with config paths), then
 * the rules that span sections.
 */
const CHECKS: Check[] = [
  existingConfigProblems,
  fluxConfigProblems,
  bareMetalConfigProblems,
  eksConfigProblems,
  dnsConfigProblems,
  secretsConfigProblems,
  checkAwsCredentialSecrets,
  checkPlatformMetadata,
];

export function crossCheck(config: PlatformConfig): Problem[] {
  return CHECKS.flatMap((check) => check(config));
}
