/** Shell helpers shared by the scripts: quoting, the strict-mode header, running as root. */
import type { ResolvedCluster } from "./resolve";

/** Single-quote a value for POSIX shells. */
export const shq = (s: string | number) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Every script starts with it. */
export const HEAD = "set -euo pipefail";

/**
 * The command text for a script: as is for root, through `sudo -n` (no password prompt) for any
 * other user. stdin reaches the script either way.
 */
export function asRoot(body: string, user: string): string {
  return user === "root" ? body : `${HEAD}\nexec sudo -n -- bash -c ${shq(body)}`;
}

/** PATH with the distribution's binaries. */
export const pathLine = (c: ResolvedCluster) => `export PATH="$PATH:/usr/local/bin:${c.facts.dataDir}/bin"`;

/** A `kubectl` shell function running the distribution's kubectl as root on a server. */
export const kubectlFn = (c: ResolvedCluster) => `kubectl() { ${c.facts.kubectl}; }`;
