import type { PlatformConfig } from "./config";
import {
  CLUSTER_VAR_KEYS,
  CLUSTER_SECRET_VARS_SECRET,
  CLUSTER_VARS_CONFIGMAP,
} from "../components/flux/clusterVars";
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS } from "./schema/flux";
import { VARIABLE_NAME } from "./schema/common";
import { checkBaremetalCluster } from "./substrates/baremetal";
import { checkEks } from "./schema/eks";
import { checkAwsCredentialSecrets, checkDns, checkFluxSecretsManager } from "./schema/aws";

/** One thing wrong with the configuration: where (dotted config path) and what to do. */
export interface ConfigProblem {
  path: string;
  message: string;
}

type Check = (config: PlatformConfig) => ConfigProblem[];

/** Secrets in flux-system that the program itself creates; extra secrets may not take these names. */
const RESERVED_FLUX_SYSTEM_NAMES = [
  "flux-system",
  "sops-age",
  CLUSTER_SECRET_VARS_SECRET,
  CLUSTER_VARS_CONFIGMAP,
];

const checkExistingCluster: Check = ({ cluster }) => {
  if (cluster.kind !== "existing") return [];
  const given = [cluster.kubeconfig, cluster.kubeconfigPath].filter((v) => v !== undefined).length;
  if (given === 1) return [];
  return [
    {
      path: "cluster",
      message:
        given === 0
          ? "an existing cluster needs kubeconfig (secret contents) or kubeconfigPath (a file, e.g. ~/.kube/config, with optional context)"
          : "give kubeconfig or kubeconfigPath, not both",
    },
  ];
};

