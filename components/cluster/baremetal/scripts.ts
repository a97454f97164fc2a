/**
 * The shell scripts a BareMetalCluster runs over SSH. Each is idempotent, starts with
 * `set -euo pipefail`, takes no secret on its command line and prints none: the join token arrives
 * on stdin and goes straight into a 0600 file. Every value is single-quoted with `shq`.
 */
import { configFile, tokenFile } from "./nodeConfig";
import { KUBECONFIG_KDF_ITERATIONS } from "./kubeconfig";
import type { ResolvedCluster, ResolvedNode } from "./resolve";
import { HEAD, kubectlFn, pathLine, shq, verifyFn } from "./shell";

export { asRoot, shq } from "./shell";
export {
  anchorCreateScript,
  anchorDeleteScript,
  anchorFile,
  drainScript,
  markerScript,
  uninstallScript,
} from "./removal";

/** Where air-gapped artifacts are staged on a node. */
export const stagingDir = (c: ResolvedCluster) =>
  `/var/tmp/platform-artifacts/${c.distribution}-${c.version}`;

/** Writes the join token (stdin) and the node's config.yaml. */
export function configScript(c: ResolvedCluster, node: ResolvedNode, config: string): string {
  const dir = c.facts.configDir;
  return [
    HEAD,
    `# Write the ${c.facts.label} config of node ${node.key}; the join token comes on stdin, into a 0600 file.`,
    "umask 077",
    `install -d -m 0700 ${shq(dir)}`,
    `token_file=${shq(tokenFile(c))}`,
    'tmp="$(mktemp "${token_file}.XXXXXX")"',
    'cat >"$tmp"',
    'if [ ! -s "$tmp" ]; then rm -f "$tmp"; echo "no join token on stdin" >&2; exit 1; fi',
    'mv -f "$tmp" "$token_file"',
    `cat >${shq(`${configFile(c)}.new`)} <<'PLATFORM_CONFIG_EOF'`,
    config.trimEnd(),
    "PLATFORM_CONFIG_EOF",
    `mv -f ${shq(`${configFile(c)}.new`)} ${shq(configFile(c))}`,
    `echo "wrote ${configFile(c)} and the token file"`,
  ].join("\n");
}

/** Creates the staging folder the SSH user copies artifacts into (runs as the SSH user). */
export function stageScript(c: ResolvedCluster): string {
  return [
    HEAD,
    "# Folder for the air-gapped artifacts, writable by the SSH user.",
    `install -d -m 0700 ${shq(stagingDir(c))}`,
  ].join("\n");
}

/** `verify_sha256` of a file against its pin, when there is one. */
const pinLine = (file: string, pin: string | undefined, source: string, setting: string) =>
  pin === undefined ? [] : [`  verify_sha256 ${file} ${shq(pin)} ${source} ${shq(setting)}`];

function installBlock(c: ResolvedCluster, node: ResolvedNode): string[] {
  const rke2 = c.distribution === "rke2";
  const type = rke2
    ? `INSTALL_RKE2_TYPE=${shq(node.role)}`
    : `INSTALL_K3S_EXEC=${shq(node.role)} INSTALL_K3S_SKIP_START=true`;
  const { scriptSha256, checksumsSha256 } = c.install;
  if (c.install.mode === "online") {
    const version = rke2 ? 'INSTALL_RKE2_VERSION="$version"' : 'INSTALL_K3S_VERSION="$version"';
    return [
      '  installer="$(mktemp)"',
      `  curl -sfL --retry 3 -o "$installer" ${shq(c.install.scriptUrl)}`,
      ...pinLine('"$installer"', scriptSha256, shq(c.install.scriptUrl), "install.scriptSha256"),
      `  ${version} ${type} sh "$installer"`,
      '  rm -f "$installer"',
    ];
  }
  const files = c.facts.artifacts(c.install.arch);
  const sums = c.facts.checksums(c.install.arch);
  const images = files.find((f) => f.endsWith(".tar.zst")) ?? "";
  const mirror = c.install.mirrorUrl?.replace(/\{version\}/g, c.version).replace(/\/+$/, "");
  const lines = [
    `  artifacts=${shq(stagingDir(c))}`,
    // Where the artifacts came from, for messages: the mirror, or the folder on the deploying machine.
    `  origin=${shq(mirror ?? (c.install.artifactsDir ?? "").replace(/\/+$/, ""))}`,
  ];
  if (mirror !== undefined) {
    lines.push(
      '  install -d -m 0700 "$artifacts"',
      `  for f in ${files.map(shq).join(" ")}; do`,
      `    curl -sfL --retry 3 -o "$artifacts/$f" ${shq(mirror)}"/$f"`,
      "  done",
    );
  }
  lines.push(
    `  for f in ${files.map(shq).join(" ")}; do`,
    '    if [ ! -s "$artifacts/$f" ]; then echo "missing air-gapped artifact $artifacts/$f" >&2; exit 1; fi',
    "  done",
    // The checksum file (pinned), the install script (pinned), then every other artifact against the
    // checksum file, before anything is installed.
    `  sums="$artifacts/"${shq(sums)}`,
    ...pinLine('"$sums"', checksumsSha256, `"$origin/"${shq(sums)}`, "install.checksumsSha256"),
    ...pinLine('"$artifacts/install.sh"', scriptSha256, '"$origin/install.sh"', "install.scriptSha256"),
    `  for f in ${files
      .filter((f) => f !== "install.sh" && f !== sums)
      .map(shq)
      .join(" ")}; do`,
    `    expected="$(awk -v f="$f" '$2 == f || $2 == "*" f {print $1; exit}' "$sums")"`,
    `    if [ -z "$expected" ]; then echo "$origin/${sums} lists no sha256 for $f: use the checksum file of release $version" >&2; exit 1; fi`,
    `    verify_sha256 "$artifacts/$f" "$expected" "$origin/$f" ${shq(sums)}`,
    "  done",
    `  install -d -m 0755 ${shq(`${c.facts.dataDir}/agent/images`)}`,
    `  cp -f "$artifacts/"${shq(images)} ${shq(`${c.facts.dataDir}/agent/images/`)}`,
  );
  if (rke2) lines.push(`  INSTALL_RKE2_ARTIFACT_PATH="$artifacts" ${type} sh "$artifacts/install.sh"`);
  else
    lines.push(
      `  install -m 0755 "$artifacts/"${shq(files[1])} /usr/local/bin/k3s`,
      `  INSTALL_K3S_SKIP_DOWNLOAD=true ${type} sh "$artifacts/install.sh"`,
    );
  return lines;
}

