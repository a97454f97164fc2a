/**
 * One URL check for every field and command that takes a URL: no credential in the URL (a URL is
 * printed, logged, stored in state and in Flux objects), only the schemes the receiver takes, and no
 * plain http:// where what is fetched is run or trusted. A leaf: imports nothing of ours.
 */

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
}

/** `git@host:path`, the scp-like form Git and Flux take for SSH. */
const SCP_LIKE = /^(?![a-z][a-z0-9+.-]*:\/\/)([^@/\s]+)@([A-Za-z0-9.-]+):(.+)$/i;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Problems with `value` as a URL under `rules` (messages without the config path), [] if none. */
export function urlProblems(value: string, rules: UrlRules): string[] {
  // Control characters are what this looks for: a newline in a URL would start a new line of a log or a file.
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(value)) return ["must not contain spaces or control characters"];
  const scp = SCP_LIKE.exec(value);
  if (scp) {
    if (!rules.schemes.includes("ssh"))
      return [`must be a ${rules.schemes.map((s) => `${s}://`).join(" or ")} URL`];
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
    problems.push(`must be a ${rules.schemes.map((s) => `${s}://`).join(" or ")} URL, not ${scheme}://`);
  // ssh://git@host is the normal form (a user name is no secret); a password never is.
  if (url.password || (url.username && scheme !== "ssh")) problems.push(credentialMessage(rules));
  if (scheme === "http" && (rules.tlsRequired ?? true) && !LOOPBACK.test(url.hostname))
    problems.push("must use https://: what is fetched from it is run or trusted, so it must come over TLS");
  if (!url.hostname && scheme !== "file") problems.push("must name a host");
  return problems;
}

function credentialMessage(rules: UrlRules): string {
  return `must not carry credentials (user:password@ or a token before @): they would be printed, logged and stored in state; put them in ${rules.credentialsIn}`;
}

/** `value` with any userinfo replaced by `***`, for messages that must name a URL. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}
