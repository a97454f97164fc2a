/** IPv4 CIDR arithmetic for VPC and subnet planning. Pure functions. */
import { parseIpCidr } from "../../k8sNames";

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  /** Prefix length, 0–32. */
  bits: number;
}

/** Parse `a.b.c.d/n` (the shared rule, ../../k8sNames); undefined unless an IPv4 CIDR with its host bits zero. */
export function parseCidr(text: string): Cidr | undefined {
  const r = parseIpCidr(text);
  return "cidr" in r && r.cidr.family === 4 ? { base: Number(r.cidr.base), bits: r.cidr.bits } : undefined;
}

export function formatCidr(c: Cidr): string {
  const o = [24, 16, 8, 0].map((s) => Math.floor(c.base / 2 ** s) % 256);
  return `${o.join(".")}/${c.bits}`;
}

const size = (c: Cidr) => 2 ** (32 - c.bits);

/** Whether two CIDRs share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.bits >= outer.bits &&
    inner.base >= outer.base &&
    inner.base + size(inner) <= outer.base + size(outer)
  );
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`. Throws when the subnet does not fit. */
export function cidrSubnet(prefix: string, newBits: number, netNum: number): string {
  const p = parseCidr(prefix);
  if (!p) throw new Error(`"${prefix}" is not an IPv4 CIDR`);
  const bits = p.bits + newBits;
  if (bits > 32 || netNum < 0 || netNum >= 2 ** newBits)
    throw new Error(`${prefix} has no subnet number ${netNum} of /${bits}`);
  return formatCidr({ base: p.base + netNum * 2 ** (32 - bits), bits });
}
