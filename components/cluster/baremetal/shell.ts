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

/**
 * A `verify_sha256 FILE EXPECTED SOURCE PIN` shell function: exits 1 unless FILE's sha256 is
 * EXPECTED, naming where the file came from, both digests and the setting that pins it.
 */
export const verifyFn = [
  "verify_sha256() {",
  '  actual="$(sha256sum "$1" | cut -d\' \' -f1)"',
  '  if [ "$actual" != "$2" ]; then',
  '    echo "refusing to run $3 as root: its sha256 is $actual, expected $2 ($4); check the file at its source, then correct it or the pin" >&2',
  "    exit 1",
  "  fi",
  '  echo "sha256 of $3 matches $4"',
  "}",
].join("\n");
