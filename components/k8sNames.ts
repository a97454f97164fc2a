/**
 * The shapes other systems enforce on values we hand them, written once: Kubernetes names, label keys
 * and values, taints and DNS names (apimachinery's validation), CIDRs of both IP families, Git refs
 * (`git check-ref-format`) and semver ranges that can match a release. Each function returns the
 * problem as a message without the config path (undefined or [] when the value is fine). A leaf:
 * imports nothing of ours.
 */
import * as semver from "semver";

/** A DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric (length apart). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: labels joined by dots (lengths apart). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL_MESSAGE =
  "must be a lowercase DNS label (letters, digits, '-', starting and ending alphanumeric), as namespace names are";
export const DNS_SUBDOMAIN_MESSAGE =
  "must be a lowercase DNS name (letters, digits, '-', '.'), as Kubernetes names are";
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Whether `v` holds an ASCII control character (below space, or DEL). */
export const hasAsciiControl = (v: string) =>
  [...v].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);

/** `"value"` for a message, newlines and other control characters escaped, long values cut. */
export const quoted = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);

/** A DNS-1123 label (a namespace, a Service, an EKS node group): 1 to 63 of a-z, 0-9, '-'. */
export function dnsLabelProblem(v: string): string | undefined {
  if (v.length > 63) return `must be at most 63 characters (a DNS label), not ${v.length}`;
  if (!DNS_LABEL.test(v)) return DNS_LABEL_MESSAGE;
  return undefined;
}

/** The part of a subdomain longer than a label may be, as a message; undefined when every part fits. */
export function longLabelProblem(v: string): string | undefined {
  const long = v.split(".").find((l) => l.length > 63);
  return (
    long && `has a part of ${long.length} characters: each part between dots is a DNS label of at most 63`
  );
}

/** A DNS-1123 subdomain (most object names): at most 253 characters, dot-separated labels of at most 63. */
export function dnsSubdomainProblem(v: string): string | undefined {
  if (v.length > 253) return `must be at most 253 characters, not ${v.length}`;
  if (!DNS_SUBDOMAIN.test(v)) return DNS_SUBDOMAIN_MESSAGE;
  return longLabelProblem(v);
}

/** A DNS domain such as a cluster domain or a zone: like a subdomain, upper case refused, no trailing dot. */
export function dnsNameProblem(v: string): string | undefined {
  if (hasAsciiControl(v) || /\s/.test(v)) return "must not contain spaces, newlines or control characters";
  return dnsSubdomainProblem(v.endsWith(".") ? v.slice(0, -1) : v);
}

/** A label (or annotation, taint) key: `[prefix/]name`, the name at most 63, the prefix a DNS subdomain. */
export function labelKeyProblem(k: string): string | undefined {
  const slash = k.indexOf("/");
  const [prefix, name] = slash === -1 ? [undefined, k] : [k.slice(0, slash), k.slice(slash + 1)];
  if (name.length > 63 || !QUALIFIED_NAME.test(name) || (prefix !== undefined && dnsSubdomainProblem(prefix)))
    return "is not a valid label key: [prefix/]name, the name up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric, the prefix a DNS name";
  return undefined;
}

/** A label value (or taint value): empty, or at most 63 letters, digits, '-', '_', '.' starting and ending alphanumeric. */
export function labelValueProblem(v: string): string | undefined {
  if (v === "" || (v.length <= 63 && QUALIFIED_NAME.test(v))) return undefined;
  return `${quoted(v)} is not a valid label value: up to 63 letters, digits, '-', '_', '.', starting and ending alphanumeric (no spaces or newlines)`;
}

export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** A taint as Kubernetes validates it: its key a label key, its value a label value. Field → message. */
export function taintProblems(t: {
  key: string;
  value?: string;
}): { field: "key" | "value"; message: string }[] {
  const out: { field: "key" | "value"; message: string }[] = [];
  const key = labelKeyProblem(t.key);
  if (key)
    out.push({
      field: "key",
      message: `${quoted(t.key)} ${key.replace(/^is not a valid label key/, "is not a valid taint key")}, e.g. node-role.kubernetes.io/control-plane`,
    });
  const value = t.value === undefined ? undefined : labelValueProblem(t.value);
  if (value) out.push({ field: "value", message: value.replace("label value", "taint value") });
  return out;
}

// ------------------------------------------------------------------------------------------ CIDRs

