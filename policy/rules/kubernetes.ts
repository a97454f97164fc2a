/** Kubernetes guardrails: no secret material in ConfigMaps. */
import {
  asRecord,
  configWithDefaults,
  describeObject,
  groupObjects,
  isObjectGroup,
  listText,
  TYPES,
  type PlatformResourcePolicy,
} from "./common";

export interface ConfigMapSecretsConfig {
  /** Regular expressions (case-insensitive) for key names that suggest a secret, matched against the whole key. */
  secretKeyPatterns: string[];
  /** Key names allowed even though they match a pattern. */
  allowedKeys: string[];
}
const DEFAULTS: ConfigMapSecretsConfig = {
  secretKeyPatterns: [
    "(^|.*[^a-z])(password|passwd|pwd|passphrase)$",
    "(^|.*[^a-z])(token|secret|credentials?)$",
    "(^|.*[^a-z])(private|secret|access|api|signing|encryption)[^a-z]?key$",
    "(^|.*[^a-z])(ssh|tls|age)[^a-z]?key$",
    "^(private[^a-z]?)?key$",
  ],
  allowedKeys: [],
};

/** Values that are secret material whatever their key: PEM/OpenSSH private keys, age keys, AWS access keys. */
const SECRET_VALUES: { pattern: RegExp; what: string }[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: "a private key" },
  { pattern: /AGE-SECRET-KEY-1[0-9A-Z]{20,}/, what: "an age secret key" },
  { pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, what: "an AWS access key id" },
];

/** Split camelCase so `dbPassword` reads as `db_Password` for the word-boundary patterns. */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2");

/** Findings for one ConfigMap's data: each says which key and why. */
export function secretLookingEntries(
  data: Record<string, unknown>,
  binaryKeys: string[],
  cfg: ConfigMapSecretsConfig,
): string[] {
  const patterns = cfg.secretKeyPatterns.map((p) => new RegExp(p, "i"));
  const found: string[] = [];
  for (const key of [...Object.keys(data), ...binaryKeys]) {
    if (cfg.allowedKeys.includes(key)) continue;
    const value = data[key];
    const material = typeof value === "string" ? SECRET_VALUES.find((s) => s.pattern.test(value)) : undefined;
    if (material) found.push(`key ${key} holds ${material.what}`);
    else if (patterns.some((p) => p.test(words(key)))) found.push(`key ${key} is named like a secret`);
  }
  return found;
}

export const k8sConfigMapNoSecrets: PlatformResourcePolicy = {
  name: "k8s-configmap-no-secrets",
  description:
    "No ConfigMap carries a value that looks like a secret (secret-like key names or private-key material).",
  severity: "critical",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      secretKeyPatterns: { type: "array", items: { type: "string" }, default: DEFAULTS.secretKeyPatterns },
      allowedKeys: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, report) => {
    let maps: Record<string, unknown>[];
    if (args.type === TYPES.configMap) maps = [args.props];
    else if (isObjectGroup(args.type)) {
      maps = groupObjects(args.props).filter((o) => o.kind === "ConfigMap");
    } else return;
    const cfg = configWithDefaults(DEFAULTS, args.getConfig<Partial<ConfigMapSecretsConfig>>());
    for (const cm of maps) {
      const findings = secretLookingEntries(
        asRecord(cm.data) ?? {},
        Object.keys(asRecord(cm.binaryData) ?? {}),
        cfg,
      );
      if (findings.length)
        report(
          `ConfigMaps must not carry secrets: ${describeObject("ConfigMap", cm)} ${listText(findings)}; ` +
            `move the value to a Secret (flux.secretVars for cluster variables), or list the key in allowedKeys if it is not secret.`,
        );
    }
  },
};

export const kubernetesPolicies = [k8sConfigMapNoSecrets];
