#!/usr/bin/env bash
# Builds every tool the end-to-end tests need, with Go from the module proxy, into
#   ${PLATFORM_E2E_CACHE:-~/.cache/platform-e2e}/<key>/bin
# where <key> derives from every version involved, so a second run is a no-op in seconds.
#
# usage: scripts/e2e/build-tools.sh [--print-dir] [--list] [TOOL...]
#   no TOOL      build all tools
#   --print-dir  print the cache folder on stdout (after building) and nothing else there
#   --list       print the resolved versions and the cache folder, build nothing
#   --check      exit 0 when every requested tool is already built (prints what is missing), build nothing
#
# Versions: scripts/e2e/versions.env (etcd, Kubernetes), package-lock.json (Pulumi CLI and
# language host = @pulumi/pulumi, Kubernetes provider = @pulumi/kubernetes),
# components/flux/versions.json (source-, kustomize-, helm- and notification-controller; the Flux
# Operator at the chart version it pins; and, as NAME@VERSION with their own install file, the
# controllers of the previous release under "previous").
# Never commits or copies upstream source into the repository: everything lives in the cache.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

PRINT_DIR=0
LIST_ONLY=0
CHECK_ONLY=0
WANT=()
for a in "$@"; do
  case "$a" in
    --print-dir) PRINT_DIR=1 ;;
    --list) LIST_ONLY=1 ;;
    --check) CHECK_ONLY=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) die "unknown option $a" ;;
    *) WANT+=("$a") ;;
  esac
done
ALL_TOOLS=(etcd kube-apiserver kube-controller-manager source-controller kustomize-controller
  helm-controller notification-controller registry crane pulumi pulumi-language-nodejs pulumi-resource-kubernetes sops age-keygen flux
  flux-operator)