/** A parsed CIDR of either family: the network address as a number and the prefix length. */
export interface IpCidr {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

function parseIpv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return octets.reduce((a, o) => a * 256n + BigInt(o), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) return undefined;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (![...h, ...t].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...h, ...Array<string>(missing).fill("0"), ...t].reduce(
    (a, g) => a * 65536n + BigInt(parseInt(g, 16)),
    0n,
  );
}

/** An address of either family, or undefined. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

const width = (family: 4 | 6) => (family === 4 ? 32 : 128);

function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  const g = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run (of two or more) of zero groups becomes "::".
  let best = [-1, 0];
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((n) => n.toString(16));
  if (best[0] === -1) return hex.join(":");
  return `${hex.slice(0, best[0]).join(":")}::${hex.slice(best[0] + best[1]).join(":")}`;
}

/** `a.b.c.d/n` or an IPv6 `x::/n`, with its host bits zero: the CIDR, or the problem. */
export function parseIpCidr(text: string): { cidr: IpCidr } | { problem: string } {
  const slash = text.lastIndexOf("/");
  const ip = slash === -1 ? undefined : parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  const bits = Number(bitsText);
  if (!ip || !/^\d{1,3}$/.test(bitsText) || bits > width(ip.family))
    return {
      problem: `${quoted(text)} is not a valid CIDR: write a network such as 10.42.0.0/16 (octets up to 255, prefix up to /32) or fd00:10:42::/56 (prefix up to /128)`,
    };
  const host = (1n << BigInt(width(ip.family) - bits)) - 1n;
  if ((ip.value & host) !== 0n)
    return {
      problem: `${text} has host bits set: write the network itself, ${formatIp(ip.family, ip.value & ~host)}/${bits}`,
    };
  return { cidr: { family: ip.family, base: ip.value, bits } };
}

const last = (c: IpCidr) => c.base + (1n << BigInt(width(c.family) - c.bits)) - 1n;

/** Whether two CIDRs share an address (never across families). */
export function ipCidrsOverlap(a: IpCidr, b: IpCidr): boolean {
  return a.family === b.family && a.base <= last(b) && b.base <= last(a);
}

/** Whether the address `ip` (text) lies in `cidr`. */
export function ipInCidr(ip: string, cidr: IpCidr): boolean {
  const p = parseIp(ip);
  return p !== undefined && p.family === cidr.family && p.value >= cidr.base && p.value <= last(cidr);
}

// ------------------------------------------------------------------------------------------ Git refs

/**
 * A branch or tag name as `git check-ref-format --branch` takes it (and a full ref, `refs/…`, by the
 * same rules): no space or control character, none of `~^:?*[\`, no `..`, no `@{`, not `@`, no
 * leading `-` or `/`, no part starting with `.` or ending with `.lock`, no `//`, no trailing `/` or `.`.
 */
export function gitRefProblem(ref: string): string | undefined {
  const why =
    ref === ""
      ? "is empty"
      : /\s/.test(ref) || hasAsciiControl(ref)
        ? "contains a space, newline or control character"
        : /[~^:?*[\\]/.test(ref)
          ? "contains one of ~ ^ : ? * [ \\"
          : ref.includes("..")
            ? 'contains ".."'
            : ref.includes("@{") || ref === "@"
              ? 'contains "@{" or is "@"'
              : ref.startsWith("-")
                ? 'starts with "-"'
                : ref.startsWith("/") || ref.endsWith("/") || ref.includes("//")
                  ? 'starts or ends with "/" or contains "//"'
                  : ref.endsWith(".")
                    ? 'ends with "."'
                    : ref.split("/").some((p) => p.startsWith(".") || p.endsWith(".lock"))
                      ? 'has a part starting with "." or ending with ".lock"'
                      : undefined;
  return why && `${quoted(ref)} is not a ref Git accepts (git check-ref-format): it ${why}`;
}

// ------------------------------------------------------------------------------------------ semver

/**
 * A semver range (Masterminds syntax, as Flux reads it; its syntax is checked where Flux's rule
 * lives) that no release can satisfy, such as `>2.0.0 <1.0.0`: the problem, else undefined. Ranges
 * the `semver` package cannot read (`!=`) are left to the syntax check.
 */
export function semverRangeMatchesNothing(range: string): string | undefined {
  const npm = range
    .replace(/\s*,\s*/g, " ")
    .replace(/~>/g, "~")
    .replace(/=</g, "<=");
  if (npm.includes("!=") || semver.validRange(npm) === null) return undefined;
  return semver.minVersion(npm) === null
    ? `${quoted(range)} matches no version at all (its bounds exclude each other): Flux would never find a tag; write e.g. ">=1.0.0 <2.0.0"`
    : undefined;
}
