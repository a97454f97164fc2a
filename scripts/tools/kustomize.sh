#!/usr/bin/env bash
# Print the path of the kustomize the gitops commands use, building it first when needed.
#
#   bash scripts/tools/kustomize.sh      # ~1 min the first time (Go module proxy), then instant
#
# The pinned version (scripts/tools/versions.env) is built with `go install` from the Go module
# proxy into ~/.cache/platform-tools/kustomize/<version>/ (PLATFORM_TOOLS_CACHE overrides the
# folder). A kustomize v5 already on PATH is used as it is, without building.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"

die() {
  printf 'kustomize.sh: %s\n' "$*" >&2
  exit 2
}

cache="${PLATFORM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-tools}"
dir="$cache/kustomize/$KUSTOMIZE_VERSION"
bin="$dir/kustomize"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
if [ "${1:-}" != "--build" ] && command -v kustomize >/dev/null 2>&1; then
  found="$(command -v kustomize)"
  if "$found" version 2>/dev/null | grep -Eq '^(kustomize/)?v5\.'; then
    echo "$found"
    exit 0
  fi
  echo "kustomize.sh: ignoring $found ($("$found" version 2>&1 | head -1)): the gitops commands need v5" >&2
fi

command -v go >/dev/null 2>&1 || die "Go is not installed: install Go 1.26 or newer (https://go.dev/doc/install) or put kustomize v5 on PATH"
mkdir -p "$cache/kustomize"
tmp="$(mktemp -d "$cache/kustomize/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "kustomize.sh: building sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION with $(go env GOVERSION) (about a minute, once)" >&2
GOBIN="$tmp/bin" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
  go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2 ||
  die "go install sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION failed (see above); the Go module proxy must be reachable"
got="$("$tmp/bin/kustomize" version)"
[ "$got" = "$KUSTOMIZE_VERSION" ] || die "the build reports version $got, expected $KUSTOMIZE_VERSION"
rm -rf "$dir"
mv "$tmp/bin" "$dir"
echo "$bin"