# The previous Flux release's controllers (versions.json "previous"), for the upgrade e2e: NAME@VERSION.
mapfile -t PREVIOUS_TOOLS < <(previous_controller_tools)
ALL_TOOLS+=("${PREVIOUS_TOOLS[@]}")
[ ${#WANT[@]} -gt 0 ] || WANT=("${ALL_TOOLS[@]}")
for t in "${WANT[@]}"; do
  # Not `printf | grep -q`: grep exits at the first match and, under pipefail, printf's SIGPIPE fails the test.
  [[ " ${ALL_TOOLS[*]} " == *" $t "* ]] || die "unknown tool '$t' (known: ${ALL_TOOLS[*]})"
done

# Everything human-readable goes to stderr so --print-dir can be captured.
log() { printf '%s\n' "$*" >&2; }

require_go
# The proxy first: resolving versions asks it which archives it serves.
if [ "$LIST_ONLY$CHECK_ONLY" = 00 ] && [ "${E2E_OFFLINE_RESOLVE:-0}" != 1 ]; then check_proxy; fi
resolve_versions
CACHE="$(e2e_cache_dir)"
if [ "$LIST_ONLY" = 1 ]; then
  print_versions
  echo "cache: $CACHE"
  exit 0
fi
if [ "$CHECK_ONLY" = 1 ]; then
  missing=()
  for t in "${WANT[@]}"; do [ -x "$(tool_store "$t")/$t" ] || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "not built yet: ${missing[*]} (scripts/e2e/build-tools.sh builds them)" >&2
    exit 1
  fi
  echo "all built: ${WANT[*]}" >&2
  exit 0
fi
mkdir -p "$CACHE/bin" "$CACHE/src" "$CACHE/logs" "$CACHE/crds"
print_versions >&2
log "cache: $CACHE"

ensure_apt_tools

export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# Module paths whose checksums the checksum database (as reached through the proxy) does not have:
# their go.sum lines come from the proxy's downloads alone (see versions.env).
if [ -n "${GO_NOSUMDB:-}" ]; then export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}$GO_NOSUMDB"; fi
TIMINGS="$CACHE/timings.txt"
: >"$TIMINGS"
# What each binary in bin/ was built from (tool_versions), for the tests that assert what runs.
BUILT="$CACHE/built-from.txt"
: >"$BUILT"
FAILED=()
TOTAL_START=$(date +%s)

build_one() {
  local tool="$1" fn="$2" store
  store="$(tool_store "$tool")"
  local logf="$CACHE/logs/$tool.log"
  if [ -x "$store/$tool" ]; then
    ln -f "$store/$tool" "$CACHE/bin/$tool" 2>/dev/null || cp -f "$store/$tool" "$CACHE/bin/$tool"
    log "$(printf '%-28s cached (cold build took %ss)' "$tool" "$(cat "$store/build-seconds" 2>/dev/null || echo '?')")"
    echo "$tool cached $(cat "$store/build-seconds" 2>/dev/null || echo '?')" >>"$TIMINGS"
    echo "$tool $(cat "$store/versions" 2>/dev/null || tool_versions "$tool")" >>"$BUILT"
    return 0
  fi
  log "$(printf '%-28s building ... (log: %s)' "$tool" "$logf")"
  local start end
  start=$(date +%s)
  mkdir -p "$store"
  # errexit holds inside the subshell only when it is not part of a condition: run it plainly.
  local rc
  set +e
  (
    set -e
    OUT="$store/$tool.tmp" "$fn" "$tool"
  ) >"$logf" 2>&1
  rc=$?
  set -e
  if [ "$rc" = 0 ] && mv -f "$store/$tool.tmp" "$store/$tool"; then
    end=$(date +%s)
    echo "$((end - start))" >"$store/build-seconds"
    tool_versions "$tool" >"$store/versions"
    ln -f "$store/$tool" "$CACHE/bin/$tool" 2>/dev/null || cp -f "$store/$tool" "$CACHE/bin/$tool"
    echo "$tool cold $((end - start))" >>"$TIMINGS"
    echo "$tool $(cat "$store/versions")" >>"$BUILT"
    log "$(printf '%-28s built in %ss' "$tool" "$((end - start))")"
  else
    end=$(date +%s)
    log "$(printf '%-28s FAILED after %ss; last lines of %s:' "$tool" "$((end - start))" "$logf")"
    tail -n 25 "$logf" | sed 's/^/    /' >&2
    FAILED+=("$tool")
  fi
}

for t in "${WANT[@]}"; do
  case "$t" in
    etcd) build_one etcd build_etcd ;;
    kube-apiserver | kube-controller-manager) build_one "$t" build_kube ;;
    source-controller | kustomize-controller | helm-controller | notification-controller | *-controller@*) build_one "$t" build_flux_controller ;;
    registry) build_one registry build_registry ;;
    crane) build_one crane build_crane ;;
    pulumi) build_one pulumi build_pulumi_cli ;;
    pulumi-language-nodejs) build_one pulumi-language-nodejs build_pulumi_language_nodejs ;;
    pulumi-resource-kubernetes) build_one pulumi-resource-kubernetes build_pulumi_kubernetes ;;
    sops) build_one sops build_sops ;;
    age-keygen) build_one age-keygen build_age_keygen ;;
    flux) build_one flux build_flux_cli ;;
    flux-operator)
      build_one flux-operator build_flux_operator
      # Its data/ and chart (build_flux_operator) live beside the binary in its store folder.
      if [ -x "$(tool_store flux-operator)/flux-operator" ]; then ln -sfn "$(tool_store flux-operator)" "$CACHE/flux-operator"; fi
      ;;
  esac
done
# The Flux CRDs come with the controller modules; copy them whenever a controller is present.
copy_flux_crds || FAILED+=(flux-crds)
# Flux's own install.yaml, what the scenario installs with the program's manifests mode; and the
# previous release's, what the upgrade e2e installs first.
install_file() {
  local name="$1" set="${2:-}" rc start
  [ ! -s "$CACHE/$name" ] || return 0
  start=$(date +%s)
  # errexit holds inside the subshell only when it is not part of a condition: run it plainly.
  set +e
  (
    set -e
    build_flux_install "$CACHE/$name" "$set"
  ) >"$CACHE/logs/$name.log" 2>&1
  rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    log "$(printf '%-28s built in %ss (%s objects)' "$name" "$(($(date +%s) - start))" "$(grep -c '^kind:' "$CACHE/$name")")"
  else
    log "$name FAILED; last lines of $CACHE/logs/$name.log:"
    tail -n 25 "$CACHE/logs/$name.log" | sed 's/^/    /' >&2
    FAILED+=("$name")
  fi
}
install_file flux-install.yaml
install_file "$(previous_install_name)" previous

log "summary (seconds; cached = cold build time of the stored binary):"
awk '{printf "  %-28s %-7s %ss\n", $1, $2, $3}' "$TIMINGS" >&2
log "total: $(($(date +%s) - TOTAL_START))s"
if [ ${#FAILED[@]} -gt 0 ]; then
  log "build-tools: FAILED: ${FAILED[*]}"
  exit 1
fi
if [ "$PRINT_DIR" = 1 ]; then echo "$CACHE"; fi