function cisBlock(c: ResolvedCluster, node: ResolvedNode): string[] {
  if (!c.cis) return [];
  return [
    ...(node.role === "server"
      ? ["if ! id etcd >/dev/null 2>&1; then useradd -r -c 'etcd user' -s /sbin/nologin -M -U etcd; fi"]
      : []),
    "for f in /usr/local/share/rke2/rke2-cis-sysctl.conf /usr/share/rke2/rke2-cis-sysctl.conf; do",
    '  if [ -f "$f" ]; then cp -f "$f" /etc/sysctl.d/60-rke2-cis.conf; systemctl restart systemd-sysctl; break; fi',
    "done",
  ];
}

/** Installs the pinned version when another (or none) is installed; (re)starts the service when version or config changed. */
export function installScript(c: ResolvedCluster, node: ResolvedNode): string {
  const bin = c.distribution;
  const service = c.facts.service(node.role);
  return [
    HEAD,
    `# Install ${c.facts.label} ${c.version} (${node.role}) on node ${node.key}; restart ${service} when the version or config changed.`,
    pathLine(c),
    `version=${shq(c.version)}`,
    `service=${shq(service)}`,
    verifyFn,
    `stamp=${shq(`${c.facts.dataDir}/platform-applied`)}`,
    `installed="$(${bin} --version 2>/dev/null | awk 'NR==1 {print $3}' || true)"`,
    'if [ "$installed" != "$version" ]; then',
    '  echo "installing $version (found: ${installed:-none})"',
    ...installBlock(c, node),
    "fi",
    ...cisBlock(c, node),
    'systemctl enable "$service"',
    `want="$version $(sha256sum ${shq(configFile(c))} | cut -d' ' -f1)"`,
    'if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ] || ! systemctl is-active --quiet "$service"; then',
    // The services notify systemd once the node has joined, so a bounded restart waits for that.
    `  if ! timeout ${c.readyTimeout} systemctl restart "$service"; then`,
    `    echo "$service did not start within ${c.readyTimeout}s; check 'journalctl -u $service' on this node" >&2`,
    "    exit 1",
    "  fi",
    '  install -d -m 0700 "$(dirname "$stamp")"',
    '  printf \'%s\\n\' "$want" >"$stamp"',
    '  echo "restarted $service"',
    "else",
    '  echo "$service already runs $version with this config"',
    "fi",
  ].join("\n");
}

/** Runs on the first server: waits until `node` reports Ready, failing with a clear message after the timeout. */
export function readyScript(c: ResolvedCluster, node: ResolvedNode): string {
  const service = c.facts.service(node.role);
  return [
    HEAD,
    `# Wait until node ${node.key} reports Ready with kubelet ${c.version} (at most ${c.readyTimeout}s).`,
    pathLine(c),
    kubectlFn(c),
    `node=${shq(node.key)}`,
    `version=${shq(c.version)}`,
    `timeout=${c.readyTimeout}`,
    "deadline=$((SECONDS + timeout))",
    "while :; do",
    `  status="$(kubectl get node "$node" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion}' 2>/dev/null || true)"`,
    '  if [ "$status" = "True $version" ]; then echo "node $node is Ready and runs $version"; exit 0; fi',
    '  if [ "$SECONDS" -ge "$deadline" ]; then',
    `    echo "node $node did not report Ready with $version within \${timeout}s (status: \${status:-not registered}); check 'journalctl -u ${service}' on ${node.host}" >&2`,
    "    kubectl get nodes -o wide >&2 || true",
    "    exit 1",
    "  fi",
    "  sleep 5",
    "done",
  ].join("\n");
}

/**
 * Prints the admin kubeconfig of the first server encrypted with the key on stdin (AES-256-CBC,
 * PBKDF2-SHA256), so command output and logs only ever hold ciphertext.
 */
export function kubeconfigScript(c: ResolvedCluster): string {
  return [
    HEAD,
    "# Print the admin kubeconfig, encrypted with the key on stdin: output and logs only hold ciphertext.",
    `openssl enc -aes-256-cbc -pbkdf2 -iter ${KUBECONFIG_KDF_ITERATIONS} -md sha256 -salt -pass stdin -a -A -in ${shq(c.facts.kubeconfigPath)}`,
  ].join("\n");
}