const checkSource: Check = ({ flux }) => {
  const { source, auth } = flux;
  const out: ConfigProblem[] = [];
  const url = source.url;
  const scp = /^([^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(url);
  if (source.kind === "git") {
    if (scp && !/^[a-z]+:\/\//.test(url)) {
      out.push({
        path: "flux.source.url",
        message: `"${url}" is the scp-like form, which Flux does not accept: write ssh://${scp[1] ?? "git@"}${scp[2]}/${scp[3]}`,
      });
    } else if (!/^(ssh|https?):\/\//.test(url)) {
      out.push({ path: "flux.source.url", message: `"${url}" must start with ssh://, https:// or http://` });
    }
    for (const k of ["digest"] as const)
      if (source.ref[k] !== undefined)
        out.push({
          path: `flux.source.ref.${k}`,
          message: "is for OCI sources; a Git source takes tag, semver, branch, commit or name",
        });
    if (source.verify?.provider)
      out.push({
        path: "flux.source.verify.provider",
        message: "is for OCI sources; Git verification takes mode and publicKeys",
      });
    for (const name of Object.keys(source.verify?.publicKeys ?? {}))
      if (!/\.(asc|sshpub)$/.test(name))
        out.push({
          path: `flux.source.verify.publicKeys.${name}`,
          message: "key names must end in .asc (PGP) or .sshpub (SSH)",
        });
  } else {
    if (!url.startsWith("oci://"))
      out.push({ path: "flux.source.url", message: `"${url}" must start with oci:// for an OCI source` });
    for (const k of ["branch", "commit", "name"] as const)
      if (source.ref[k] !== undefined)
        out.push({
          path: `flux.source.ref.${k}`,
          message: "is for Git sources; an OCI source takes tag, semver or digest",
        });
    if (source.verify?.mode)
      out.push({
        path: "flux.source.verify.mode",
        message: "is for Git sources; OCI verification takes provider (cosign or notation)",
      });
    if (auth.type !== "none" && auth.type !== "https")
      out.push({
        path: "flux.auth.type",
        message: `${auth.type} authentication is for Git; an OCI source takes https (registry username/password) or none with a provider`,
      });
  }
  if (source.kind === "git" && auth.type === "ssh" && !url.startsWith("ssh://"))
    out.push({
      path: "flux.auth.type",
      message: `SSH authentication needs an ssh:// URL, but flux.source.url is "${url}"`,
    });
  if (
    (auth.type === "https" || auth.type === "githubApp") &&
    source.kind === "git" &&
    !/^https?:\/\//.test(url)
  )
    out.push({
      path: "flux.auth.type",
      message: `${auth.type} authentication needs an https:// URL, but flux.source.url is "${url}"`,
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

const checkAuth: Check = ({ flux }) => {
  const { auth, source } = flux;
  const out: ConfigProblem[] = [];
  if (auth.type === "ssh") {
    const want = knownHostsName(source.url);
    const lines = auth.knownHosts
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    if (lines.length === 0)
      out.push({
        path: "flux.auth.knownHosts",
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
        path: "flux.auth.knownHosts",
        message: `has no entry for ${want}, the host of flux.source.url: run \`ssh-keyscan ${port ? `-p ${port} ` : ""}${host}\` and use its output`,
      });
    }
  }
  if (auth.type === "https") {
    if (auth.bearerToken && (auth.username || auth.password))
      out.push({
        path: "flux.auth",
        message: "give username and password (or token as password), or bearerToken, not both",
      });
    if (auth.password && !auth.username)
      out.push({
        path: "flux.auth.username",
        message: "is required with password (for a token, any non-empty username such as git works)",
      });
  }
  if (
    auth.type === "githubApp" &&
    (auth.installationId === undefined) === (auth.installationOwner === undefined)
  )
    out.push({ path: "flux.auth", message: "give exactly one of installationId and installationOwner" });
  const ageKey = flux.sops?.ageKey;
  if (ageKey && ageKey.known && !/^AGE-SECRET-KEY-1[0-9A-Z]+\s*$/.test(ageKey.value))
    out.push({
      path: "flux.sops.ageKey",
      message: "is not an age identity: it starts with AGE-SECRET-KEY-1 (generate one with `age-keygen`)",
    });
  return out;
};

const checkInstall: Check = ({ flux }) => {
  const { install } = flux;
  const out: ConfigProblem[] = [];
  const all = [...install.components, ...install.extraComponents];
  const dup = all.filter((c, i) => all.indexOf(c) !== i);
  if (dup.length)
    out.push({
      path: "flux.install.components",
      message: `lists ${[...new Set(dup)].join(", ")} more than once (counting extraComponents)`,
    });
  for (const c of install.extraComponents)
    if (!(EXTRA_COMPONENTS as readonly string[]).includes(c))
      out.push({
        path: "flux.install.extraComponents",
        message: `${c} is a default component: list it in components, extras are ${EXTRA_COMPONENTS.join(", ")}`,
      });
  for (const c of install.components)
    if (!(DEFAULT_COMPONENTS as readonly string[]).includes(c))
      out.push({
        path: "flux.install.components",
        message: `${c} is an extra component: list it in extraComponents`,
      });
  if (install.mode !== "none")
    for (const need of ["source-controller", "kustomize-controller"] as const)
      if (!install.components.includes(need))
        out.push({
          path: "flux.install.components",
          message: `must include ${need}: the root sync needs it`,
        });
  if (install.manifests.file && install.manifests.url)
    out.push({ path: "flux.install.manifests", message: "give file (air-gapped) or url (mirror), not both" });
  return out;
};

const checkVars: Check = ({ flux }) => {
  const out: ConfigProblem[] = [];
  const reserved = new Set<string>(CLUSTER_VAR_KEYS);
  for (const [section, map] of [
    ["vars", flux.vars],
    ["secretVars", flux.secretVars],
  ] as const) {
    for (const name of Object.keys(map)) {
      const path = `flux.${section}.${name}`;
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
        path: `flux.secretVars.${name}`,
        message: "is also in flux.vars: a variable lives in one place",
      });
  return out;
};

const checkExtraSecrets: Check = ({ flux }) => {
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  flux.extraSecrets.forEach((s, i) => {
    const id = `${s.namespace}/${s.name}`;
    if (seen.has(id)) out.push({ path: `flux.extraSecrets.${i}`, message: `${id} is listed twice` });
    seen.add(id);
    if (s.namespace === "flux-system" && RESERVED_FLUX_SYSTEM_NAMES.includes(s.name))
      out.push({
        path: `flux.extraSecrets.${i}.name`,
        message: `flux-system/${s.name} is created by the program: choose another name`,
      });
    if (Object.keys(s.data).length === 0)
      out.push({ path: `flux.extraSecrets.${i}.data`, message: "is empty: give at least one key" });
  });
  const pull = flux.install.imagePullSecret;
  if (pull && RESERVED_FLUX_SYSTEM_NAMES.includes(pull.name))
    out.push({
      path: "flux.install.imagePullSecret.name",
      message: `${pull.name} is created by the program for another purpose: choose another name`,
    });
  return out;
};

/** Every cross-field rule; substrate modules (EKS, bare metal, AWS) add their section's checks here. */
const CHECKS: Check[] = [
  checkExistingCluster,
  checkSource,
  checkAuth,
  checkInstall,
  checkVars,
  checkExtraSecrets,
  checkBaremetalCluster,
  checkEks,
  checkDns,
  checkFluxSecretsManager,
  checkAwsCredentialSecrets,
];

export function crossCheck(config: PlatformConfig): ConfigProblem[] {
  return CHECKS.flatMap((check) => check(config));
}
