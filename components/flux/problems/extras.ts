/**
 * What the platform adds beside Flux's own settings: variables, extra secrets, and credentials read
 * from Secrets Manager.
 */
import type { Problem } from "../../problems";
import { VARIABLE_NAME } from "../args";
import { CLUSTER_SECRET_VARS_SECRET, CLUSTER_VAR_KEYS, CLUSTER_VARS_CONFIGMAP } from "../clusterVars";
import { FLUX_NAMESPACE, GIT_AUTH_SECRET, RECEIVER_SECRET, SOPS_SECRET } from "../objects";
import type { Check } from "./check";

/** Secrets in flux-system that the program itself creates; extra secrets may not take these names. */
const RESERVED_FLUX_SYSTEM_NAMES = [
  GIT_AUTH_SECRET,
  SOPS_SECRET,
  RECEIVER_SECRET,
  CLUSTER_SECRET_VARS_SECRET,
  CLUSTER_VARS_CONFIGMAP,
];

export const checkVars: Check = (flux) => {
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

export const checkExtraSecrets: Check = (flux) => {
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
export const checkSecretsManager: Check = (flux) => {
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

/** The shortest receiver token: 32 characters (`openssl rand -hex 32` makes 64). */
export const RECEIVER_TOKEN_MIN = 32;

/**
 * `receiver.token`: whoever holds it can make Flux pull, and its hash is the webhook's path, so it
 * must not be guessable; the Git host sends it as it is, so a line break (a file read with its
 * newline) would make every push hook fail.
 */
export const checkReceiver: Check = (flux) => {
  const token = flux.receiver?.token;
  if (!token?.known) return [];
  const fix = "generate one with `openssl rand -hex 32` and give the same value to the Git host's webhook";
  if (/\s/.test(token.value))
    return [
      {
        path: "receiver.token",
        message: `contains white space (a line break from a file?), which the Git host would not send: ${fix}`,
      },
    ];
  if (token.value.length < RECEIVER_TOKEN_MIN)
    return [
      {
        path: "receiver.token",
        message: `is ${token.value.length} characters, fewer than ${RECEIVER_TOKEN_MIN}: anyone who guesses it can make Flux pull; ${fix}`,
      },
    ];
  return [];
};
