/**
 * The cross-field rules of FluxBootstrap's Flux settings, as problems with paths relative to them
 * (`source.url`); the program reports them under `flux.`.
 */
import type { Problem } from "../problems";
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS, VARIABLE_NAME, type ResolvedFluxArgs } from "./args";
import { CLUSTER_SECRET_VARS_SECRET, CLUSTER_VAR_KEYS, CLUSTER_VARS_CONFIGMAP } from "./clusterVars";
import { FLUX_NAMESPACE, GIT_AUTH_SECRET, SOPS_SECRET } from "./objects";

type Check = (flux: ResolvedFluxArgs) => Problem[];

// Flux reads `ref.semver` as a Masterminds/semver v3 constraint: comparisons (=, !=, >, <, >=, <=,
// =<, ~, ~>, ^ and a bare version), partial versions and x/X/* wildcards, hyphen ranges (1.2 - 1.4),
// AND by comma or space, OR by ||.
const SEMVER_VERSION = String.raw`v?(?:0|[1-9]\d*|[xX*])(?:\.(?:0|[1-9]\d*|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?`;
const SEMVER_TERM = String.raw`(?:${SEMVER_VERSION}\s+-\s+${SEMVER_VERSION}|(?:!=|>=|<=|=<|~>|=|>|<|~|\^)?\s*${SEMVER_VERSION})`;
const SEMVER_GROUP = String.raw`${SEMVER_TERM}(?:\s*,\s*|\s+)?(?:${SEMVER_TERM}(?:\s*,\s*|\s+)?)*`;
const SEMVER_CONSTRAINT = new RegExp(String.raw`^\s*${SEMVER_GROUP}(?:\s*\|\|\s*${SEMVER_GROUP})*\s*$`);

/** Whether Flux accepts `range` as a semver constraint (`ref.semver`). */
export function isSemverConstraint(range: string): boolean {
  return SEMVER_CONSTRAINT.test(range);
}

/** Secrets in flux-system that the program itself creates; extra secrets may not take these names. */
const RESERVED_FLUX_SYSTEM_NAMES = [
  GIT_AUTH_SECRET,
  SOPS_SECRET,
  CLUSTER_SECRET_VARS_SECRET,
  CLUSTER_VARS_CONFIGMAP,
];

