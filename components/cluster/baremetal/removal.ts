/**
 * Removal: the scripts that run when a node leaves the cluster (drain on the first server, uninstall
 * on the node), behind anchors that count their holders so a replacement never removes anything.
 */
import type { ResolvedCluster, ResolvedNode } from "./resolve";
import { HEAD, kubectlFn, pathLine, shq } from "./shell";

/** A step with nothing to do (the update of a removal anchor). */
export function markerScript(what: string): string {
  return [HEAD, `echo ${shq(what)}`].join("\n");
}

/** Where removal anchors count their holders: on a node (uninstall) or on the first server (drain of a node). */
export const anchorFile = (kind: "uninstall" | "drain", nodeKey: string) =>
  `/var/lib/platform/anchors/${kind}-${nodeKey}`;

/**
 * Create script of a removal anchor: counts one more holder. A replacement creates the new anchor
 * before the old one's delete runs, so the count tells a replacement (another holder remains) from a
 * removal (none does).
 */
export function anchorCreateScript(file: string, what: string): string {
  return [
    HEAD,
    `# ${what}`,
    `f=${shq(file)}`,
    'install -d -m 0700 "$(dirname "$f")"',
    'n="$(cat "$f" 2>/dev/null || echo 0)"',
    'echo "$((n + 1))" >"$f"',
    `echo ${shq(what)}`,
  ].join("\n");
}

/** Delete script of a removal anchor: `body` runs only when the last holder goes (a removal, not a replacement). */
export function anchorDeleteScript(file: string, body: string): string {
  const [head, ...rest] = body.split("\n");
  if (head !== HEAD) throw new Error("anchor bodies start with set -euo pipefail");
  return [
    HEAD,
    `f=${shq(file)}`,
    'n="$(cat "$f" 2>/dev/null || echo 1)"',
    'if [ "$n" -gt 1 ]; then',
    '  echo "$((n - 1))" >"$f"',
    '  echo "replaced, not removed: nothing to undo"',
    "  exit 0",
    "fi",
    'rm -f "$f"',
    ...rest,
  ].join("\n");
}

/** Delete script, on the first server: drains the node and removes it (and its etcd member) from the cluster. */
export function drainScript(c: ResolvedCluster, node: ResolvedNode): string {
  return [
    HEAD,
    `# Drain node ${node.key} and remove it from the cluster.`,
    pathLine(c),
    kubectlFn(c),
    `node=${shq(node.key)}`,
    'if kubectl get node "$node" >/dev/null 2>&1; then',
    `  kubectl drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout=${c.drainTimeout}s`,
    '  kubectl delete node "$node" --wait=true',
    "else",
    '  echo "node $node is not in the cluster; nothing to drain"',
    "fi",
  ].join("\n");
}

/** Delete script, on the node: runs the distribution's uninstaller when it is there. */
export function uninstallScript(c: ResolvedCluster, node: ResolvedNode): string {
  const script = c.facts.uninstallScript(node.role);
  return [
    HEAD,
    `# Uninstall ${c.facts.label} from node ${node.key}.`,
    `rm -rf ${shq("/var/tmp/platform-artifacts")}`,
    `for script in ${shq(`/usr/local/bin/${script}`)} ${shq(`/usr/bin/${script}`)}; do`,
    '  if [ -x "$script" ]; then "$script"; exit 0; fi',
    "done",
    `echo ${shq(`${c.facts.label} is not installed on this node; nothing to uninstall`)}`,
  ].join("\n");
}
