/**
 * One URL check for every field and command that takes a URL: no credential in the URL (a URL is
 * printed, logged, stored in state and in Flux objects), only the schemes the receiver takes, and no
 * plain http:// where what is fetched is run or trusted. Imports only the leaf k8sNames.ts.
 */
import { hasAsciiControl } from "./k8sNames";

export interface UrlRules {
  /** Schemes accepted, without `://`, e.g. ["https", "ssh"]. */
  schemes: readonly string[];
  /** Where the credential belongs instead, for the message, e.g. "flux.auth (a Secret)". */
  credentialsIn: string;
  /**
   * http:// is accepted (when listed in `schemes`) only for loopback hosts: what is fetched is run
   * or trusted, so it must come over TLS. @default true
   */
  tlsRequired?: boolean;
  /** A second way out of the TLS rule, appended to its message, e.g. "or set install.insecure: true". */
  tlsFix?: string;
}

/** `git@host:path`, the scp-like form Git and Flux take for SSH. */
const SCP_LIKE = /^(?![a-z][a-z0-9+.-]*:\/\/)([^@/\s]+)@([A-Za-z0-9.-]+):(.+)$/i;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Query parameters that carry a credential (a token or a presigned signature). */
const SECRET_QUERY =
  /^(access[-_]?token|private[-_]?token|token|api[-_]?key|apikey|key|secret|password|passwd|pwd|auth|sig|signature|x-amz-signature|x-amz-credential|x-goog-signature|x-goog-credential)$/i;

// Schemes are read letter by letter: an https://, an ssh://, an oci:// URL.
const article = (s: string) => (/^([aeiou]|https?$|ssh$|s?ftp$)/i.test(s) ? "an" : "a");
const schemeList = (schemes: readonly string[]) =>
  `${article(schemes[0] ?? "")} ${schemes.map((s) => `${s}://`).join(" or ")} URL`;

/** Problems with `value` as a URL under `rules` (messages without the config path), [] if none. */
export function urlProblems(value: string, rules: UrlRules): string[] {
  if (/\s/.test(value) || hasAsciiControl(value)) return ["must not contain spaces or control characters"];
  const scp = SCP_LIKE.exec(value);
  if (scp) {
    if (!rules.schemes.includes("ssh")) return [`must be ${schemeList(rules.schemes)}`];
    return scp[1].includes(":") ? [credentialMessage(rules)] : [];
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`must be a URL such as ${rules.schemes[0]}://host/path`];
  }
  const scheme = url.protocol.replace(/:$/, "");
  const problems: string[] = [];
  if (!rules.schemes.includes(scheme))
    problems.push(`must be ${schemeList(rules.schemes)}, not ${scheme}://`);
  // ssh://git@host is the normal form (a user name is no secret); a password never is.
  const inQuery = [...url.searchParams.keys()].some((k) => SECRET_QUERY.test(k));
  if (url.password || (url.username && scheme !== "ssh") || inQuery) problems.push(credentialMessage(rules));
  if (scheme === "http" && (rules.tlsRequired ?? true) && !LOOPBACK.test(url.hostname))
    problems.push(
      `must use https://: what is fetched from it is run or trusted, so it must come over TLS${rules.tlsFix ? `; ${rules.tlsFix}` : ""}`,
    );
  if (!url.hostname && scheme !== "file") problems.push("must name a host");
  return problems;
}

/** How every credential-in-a-URL message starts. */
export const CREDENTIAL_MESSAGE = "must not carry credentials";

function credentialMessage(rules: UrlRules): string {
  return `${CREDENTIAL_MESSAGE} (user:password@, a token before @ or in the query): they would be printed, logged and stored in state; put them in ${rules.credentialsIn}`;
}

/**
 * Problems with a container registry given as `host[:port][/path]` (images are pulled from it and
 * run), or, with `url`, also as an https:// URL (a Docker config `server`): no credential, and TLS
 * unless loopback.
 */
export function registryProblems(
  value: string,
  credentialsIn: string,
  options: { url?: boolean } = {},
): string[] {
  const rules = { schemes: ["https", "http"], credentialsIn };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    if (options.url) return urlProblems(value, rules);
    const problems = urlProblems(value, { ...rules, schemes: [] }).filter((m) =>
      m.startsWith(CREDENTIAL_MESSAGE),
    );
    return ["must be a registry host and path such as ghcr.io/fluxcd, without a scheme", ...problems];
  }
  if (/^[^/\s]*@/.test(value)) return [credentialMessage(rules)];
  return urlProblems(`https://${value}`, rules).map((m) =>
    m.startsWith("must be a URL") ? "must be a registry host and path such as ghcr.io/fluxcd" : m,
  );
}

/**
 * `value` with any credential replaced by `***`: the userinfo of a URL or of the scp-like form, and
 * the values of credential query parameters. For messages that must name a URL.
 */
export function redactUrl(value: string): string {
  return (
    value
      // ssh://git@host keeps its user name (no secret), as urlProblems accepts it.
      .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (m: string, scheme: string, info: string) =>
        /^ssh:\/\/$/i.test(scheme) && !info.includes(":") ? m : `${scheme}***@`,
      )
      .replace(/^[^@/\s:]+:[^@/\s]*@(?=[A-Za-z0-9.-]+:)/, "***@")
      .replace(/([?&])([^=&#]+)=([^&#]*)/g, (m: string, sep: string, k: string) =>
        SECRET_QUERY.test(safeDecode(k)) ? `${sep}${k}=***` : m,
      )
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