const checkSource: Check = (flux) => {
  const { source, auth } = flux;
  const out: Problem[] = [];
  const url = source.url;
  const scp = /^([^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(url);
  if (source.kind === "git") {
    if (scp && !/^[a-z]+:\/\//.test(url)) {
      out.push({
        path: "source.url",
        message: `"${url}" is the scp-like form, which Flux does not accept: write ssh://${scp[1] ?? "git@"}${scp[2]}/${scp[3]}`,
      });
    } else if (!/^(ssh|https?):\/\//.test(url)) {
      out.push({ path: "source.url", message: `"${url}" must start with ssh://, https:// or http://` });
    }
    if (source.ref.digest !== undefined)
      out.push({
        path: "source.ref.digest",
        message: "is for OCI sources; a Git source takes tag, semver, branch, commit or name",
      });
    if (source.verify?.provider)
      out.push({
        path: "source.verify.provider",
        message: "is for OCI sources; Git verification takes mode and publicKeys",
      });
    for (const name of Object.keys(source.verify?.publicKeys ?? {}))
      if (!/\.(asc|sshpub)$/.test(name))
        out.push({
          path: `source.verify.publicKeys.${name}`,
          message: "key names must end in .asc (PGP) or .sshpub (SSH)",
        });
  } else {
    if (!url.startsWith("oci://"))
      out.push({ path: "source.url", message: `"${url}" must start with oci:// for an OCI source` });
    for (const k of ["branch", "commit", "name"] as const)
      if (source.ref[k] !== undefined)
        out.push({
          path: `source.ref.${k}`,
          message: "is for Git sources; an OCI source takes tag, semver or digest",
        });
    if (source.verify?.mode)
      out.push({
        path: "source.verify.mode",
        message: "is for Git sources; OCI verification takes provider (cosign or notation)",
      });
    if (auth.type !== "none" && auth.type !== "https" && source.provider !== "aws")
      out.push({
        path: "auth.type",
        message: `${auth.type} authentication is for Git; an OCI source takes https (registry username/password) or none with a provider`,
      });
  }
  if (source.ref.semver !== undefined && !isSemverConstraint(source.ref.semver))
    out.push({
      path: "source.ref.semver",
      message: `"${source.ref.semver}" is not a semver range Flux accepts: write e.g. ">=1.0.0 <2.0.0", "1.x", "~1.2" or "^1.2.3" (|| for alternatives)`,
    });
  if (source.kind === "git" && auth.type === "https" && url.startsWith("http://"))
    out.push({
      path: "source.url",
      message: `"${url}" is plain http: the credentials would cross the network in clear text; use https://`,
    });
  if (source.kind === "git" && auth.type === "ssh" && !url.startsWith("ssh://"))
    out.push({
      path: "auth.type",
      message: `SSH authentication needs an ssh:// URL, but the source URL is "${url}"`,
    });
  if (
    (auth.type === "https" || auth.type === "githubApp") &&
    source.kind === "git" &&
    !/^https?:\/\//.test(url)
  )
    out.push({
      path: "auth.type",
      message: `${auth.type} authentication needs an https:// URL, but the source URL is "${url}"`,
    });
  return out;
};

/** An ECR repository URL: `oci://<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`. */
const ECR_URL = /^oci:\/\/(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)$/;
/** ECR repository names: lowercase path components separated by `/`, each `[a-z0-9]` with `.`, `_`, `-` inside. */
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** A CodeCommit HTTPS clone URL: `https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`. */
const CODECOMMIT_URL =
  /^https:\/\/git-codecommit\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/v1\/repos\/([\w.-]{1,100})$/;

/** The AWS repository a `provider: aws` source URL names, or undefined when it names none. */
export type AwsSourceRepository =
  | { service: "ecr"; accountId: string; region: string; name: string }
  | { service: "codecommit"; region: string; name: string };

export function awsSourceRepository(kind: "git" | "oci", url: string): AwsSourceRepository | undefined {
  if (kind === "oci") {
    const m = ECR_URL.exec(url);
    return m && ECR_NAME.test(m[3]) && m[3].length >= 2 && m[3].length <= 256
      ? { service: "ecr", accountId: m[1], region: m[2], name: m[3] }
      : undefined;
  }
  const m = CODECOMMIT_URL.exec(url);
  return m ? { service: "codecommit", region: m[1], name: m[2] } : undefined;
}

/** Helm chart names (Chart.yaml `name`, as Helm's OCI references use them). */
const CHART_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `source.charts`: OCI roots only, an oci:// URL (ECR with provider aws), distinct chart names. */
const checkCharts: Check = (flux) => {
  const { source } = flux;
  const charts = source.charts;
  if (!charts) return [];
  const out: Problem[] = [];
  if (source.kind !== "oci")
    out.push({
      path: "source.charts",
      message:
        "is for an OCI root (kind oci): a Git root's HelmReleases take their charts from the repository itself; remove charts, or set source.kind oci",
    });
  const url = charts.url.replace(/\/+$/, "");
  if (!/^oci:\/\/[^/\s]+(\/[^\s:@]+)?$/.test(url))
    out.push({
      path: "source.charts.url",
      message: `"${charts.url}" is not an OCI location: write oci://<registry>/<path>, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts (no tag)`,
    });
  if (charts.names.length === 0)
    out.push({ path: "source.charts.names", message: "is empty: name the charts published there" });
  const seen = new Set<string>();
  charts.names.forEach((n, i) => {
    if (!CHART_NAME.test(n))
      out.push({
        path: `source.charts.names[${i}]`,
        message: `"${n}" is not a Helm chart name: lowercase letters, digits and dashes, e.g. network-function`,
      });
    else if (seen.has(n))
      out.push({
        path: `source.charts.names[${i}]`,
        message: `"${n}" is listed twice: list each chart once`,
      });
    seen.add(n);
  });
  if (source.provider === "aws" && source.kind === "oci") {
    // Chart names are checked above; the location is checked with a valid one.
    const chartRepo = awsSourceRepository("oci", `${url}/chart`);
    const root = awsSourceRepository("oci", source.url);
    if (!chartRepo)
      out.push({
        path: "source.charts.url",
        message: `with provider aws the charts are ECR repositories, but "${url}" is not an ECR location: write oci://<account>.dkr.ecr.<region>.amazonaws.com/<path> (lowercase)`,
      });
    else if (
      root?.service === "ecr" &&
      chartRepo.service === "ecr" &&
      (root.accountId !== chartRepo.accountId || root.region !== chartRepo.region)
    )
      out.push({
        path: "source.charts.url",
        message: `is in account ${chartRepo.accountId}, region ${chartRepo.region}, but the root (source.url) is in ${root.accountId}, ${root.region}: source-controller's role is granted on the platform's registry; publish the charts there`,
      });
  }
  return out;
};

/** `provider: aws`: an ECR or CodeCommit URL, pulled with the source controller's identity and no Secret. */
const checkAwsSource: Check = (flux) => {
  const { source, auth } = flux;
  if (source.provider !== "aws") return [];
  const out: Problem[] = [];
  if (!awsSourceRepository(source.kind, source.url))
    out.push({
      path: "source.url",
      message:
        source.kind === "oci"
          ? `"${source.url}" is not an ECR repository: with provider aws write oci://<account>.dkr.ecr.<region>.amazonaws.com/<repository>, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/fleet (lowercase)`
          : `"${source.url}" is not a CodeCommit repository: with provider aws write https://git-codecommit.<region>.amazonaws.com/v1/repos/<repository>`,
    });
  if (auth.type !== "none")
    out.push({
      path: "auth.type",
      message: `is ${auth.type}, but with source.provider aws the source controller authenticates with its AWS identity and no credentials Secret is created: set auth.type none (or remove auth)`,
    });
  return out;
};

/** age keys or AWS KMS, never both. */
const checkSops: Check = (flux) => {
  const sops = flux.sops;
  if (!sops) return [];
  if (sops.provider === "age") {
    const out: Problem[] = [];
    if ((sops.ageKey === undefined) === (sops.fromSecretsManager === undefined))
      out.push({
        path: "sops",
        message:
          "give ageKey (a secure value) or fromSecretsManager (a secret holding the age key), exactly one",
      });
    if (sops.kmsKeyArn !== undefined)
      out.push({
        path: "sops.kmsKeyArn",
        message: "is for provider awskms: set sops.provider: awskms, or remove kmsKeyArn to decrypt with age",
      });
    return out;
  }
  const out: Problem[] = [];
  if (sops.kmsExemption !== undefined)
    out.push({
      path: "sops.kmsExemption",
      message: "states why SOPS does not go through KMS, but sops.provider is awskms: remove it",
    });
  for (const k of ["ageKey", "fromSecretsManager"] as const)
    if (sops[k] !== undefined)
      out.push({
        path: `sops.${k}`,
        message:
          "is an age key, but sops.provider is awskms (no key is stored in the cluster): remove it, or set provider: age",
      });
  if (
    sops.kmsKeyArn !== undefined &&
    !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]+$/.test(sops.kmsKeyArn)
  )
    out.push({
      path: "sops.kmsKeyArn",
      message: `"${sops.kmsKeyArn}" is not a KMS key ARN: give arn:aws:kms:<region>:<account>:key/<key id> (not an alias: IAM scopes kms:Decrypt by key ARN)`,
    });
  return out;
};

/** The `[host]:port` or `host` a known_hosts line must name for an ssh:// URL. */
export function knownHostsName(url: string): string | undefined {
  const m = /^ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\//.exec(url);
  if (!m) return undefined;
  const host = m[1].replace(/^\[|\]$/g, "");
  return m[2] && m[2] !== "22" ? `[${host}]:${m[2]}` : host;
}

const checkAuth: Check = (flux) => {
  const { auth, source } = flux;
  const out: Problem[] = [];
  if (auth.type === "ssh") {
    const want = knownHostsName(source.url);
    const lines = auth.knownHosts
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    if (lines.length === 0)
      out.push({
        path: "auth.knownHosts",
        message: "is empty: add the output of `ssh-keyscan <git host>`",
      });
    const hashed = lines.some((l) => l.startsWith("|1|"));
    if (
      want &&
      lines.length > 0 &&
      !hashed &&
      !lines.some((l) => l.split(/\s+/)[0].split(",").includes(want))
    ) {
      const port = /^\[.*\]:(\d+)$/.exec(want)?.[1];
      const host = want.replace(/^\[|\]:\d+$/g, "");
      out.push({
        path: "auth.knownHosts",
        message: `has no entry for ${want}, the host of the source URL: run \`ssh-keyscan ${port ? `-p ${port} ` : ""}${host}\` and use its output`,
      });
    }
  }
  if (auth.type === "https") {
    if (auth.bearerToken && (auth.username || auth.password))
      out.push({
        path: "auth",
        message: "give username and password (or token as password), or bearerToken, not both",
      });
    if (auth.password && !auth.username)
      out.push({
        path: "auth.username",
        message: "is required with password (for a token, any non-empty username such as git works)",
      });
  }
  if (
    auth.type === "githubApp" &&
    (auth.installationId === undefined) === (auth.installationOwner === undefined)
  )
    out.push({ path: "auth", message: "give exactly one of installationId and installationOwner" });
  const ageKey = flux.sops?.provider === "age" ? flux.sops.ageKey : undefined;
  if (ageKey && ageKey.known && !/^AGE-SECRET-KEY-1[0-9A-Z]+\s*$/.test(ageKey.value))
    out.push({
      path: "sops.ageKey",
      message: "is not an age identity: it starts with AGE-SECRET-KEY-1 (generate one with `age-keygen`)",
    });
  return out;
};

const checkInstall: Check = (flux) => {
  const { install } = flux;
  const out: Problem[] = [];
  const all = [...install.components, ...install.extraComponents];
  const dup = all.filter((c, i) => all.indexOf(c) !== i);
  if (dup.length)
    out.push({
      path: "install.components",
      message: `lists ${[...new Set(dup)].join(", ")} more than once (counting extraComponents)`,
    });
  for (const c of install.extraComponents)
    if (!(EXTRA_COMPONENTS as readonly string[]).includes(c))
      out.push({
        path: "install.extraComponents",
        message: `${c} is a default component: list it in components, extras are ${EXTRA_COMPONENTS.join(", ")}`,
      });
  for (const c of install.components)
    if (!(DEFAULT_COMPONENTS as readonly string[]).includes(c))
      out.push({
        path: "install.components",
        message: `${c} is an extra component: list it in extraComponents`,
      });
  if (install.mode !== "none")
    for (const need of ["source-controller", "kustomize-controller"] as const)
      if (!install.components.includes(need))
        out.push({
          path: "install.components",
          message: `must include ${need}: the root sync needs it`,
        });
  if (install.manifests.url !== undefined && !install.manifests.url.startsWith("https://"))
    out.push({
      path: "install.manifests.url",
      message: `${install.manifests.url} must be an https:// URL: the install manifests run Flux with cluster-admin rights; for a local copy use install.manifests.file`,
    });
  if (install.lockdown && install.mode === "none")
    out.push({
      path: "install.lockdown",
      message:
        "cannot be applied with install.mode none (Flux is installed by someone else): set the controller flags where Flux is installed, or remove lockdown",
    });
  if (install.lockdown && install.mode === "operator" && install.operator.multitenant)
    out.push({
      path: "install.lockdown",
      message:
        "and install.operator.multitenant both lock the controllers down: give one, lockdown (the flags flux bootstrap users know, set by the program) or multitenant (the operator's own)",
    });
  if (install.lockdown && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(install.lockdown.defaultServiceAccount))
    out.push({
      path: "install.lockdown.defaultServiceAccount",
      message: `"${install.lockdown.defaultServiceAccount}" is not a service account name: lowercase letters, digits and '-', e.g. default`,
    });
  if (install.manifests.file && install.manifests.url)
    out.push({ path: "install.manifests", message: "give file (air-gapped) or url (mirror), not both" });
  return out;
};

const checkVars: Check = (flux) => {
  const out: Problem[] = [];
  const reserved = new Set<string>(CLUSTER_VAR_KEYS);
  for (const [section, map] of [
    ["vars", flux.vars],
    ["secretVars", flux.secretVars],
  ] as const) {
    for (const name of Object.keys(map)) {
      const path = `${section}.${name}`;
      if (!VARIABLE_NAME.test(name))
        out.push({
          path,
          message:
            "is not a valid Flux variable name: use letters, digits and '_', not starting with a digit (e.g. SLICE_REGION)",
        });
      else if (reserved.has(name))
        out.push({
          path,
          message: `${name} is set by the program (cluster-vars contract): choose another name`,
        });
    }
  }
  for (const name of Object.keys(flux.secretVars))
    if (name in flux.vars)
      out.push({
        path: `secretVars.${name}`,
        message: "is also in vars: a variable lives in one place",
      });
  return out;
};

const checkExtraSecrets: Check = (flux) => {
  const out: Problem[] = [];
  const seen = new Set<string>();
  flux.extraSecrets.forEach((s, i) => {
    const id = `${s.namespace}/${s.name}`;
    if (seen.has(id)) out.push({ path: `extraSecrets.${i}`, message: `${id} is listed twice` });
    seen.add(id);
    if (s.namespace === FLUX_NAMESPACE && RESERVED_FLUX_SYSTEM_NAMES.includes(s.name))
      out.push({
        path: `extraSecrets.${i}.name`,
        message: `flux-system/${s.name} is created by the program: choose another name`,
      });
    if (Object.keys(s.data).length === 0)
      out.push({ path: `extraSecrets.${i}.data`, message: "is empty: give at least one key" });
  });
  const pull = flux.install.imagePullSecret;
  if (pull && RESERVED_FLUX_SYSTEM_NAMES.includes(pull.name))
    out.push({
      path: "install.imagePullSecret.name",
      message: `${pull.name} is created by the program for another purpose: choose another name`,
    });
  return out;
};

/** `auth.fromSecretsManager` replaces the configured credential: never both. */
const checkSecretsManager: Check = (flux) => {
  const auth = flux.auth;
  if ((auth.type !== "ssh" && auth.type !== "https") || !auth.fromSecretsManager) return [];
  const out: Problem[] = [];
  const given =
    auth.type === "ssh"
      ? { privateKey: auth.privateKey }
      : { password: auth.password, bearerToken: auth.bearerToken };
  for (const [k, v] of Object.entries(given))
    if (v !== undefined)
      out.push({
        path: `auth.${k}`,
        message: "is also read from Secrets Manager (fromSecretsManager): give one of them",
      });
  if (auth.type === "https" && !auth.username)
    out.push({
      path: "auth.username",
      message:
        "is required with fromSecretsManager, which supplies the password (for a token, any non-empty username such as git works)",
    });
  return out;
};

/** Exactly-one and all-or-none rules between sibling fields. */
const checkChoices: Check = (flux) => {
  const out: Problem[] = [];
  if (Object.values(flux.source.ref).filter((v) => v !== undefined).length !== 1)
    out.push({
      path: "source.ref",
      message: "give exactly one of tag, semver, branch, commit, name (Git) or tag, semver, digest (OCI)",
    });
  const pull = flux.install.imagePullSecret;
  const given = pull ? [pull.server, pull.username, pull.password].filter((x) => x !== undefined).length : 0;
  if (given !== 0 && given !== 3)
    out.push({
      path: "install.imagePullSecret",
      message:
        "server, username and password go together: give all three to have the Secret created, or none to reference an existing Secret",
    });
  return out;
};

const CHECKS: Check[] = [
  checkChoices,
  checkSource,
  checkAwsSource,
  checkCharts,
  checkSops,
  checkAuth,
  checkInstall,
  checkVars,
  checkExtraSecrets,
  checkSecretsManager,
];

/** Every problem with the Flux settings. */
export const fluxProblems = (flux: ResolvedFluxArgs): Problem[] => CHECKS.flatMap((check) => check(flux));
