/**
 * The root source's credentials: known hosts of an SSH source, HTTPS and GitHub App fields. checkAuth
 * also checks the form of `sops.ageKey` (kept here: moving it would change the order of the problems).
 */
import type { Problem } from "../../problems";
import type { Check } from "./check";

/** The `[host]:port` or `host` a known_hosts line must name for an ssh:// URL. */
export function knownHostsName(url: string): string | undefined {
  const m = /^ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\//.exec(url);
  if (!m) return undefined;
  const host = m[1].replace(/^\[|\]$/g, "");
  return m[2] && m[2] !== "22" ? `[${host}]:${m[2]}` : host;
}

export const checkAuth: Check = (flux) => {
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
  if (auth.type === "githubApp" && flux.source.kind === "oci")
    out.push({
      path: "auth.type",
      message:
        "githubApp authenticates a Git source on GitHub, but flux.source.kind is oci: use kind git with the repository's https:// URL, or the registry's own auth",
    });
  else if (
    auth.type === "githubApp" &&
    flux.source.provider !== undefined &&
    !["generic", "github"].includes(flux.source.provider)
  )
    out.push({
      path: "source.provider",
      message: `is ${flux.source.provider}, but auth.type githubApp needs provider github (source-controller reads the App's Secret only then): remove source.provider`,
    });
  if (auth.type === "ssh" && auth.deployKey && (auth.privateKey || auth.fromSecretsManager))
    out.push({
      path: "auth.deployKey",
      message: `rotates the generated deploy key, but the key is ${auth.privateKey ? "auth.privateKey" : "read from Secrets Manager"}: rotate it by changing that value (Flux uses the new key at the next pull), or remove ${auth.privateKey ? "privateKey" : "fromSecretsManager"} to have a key generated`,
    });
  const ageKey = flux.sops?.provider === "age" ? flux.sops.ageKey : undefined;
  // An age identity file, as age-keygen writes it: `#` comments, blank lines, one key a line.
  const identities = (v: string) =>
    v
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
  const isAgeIdentity = (v: string) =>
    identities(v).length > 0 && identities(v).every((l) => /^AGE-SECRET-KEY-1[0-9A-Z]+$/.test(l));
  if (ageKey && ageKey.known && !isAgeIdentity(ageKey.value))
    out.push({
      path: "sops.ageKey",
      message: "is not an age identity: it starts with AGE-SECRET-KEY-1 (generate one with `age-keygen`)",
    });
  if (flux.sops?.provider === "age")
    (flux.sops.previousAgeKeys ?? []).forEach((key, i) => {
      if (!key.known) return;
      if (!isAgeIdentity(key.value))
        out.push({
          path: `sops.previousAgeKeys.${i}`,
          message: "is not an age identity: it starts with AGE-SECRET-KEY-1 (the key being rotated out)",
        });
      else if (ageKey?.known && identities(key.value).some((l) => identities(ageKey.value).includes(l)))
        out.push({
          path: `sops.previousAgeKeys.${i}`,
          message: "is the current ageKey: list only the keys being rotated out",
        });
    });
  return out;
};
